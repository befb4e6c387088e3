/**
 * A count-min sketch of 4-bit counters (depth 4) estimating how often a key was seen recently:
 * the admission filter of TinyLFU (Einziger, Friedman and Manes, "TinyLFU: A Highly Efficient
 * Cache Admission Policy", ACM ToS 2017). Counters saturate at 15; after `sampleSize` increments
 * every counter is halved ("aging") so that old popularity fades. An optional doorkeeper (a
 * one-bit-per-slot Bloom filter) absorbs first sightings so one-hit wonders never reach the
 * counters.
 *
 * Memory: 8 counters per 32-bit word, 2 words per expected entry (16 counters per entry, as
 * Caffeine), so 8 bytes per entry of capacity.
 */

const SEEDS = [0x97cb3127, 0xb1a7d9e5, 0x6d2b79f5, 0xc2b2ae3d] as const;

/** A murmur3-style finalizer keyed by a seed: one independent-ish hash per sketch row. */
function mix(hash: number, seed: number): number {
  let h = Math.imul(hash ^ seed, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

export interface SketchOptions {
  /** Expected entries (the cache capacity); sizes the table. */
  capacity: number;
  /** Increments between halvings, as a multiple of capacity (TinyLFU's W/C; 10 by default). */
  sampleFactor?: number;
  doorkeeper?: boolean;
}

export class FrequencySketch {
  private table: Uint32Array;
  private mask: number;
  private door: Uint32Array | null;
  private doorMask: number;
  /** Increments since the last halving. */
  private additions = 0;
  readonly sampleSize: number;
  private readonly scratch = new Uint32Array(4);
  /** Halvings so far (for tests and metrics). */
  resets = 0;

  constructor(opts: SketchOptions) {
    const capacity = Math.max(16, opts.capacity);
    const words = nextPowerOfTwo(capacity) * 2;
    this.table = new Uint32Array(words);
    this.mask = words - 1;
    this.sampleSize = Math.max(10, Math.round((opts.sampleFactor ?? 10) * capacity));
    if (opts.doorkeeper) {
      const bits = nextPowerOfTwo(capacity * 8);
      this.door = new Uint32Array(bits / 32);
      this.doorMask = bits - 1;
    } else {
      this.door = null;
      this.doorMask = 0;
    }
  }

  /** Estimated recent frequency of `hash`, 0..15 (+1 with a doorkeeper). */
  frequency(hash: number): number {
    let min = 15;
    const h1 = mix(hash, SEEDS[0]);
    const h2 = mix(hash, SEEDS[1]) | 1;
    for (let i = 0; i < 4; i++) {
      const h = (h1 + Math.imul(i, h2)) >>> 0;
      const c = (this.table[(h >>> 3) & this.mask] >>> ((h & 7) << 2)) & 15;
      if (c < min) min = c;
    }
    if (this.door && this.doorHas(hash)) min++;
    return min;
  }

  increment(hash: number): void {
    if (this.door && !this.doorAdd(hash)) {
      this.tick();
      return;
    }
    // Conservative update: raise only the counters at the current minimum, which keeps
    // estimates of rare keys from being inflated by collisions with popular ones.
    let min = 15;
    const slots = this.scratch;
    const h1 = mix(hash, SEEDS[0]);
    const h2 = mix(hash, SEEDS[1]) | 1;
    for (let i = 0; i < 4; i++) {
      const h = (h1 + Math.imul(i, h2)) >>> 0;
      slots[i] = h;
      const c = (this.table[(h >>> 3) & this.mask] >>> ((h & 7) << 2)) & 15;
      if (c < min) min = c;
    }
    if (min < 15) {
      for (let i = 0; i < 4; i++) {
        const h = slots[i];
        const idx = (h >>> 3) & this.mask;
        const shift = (h & 7) << 2;
        if (((this.table[idx] >>> shift) & 15) === min) this.table[idx] += 1 << shift;
      }
    }
    this.tick();
  }

  /** Halves every counter and clears the doorkeeper. */
  halve(): void {
    const t = this.table;
    for (let i = 0; i < t.length; i++) t[i] = (t[i] >>> 1) & 0x77777777;
    this.door?.fill(0);
    this.additions = 0;
    this.resets++;
  }

  private tick(): void {
    if (++this.additions >= this.sampleSize) this.halve();
  }

  /** Sets the doorkeeper bits; true when the key had already been seen. */
  private doorAdd(hash: number): boolean {
    let seen = true;
    const door = this.door!;
    for (let i = 0; i < 2; i++) {
      const bit = mix(hash, SEEDS[3 - i] ^ 0x5bd1e995) & this.doorMask;
      const word = bit >>> 5;
      const m = 1 << (bit & 31);
      if ((door[word] & m) === 0) {
        seen = false;
        door[word] |= m;
      }
    }
    return seen;
  }

  private doorHas(hash: number): boolean {
    const door = this.door!;
    for (let i = 0; i < 2; i++) {
      const bit = mix(hash, SEEDS[3 - i] ^ 0x5bd1e995) & this.doorMask;
      if ((door[bit >>> 5] & (1 << (bit & 31))) === 0) return false;
    }
    return true;
  }
}
