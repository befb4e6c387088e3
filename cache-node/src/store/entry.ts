/**
 * One resident entry. It doubles as the eviction policy's list node (intrusive links), so a read
 * or write allocates nothing beyond the entry itself.
 */
import type { FrequencyBucket } from './policy/lfu.js';
import type { PolicyNode } from './policy/types.js';

/**
 * Heap bytes an entry costs beyond its key and value bytes: this record, the two Buffer objects
 * and their backing-store headers, the identity string and the Map slot. Measured with
 * `npm run bench -- store-throughput` (heap delta per entry minus key and value lengths, node
 * 20 x64); see docs/store.md.
 */
export const ENTRY_OVERHEAD_BYTES = 200;

/** Key identity: the Data bytes after the 4-byte partition-hash header, as a compact string. */
export function keyIdentity(key: Buffer): string {
  return key.toString('latin1', 4);
}

export function entryBytes(key: Buffer, value: Buffer): number {
  return key.length + value.length + ENTRY_OVERHEAD_BYTES;
}

export class EntryRecord implements PolicyNode {
  prev: PolicyNode | null = null;
  next: PolicyNode | null = null;
  region = 0;
  bucket: FrequencyBucket | null = null;
  /** False once the entry left its map (stale expiry-queue items check it). */
  live = true;
  /** Deadline this entry is queued at for expiry (0 = not queued). */
  scheduledAt = 0;

  constructor(
    readonly id: string,
    readonly key: Buffer,
    public value: Buffer,
    readonly hash: number,
    readonly partitionId: number,
    public bytes: number,
    public createdAt: number,
    public updatedAt: number,
    public lastAccessAt: number,
    /** Absolute expiry (ms) or 0. */
    public expiresAt: number,
    /** Idle limit (ms) or 0. */
    public maxIdleMs: number,
  ) {}

  /** When this entry expires (the earlier of TTL and idle limit), or 0 for never. */
  deadline(): number {
    const idle = this.maxIdleMs > 0 ? this.lastAccessAt + this.maxIdleMs : 0;
    if (this.expiresAt === 0) return idle;
    if (idle === 0) return this.expiresAt;
    return Math.min(idle, this.expiresAt);
  }

  expiredAt(now: number): boolean {
    const d = this.deadline();
    return d !== 0 && d <= now;
  }
}
