/**
 * A decaying top-K of the most read keys: Space-Saving (Metwally, Agrawal and El Abbadi, 2005)
 * over a fixed number of slots, with forward exponential decay (Cormode et al., 2009) so a
 * key's score halves every `halfLifeMs` without touching every counter. Memory is bounded by the
 * slot count; there is no per-key counter outside the slots.
 *
 * Each read adds 2^((now - landmark) / halfLife); the reported score divides by the same factor
 * at the time of asking, which equals a count where each read's weight halves per half-life. The
 * landmark moves forward (rescaling the slots) before the weights grow large.
 *
 * Reads are sampled (1 in `sampleEvery`, at random, each counting `sampleEvery` times): heavy
 * hitters are found all the same, and the per-read cost stays a counter check for most reads.
 */
import { sameIdentity } from './entry.js';
import type { HotKey } from './types.js';

interface Slot {
  id: number;
  key: Buffer;
  weight: number;
  pos: number;
}

/** Slots kept per reported key: headroom so that true heavy hitters are not displaced by noise. */
const SLOTS_PER_KEY = 4;
/** Reads sampled by default: 1 in 4. */
export const DEFAULT_SAMPLE_EVERY = 4;
/** Rescale before weights exceed 2^RESCALE_EXPONENT. */
const RESCALE_EXPONENT = 40;

export class HotKeys {
  private readonly capacity: number;
  private readonly heap: Slot[] = [];
  /** ids[i] is heap[i].id: a scan of this small typed array finds a key's slot (no Map churn). */
  private readonly ids: Int32Array;
  private landmark: number;
  private random = 0x6d2b79f5;
  /** Reads left until the next sampled one. */
  private countdown = 1;
  /** Weight of a sampled read at `weightAt` (cached: many reads share a millisecond). */
  private weight = 0;
  private weightAt = NaN;

  constructor(
    readonly topK: number,
    private readonly halfLifeMs: number,
    now: number,
    /** One read in this many is recorded (on average); 1 records every read. */
    readonly sampleEvery = DEFAULT_SAMPLE_EVERY,
  ) {
    this.capacity = topK > 0 ? Math.max(16, topK * SLOTS_PER_KEY) : 0;
    this.ids = new Int32Array(this.capacity);
    this.landmark = now;
  }

  /** `id` is the key's identity hash (EntryIndex); the key bytes settle collisions. */
  record(id: number, key: Buffer, now: number): void {
    if (this.capacity === 0) return;
    // Counter-based sampling: most reads only decrement. The gap to the next sample is random
    // (uniform in 1..2×sampleEvery−1, mean sampleEvery) so periodic access patterns cannot alias.
    if (--this.countdown > 0) return;
    this.countdown = this.nextGap();
    if (now !== this.weightAt) {
      if ((now - this.landmark) / this.halfLifeMs > RESCALE_EXPONENT) this.rescale(now);
      this.weight = this.sampleEvery * 2 ** ((now - this.landmark) / this.halfLifeMs);
      this.weightAt = now;
    }
    const w = this.weight;
    const slot = this.find(id);
    if (slot) {
      // A different key with the same hash takes the slot over (rare; counts stay bounded).
      if (!sameIdentity(slot.key, key)) slot.key = key;
      slot.weight += w;
      this.siftDown(slot.pos);
      return;
    }
    if (this.heap.length < this.capacity) {
      const fresh: Slot = { id, key, weight: w, pos: this.heap.length };
      this.heap.push(fresh);
      this.ids[fresh.pos] = id;
      this.siftUp(fresh.pos);
      return;
    }
    // Space-Saving: the new key takes over the smallest slot and inherits its count.
    const min = this.heap[0];
    min.id = id;
    min.key = key;
    min.weight += w;
    this.ids[0] = id;
    this.siftDown(0);
  }

  /** The `limit` highest decayed scores, highest first. */
  top(now: number, limit = this.topK): HotKey[] {
    const scale = 2 ** (-(now - this.landmark) / this.halfLifeMs);
    return [...this.heap]
      .sort((a, b) => b.weight - a.weight)
      .slice(0, Math.min(limit, this.topK))
      .map((s) => ({ key: s.key, score: s.weight * scale }));
  }

  /** Forget a key (deleted from the map). */
  forget(id: number, key: Buffer): void {
    const slot = this.find(id);
    if (!slot || !sameIdentity(slot.key, key)) return;
    const last = this.heap.pop()!;
    if (last !== slot) {
      this.heap[slot.pos] = last;
      last.pos = slot.pos;
      this.ids[last.pos] = last.id;
      this.siftDown(last.pos);
      this.siftUp(last.pos);
    }
  }

  clear(): void {
    this.heap.length = 0;
  }

  get tracked(): number {
    return this.heap.length;
  }

  private find(id: number): Slot | undefined {
    const ids = this.ids;
    const n = this.heap.length;
    for (let i = 0; i < n; i++) if (ids[i] === id) return this.heap[i];
    return undefined;
  }

  private nextGap(): number {
    if (this.sampleEvery === 1) return 1;
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x;
    return 1 + ((x >>> 0) % (2 * this.sampleEvery - 1));
  }

  private rescale(now: number): void {
    const factor = 2 ** (-(now - this.landmark) / this.halfLifeMs);
    for (const s of this.heap) s.weight *= factor;
    this.landmark = now;
    this.weightAt = NaN;
  }

  private siftUp(i: number): void {
    const h = this.heap;
    const s = h[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].weight <= s.weight) break;
      h[i] = h[p]!;
      h[i].pos = i;
      this.ids[i] = h[i].id;
      i = p;
    }
    h[i] = s;
    s.pos = i;
    this.ids[i] = s.id;
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const n = h.length;
    const s = h[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r].weight < h[l].weight ? r : l;
      if (h[c].weight >= s.weight) break;
      h[i] = h[c]!;
      h[i].pos = i;
      this.ids[i] = h[i].id;
      i = c;
    }
    h[i] = s;
    s.pos = i;
    this.ids[i] = s.id;
  }
}
