/**
 * Deadlines of entries that can expire, in a binary min-heap, so a sweep touches only what is due
 * (O(log n) per expired entry) instead of scanning the map. Reads never rely on the sweep: they
 * check the deadline themselves.
 *
 * Items are lazy: an entry records the deadline it is queued at; an item whose deadline no longer
 * matches (rewritten, removed) is dropped when it surfaces, and an idle entry that was read since
 * is re-queued at its new deadline.
 */
import type { EntryRecord } from './entry.js';

export class ExpiryQueue {
  private deadlines: number[] = [];
  private entries: EntryRecord[] = [];

  get length(): number {
    return this.deadlines.length;
  }

  /** Queues the entry at its current deadline unless it is already queued at or before it. */
  schedule(entry: EntryRecord): void {
    const d = entry.deadline();
    if (d === 0) return;
    if (entry.scheduledAt !== 0 && entry.scheduledAt <= d) return;
    entry.scheduledAt = d;
    this.push(d, entry);
  }

  /** Calls `expire` for every live entry whose deadline is ≤ now. */
  sweep(now: number, expire: (entry: EntryRecord) => void): void {
    while (this.deadlines.length > 0 && this.deadlines[0] <= now) {
      const d = this.deadlines[0];
      const entry = this.pop();
      if (!entry.live || entry.scheduledAt !== d) continue;
      entry.scheduledAt = 0;
      const actual = entry.deadline();
      if (actual === 0) continue;
      if (actual <= now) expire(entry);
      else this.schedule(entry);
    }
  }

  /** Drops stale items when they outnumber live entries (bounded memory under churn). */
  compact(liveEntries: number): void {
    if (this.deadlines.length <= 2 * liveEntries + 1024) return;
    const keep = this.entries
      .map((e, i) => [this.deadlines[i], e] as const)
      .filter(([d, e]) => e.live && e.scheduledAt === d);
    this.deadlines = [];
    this.entries = [];
    for (const [d, e] of keep) this.push(d, e);
  }

  clear(): void {
    this.deadlines = [];
    this.entries = [];
  }

  private push(d: number, entry: EntryRecord): void {
    const ds = this.deadlines;
    const es = this.entries;
    let i = ds.length;
    ds.push(d);
    es.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (ds[parent] <= d) break;
      ds[i] = ds[parent]!;
      es[i] = es[parent]!;
      i = parent;
    }
    ds[i] = d;
    es[i] = entry;
  }

  private pop(): EntryRecord {
    const ds = this.deadlines;
    const es = this.entries;
    const top = es[0];
    const lastD = ds.pop()!;
    const lastE = es.pop()!;
    const n = ds.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && ds[r] < ds[l] ? r : l;
        if (ds[c] >= lastD) break;
        ds[i] = ds[c]!;
        es[i] = es[c]!;
        i = c;
      }
      ds[i] = lastD;
      es[i] = lastE;
    }
    return top;
  }
}
