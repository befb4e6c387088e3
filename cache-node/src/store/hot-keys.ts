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
import { removeAt } from './open-addressing.js';
import type { HotKey } from './types.js';

interface Slot {
  id: number;
  key: Buffer;
  weight: number;
  pos: number;
}

/**
 * Slots by id: open addressing (linear probing, load ≤ 1/2, backward-shift deletion) over an
 * Int32Array of tags (id + 1; ids are 30-bit identity hashes, so 0 means empty). O(1) and
 * allocation-free under Space-Saving's constant replacement.
 */
class SlotTable {
  private readonly tags: Int32Array;
  private readonly slots: (Slot | undefined)[];
  private readonly mask: number;

  constructor(capacity: number) {
    let n = 2;
    while (n < capacity * 2) n *= 2;
    this.tags = new Int32Array(n);
    this.slots = new Array<Slot | undefined>(n).fill(undefined);
    this.mask = n - 1;
  }

  get(id: number): Slot | undefined {
    const tag = id + 1;
    for (let i = id & this.mask; ; i = (i + 1) & this.mask) {
      const t = this.tags[i];
      if (t === 0) return undefined;
      if (t === tag) return this.slots[i];
    }
  }

  /** Adds a slot whose id is not present. */
  add(slot: Slot): void {
    let i = slot.id & this.mask;
    while (this.tags[i] !== 0) i = (i + 1) & this.mask;
    this.tags[i] = slot.id + 1;
    this.slots[i] = slot;
  }

  delete(id: number): void {
    const { tags, slots, mask } = this;
    let i = id & mask;
    for (; tags[i] !== id + 1; i = (i + 1) & mask) if (tags[i] === 0) return;
    removeAt(tags, slots, mask, i);
  }

  clear(): void {
    this.tags.fill(0);
    this.slots.fill(undefined);
  }
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
  /** Slot by id (a `Map` here was a fifth of a read's cost: Space-Saving churns it). */
  private readonly byId: SlotTable;
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
    this.byId = new SlotTable(this.capacity);
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
    const slot = this.byId.get(id);
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
      this.byId.add(fresh);
      this.siftUp(fresh.pos);
      return;
    }
    // Space-Saving: the new key takes over the smallest slot and inherits its count.
    const min = this.heap[0];
    this.byId.delete(min.id);
    min.id = id;
    min.key = key;
    min.weight += w;
    this.byId.add(min);
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
    const slot = this.byId.get(id);
    if (!slot || !sameIdentity(slot.key, key)) return;
    this.byId.delete(id);
    const last = this.heap.pop()!;
    if (last !== slot) {
      this.heap[slot.pos] = last;
      last.pos = slot.pos;
      this.siftDown(last.pos);
      this.siftUp(last.pos);
    }
  }

  clear(): void {
    this.heap.length = 0;
    this.byId.clear();
  }

  get tracked(): number {
    return this.heap.length;
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
      i = p;
    }
    h[i] = s;
    s.pos = i;
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
      i = c;
    }
    h[i] = s;
    s.pos = i;
  }
}
