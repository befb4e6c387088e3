/**
 * Pending prefetch hints: a bounded FIFO keyed by (map, key identity), so a key asked for twice
 * is queued once (the first request time is kept). When full, new hints are refused rather than
 * displacing older ones, which a loader may already be working through.
 */
import { keyIdentity } from './entry.js';
import type { PrefetchHint } from './types.js';

export class PrefetchQueue {
  // A Map iterates in insertion order: it is the queue and the duplicate index at once.
  private readonly pending = new Map<string, PrefetchHint>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.pending.size;
  }

  /** Queues a hint; true when it is queued now (new or coalesced), false when the queue is full. */
  offer(map: string, key: Buffer, now: number): boolean {
    const id = `${map.length}:${map}${keyIdentity(key)}`;
    if (this.pending.has(id)) return true;
    if (this.pending.size >= this.capacity) return false;
    this.pending.set(id, { map, key, requestedAt: now });
    return true;
  }

  take(max: number): PrefetchHint[] {
    const out: PrefetchHint[] = [];
    for (const [id, hint] of this.pending) {
      if (out.length >= max) break;
      out.push(hint);
      this.pending.delete(id);
    }
    return out;
  }

  /** Drops hints for a map (destroyed). */
  dropMap(map: string): void {
    for (const [id, hint] of this.pending) if (hint.map === map) this.pending.delete(id);
  }
}
