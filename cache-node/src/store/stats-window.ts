/**
 * Counters over a sliding window split into buckets: each bucket covers windowMs / buckets and is
 * reset lazily when the clock enters it again, so no timer is needed and an idle map costs
 * nothing. The window sum covers the current bucket and the buckets - 1 before it.
 */

export const COUNTERS = ['hits', 'misses', 'puts', 'removals', 'evictions', 'expirations'] as const;
export type CounterName = (typeof COUNTERS)[number];
export const Counter = {
  hits: 0,
  misses: 1,
  puts: 2,
  removals: 3,
  evictions: 4,
  expirations: 5,
} as const satisfies Record<CounterName, number>;

const N = COUNTERS.length;

export type WindowCounts = Record<CounterName, number>;

export class StatsWindow {
  private readonly counts: Float64Array;
  private readonly epochs: Float64Array;
  private readonly bucketMs: number;
  /** The bucket `add` wrote last and the time range it covers (skips the division per call). */
  private slot = 0;
  private slotStart = Infinity;
  private slotEnd = -Infinity;

  constructor(
    readonly windowMs: number,
    readonly buckets: number,
  ) {
    this.bucketMs = windowMs / buckets;
    this.counts = new Float64Array(buckets * N);
    this.epochs = new Float64Array(buckets).fill(-1);
  }

  add(counter: number, now: number, n = 1): void {
    if (now < this.slotStart || now >= this.slotEnd) this.enter(now);
    this.counts[this.slot * N + counter] += n;
  }

  private enter(now: number): void {
    const epoch = Math.floor(now / this.bucketMs);
    const slot = epoch % this.buckets;
    if (this.epochs[slot] !== epoch) {
      this.epochs[slot] = epoch;
      this.counts.fill(0, slot * N, slot * N + N);
    }
    this.slot = slot;
    this.slotStart = epoch * this.bucketMs;
    this.slotEnd = (epoch + 1) * this.bucketMs;
  }

  sum(now: number): WindowCounts {
    const epoch = Math.floor(now / this.bucketMs);
    const out = [0, 0, 0, 0, 0, 0];
    for (let slot = 0; slot < this.buckets; slot++) {
      const e = this.epochs[slot];
      if (e > epoch - this.buckets && e <= epoch) {
        for (let i = 0; i < N; i++) out[i] += this.counts[slot * N + i];
      }
    }
    return {
      hits: out[0],
      misses: out[1],
      puts: out[2],
      removals: out[3],
      evictions: out[4],
      expirations: out[5],
    };
  }
}
