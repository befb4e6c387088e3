/**
 * A decaying top-K of the most read keys: Space-Saving (Metwally, Agrawal and El Abbadi, 2005)
 * over a fixed number of slots, with forward exponential decay (Cormode et al., 2009) so a
 * key's score halves every `halfLifeMs` without touching every counter. Memory is bounded by the
 * slot count; there is no per-key counter outside the slots.
 *
 * Each read adds 2^((now - landmark) / halfLife); the reported score divides by the same factor
 * at the time of asking, which equals a count where each read's weight halves per half-life. The
 * landmark moves forward (rescaling the slots) before the weights grow large.
 */
import type { HotKey } from './types.js';

interface Slot {
  id: string;
  key: Buffer;
  weight: number;
  pos: number;
}

/** Slots kept per reported key: headroom so that true heavy hitters are not displaced by noise. */
const SLOTS_PER_KEY = 4;
/** Rescale before weights exceed 2^RESCALE_EXPONENT. */
const RESCALE_EXPONENT = 40;

export class HotKeys {
  private readonly capacity: number;
  private readonly heap: Slot[] = [];
  private readonly byId = new Map<string, Slot>();
  private landmark: number;

  constructor(
    readonly topK: number,
    private readonly halfLifeMs: number,
    now: number,
  ) {
    this.capacity = topK > 0 ? Math.max(16, topK * SLOTS_PER_KEY) : 0;
    this.landmark = now;
  }

  record(id: string, key: Buffer, now: number): void {
    if (this.capacity === 0) return;
    let exponent = (now - this.landmark) / this.halfLifeMs;
    if (exponent > RESCALE_EXPONENT) {
      this.rescale(now);
      exponent = 0;
    }
    const w = 2 ** exponent;
    const slot = this.byId.get(id);
    if (slot) {
      slot.weight += w;
      this.siftDown(slot.pos);
      return;
    }
    if (this.heap.length < this.capacity) {
      const fresh: Slot = { id, key, weight: w, pos: this.heap.length };
      this.heap.push(fresh);
      this.byId.set(id, fresh);
      this.siftUp(fresh.pos);
      return;
    }
    // Space-Saving: the new key takes over the smallest slot and inherits its count.
    const min = this.heap[0];
    this.byId.delete(min.id);
    min.id = id;
    min.key = key;
    min.weight += w;
    this.byId.set(id, min);
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
  forget(id: string): void {
    const slot = this.byId.get(id);
    if (!slot) return;
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

  private rescale(now: number): void {
    const factor = 2 ** (-(now - this.landmark) / this.halfLifeMs);
    for (const s of this.heap) s.weight *= factor;
    this.landmark = now;
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
