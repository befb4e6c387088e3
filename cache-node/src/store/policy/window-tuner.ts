/**
 * Sizes W-TinyLFU's admission window by simulation ("mini-sim", after Caffeine's simulator): a
 * sample of the key space (by hash) is replayed through a few small W-TinyLFU caches that differ
 * only in their window share; every period the real cache adopts the share of the mini cache
 * that hit most (scores decay, so the choice follows workload shifts). The workload's own
 * behaviour decides between recency (large window) and frequency (small window), instead of a
 * hill climber reacting to hit-rate noise.
 *
 * Cost: a sampled access (1 in 2^shift) costs one sketch update and one lookup per mini cache;
 * the sample rate falls as capacity grows so each mini cache holds ≥ MIN_MINI_CAPACITY entries.
 * The mini caches share one frequency sketch, since frequency does not depend on the window.
 */
import { FrequencySketch } from './sketch.js';
import { TinyLfuPolicy } from './tinylfu.js';
import type { PolicyNode } from './types.js';

export const MINI_WINDOW_FRACTIONS = [0.01, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6] as const;
const MIN_MINI_CAPACITY = 128;
const MAX_SAMPLE_SHIFT = 6;

interface MiniNode extends PolicyNode {
  hash: number;
}

class MiniCache {
  readonly policy: TinyLfuPolicy;
  private readonly nodes = new Map<number, MiniNode>();
  hits = 0;
  score = 0;

  constructor(
    readonly fraction: number,
    private readonly capacity: number,
    sketch: FrequencySketch,
  ) {
    this.policy = new TinyLfuPolicy(capacity, {
      windowFraction: fraction,
      adaptation: 'none',
      sketch,
      recordFrequency: false,
    });
  }

  access(hash: number): void {
    const node = this.nodes.get(hash);
    if (node) {
      this.hits++;
      this.policy.onHit(node);
      return;
    }
    const fresh: MiniNode = { hash, prev: null, next: null, region: 0, bucket: null };
    this.nodes.set(hash, fresh);
    this.policy.onAdd(fresh);
    while (this.nodes.size > this.capacity) {
      const victim = this.policy.evict() as MiniNode;
      this.nodes.delete(victim.hash);
    }
  }
}

export interface TunerOptions {
  /** Sampled accesses between decisions, as a multiple of the mini capacity. */
  periodFactor?: number;
  /** Weight kept by past scores at each decision (0 = only the last period counts). */
  scoreDecay?: number;
  /** Entries per mini cache at least (sets the sample rate). */
  minMiniCapacity?: number;
  fractions?: readonly number[];
}

export class MiniSimTuner {
  private readonly minis: MiniCache[];
  private readonly sketch: FrequencySketch;
  private readonly mask: number;
  private readonly period: number;
  private readonly decay: number;
  private seen = 0;

  constructor(capacity: number, opts: TunerOptions = {}) {
    const shift = Math.min(
      MAX_SAMPLE_SHIFT,
      Math.max(0, Math.floor(Math.log2(capacity / (opts.minMiniCapacity ?? MIN_MINI_CAPACITY)))),
    );
    this.mask = (1 << shift) - 1;
    const miniCapacity = Math.max(1, Math.round(capacity / (1 << shift)));
    this.sketch = new FrequencySketch({ capacity: miniCapacity });
    this.minis = (opts.fractions ?? MINI_WINDOW_FRACTIONS).map(
      (f) => new MiniCache(f, miniCapacity, this.sketch),
    );
    this.period = Math.round((opts.periodFactor ?? 10) * miniCapacity);
    this.decay = opts.scoreDecay ?? 0.9;
  }

  /** Feeds one access; returns a new window share when a decision is due, else undefined. */
  access(hash: number): number | undefined {
    // Sample by a hash bit pattern independent of the sketch rows' mixing.
    if (((Math.imul(hash, 0x2c1b3c6d) >>> 26) & this.mask) !== 0) return undefined;
    this.sketch.increment(hash);
    for (const m of this.minis) m.access(hash);
    if (++this.seen < this.period) return undefined;
    this.seen = 0;
    let best = this.minis[0];
    for (const m of this.minis) {
      m.score = m.score * this.decay + m.hits;
      m.hits = 0;
      if (m.score > best.score) best = m;
    }
    return best.fraction;
  }
}
