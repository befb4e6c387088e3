/**
 * One resident entry. It doubles as the eviction policy's list node (intrusive links), so a read
 * or write allocates nothing beyond the entry itself.
 */
import { DATA_HEADER_BYTES, murmur3 } from '../data/index.js';
import type { FrequencyBucket } from './policy/lfu.js';
import type { PolicyNode } from './policy/types.js';

/**
 * Heap bytes an entry costs beyond its key and value bytes: this record, the two Buffer objects
 * and their backing-store headers, the index slot and the policy's share. Measured with
 * `npm run bench -- store-throughput` (heap delta per entry minus key and value lengths, node
 * 20 x64); see docs/store.md.
 */
export const ENTRY_OVERHEAD_BYTES = 312;

/** Key identity as a string: the Data bytes after the 4-byte partition-hash header. */
export function keyIdentity(key: Buffer): string {
  return key.toString('latin1', 4);
}

const IDENTITY_SEED = 0x5f3759df;

/**
 * murmur3 of a key's payload (bytes from offset 8) with the partition seed: the one pass over the
 * key bytes that an operation makes. It is the key's partition hash whenever the header is 0 (as
 * the clients write it for keys that are not partition-aware), and the identity hash is derived
 * from it, so a read or write hashes the key once instead of twice.
 */
export function payloadHash(key: Buffer): number {
  return murmur3(key, Math.min(DATA_HEADER_BYTES, key.length), key.length);
}

/**
 * Hash of a key's identity (the bytes after the 4-byte header: type id and payload) from its
 * payloadHash, kept to 30 bits so V8 stores it as a small integer: the entry index is keyed by
 * it, which avoids building a string per lookup.
 */
export function identityFrom(key: Buffer, payload: number): number {
  if (key.length < DATA_HEADER_BYTES) {
    return murmur3(key, Math.min(4, key.length), key.length, IDENTITY_SEED) & 0x3fffffff;
  }
  // Fold in the type id, then a murmur3 finalizer.
  let h = payload ^ Math.imul(key.readInt32BE(4), 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x3fffffff;
}

/** The key's partition hash from its payloadHash: the header when set, else the payload's. */
export function keyHashFrom(key: Buffer, payload: number): number {
  const header = key.length >= 4 ? key.readInt32BE(0) : 0;
  return header !== 0 ? header : payload;
}

export function identityHash(key: Buffer): number {
  return identityFrom(key, payloadHash(key));
}

/** Same identity: equal bytes from offset 4 (the header may differ). */
export function sameIdentity(a: Buffer, b: Buffer): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 4; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Equal values as a Hazelcast member compares them (replace(k, old, new), remove(k, v),
 * containsValue): same type id and payload; the partition-hash header (bytes 0-3) is ignored,
 * as in the member's Data equality. Native compare: values can be large.
 */
export function sameData(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  if (a.length < 4) return a.equals(b);
  return a.compare(b, 4, b.length, 4, a.length) === 0;
}

/**
 * The key's partition hash, exactly as partitionHash() of ../data computes it (header hash, or
 * murmur of the payload when the header is 0), without allocating a DataView.
 */
export function keyHash(key: Buffer): number {
  return keyHashFrom(key, payloadHash(key));
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

  /** Insertion sequence in the map's EntryIndex (iteration order). */
  seq = 0;

  constructor(
    readonly identity: number,
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
    if (this.expiresAt === 0 && this.maxIdleMs === 0) return false;
    const d = this.deadline();
    return d !== 0 && d <= now;
  }
}
