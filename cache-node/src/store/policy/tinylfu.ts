/**
 * W-TinyLFU (Einziger, Friedman and Manes, ACM ToS 2017), as Caffeine implements it:
 *
 * - a small LRU admission window (1% of capacity to start) takes every new entry, so bursts of
 *   recency get a chance;
 * - the main region is a segmented LRU: probation (~20%) and protected (~80%); a hit in probation
 *   promotes, protected overflow is demoted back to probation;
 * - an entry leaving the window is a candidate: it enters probation only if the frequency sketch
 *   says it is more popular than probation's LRU victim (ties go to the victim; a warm candidate
 *   is admitted with a small random chance so an attacker cannot pin a victim by flooding
 *   collisions, as in Caffeine);
 * - a hill climber resizes the window from the hit rate of successive samples (Caffeine's
 *   "simple" climber), which moves the policy towards LRU on recency-biased workloads and towards
 *   LFU on frequency-biased ones.
 */
import { FrequencySketch } from './sketch.js';
import { NodeList } from './list.js';
import { MiniSimTuner, type TunerOptions } from './window-tuner.js';
import type { EvictionPolicy, PolicyNode } from './types.js';

const WINDOW = 1;
const PROBATION = 2;
const PROTECTED = 3;

export interface TinyLfuOptions {
  /** Initial share of the capacity given to the admission window. */
  windowFraction?: number;
  /** Share of the main region that is protected. */
  protectedFraction?: number;
  /**
   * How the window is resized: 'minisim' (simulate a few window shares on a key sample and adopt
   * the best; window-tuner.ts), 'hill' (Caffeine's simple hill climber on the hit rate), 'none'.
   */
  adaptation?: 'minisim' | 'hill' | 'none';
  /** Hill climber: first step as a share of capacity; reset to it on a large hit-rate change. */
  stepFraction?: number;
  /** Hill climber: step decay per sample while the hit rate is stable. */
  stepDecay?: number;
  /** Hill climber: hit-rate change that restarts the step at its initial size. */
  restartThreshold?: number;
  /** Hill climber: accesses per sample, as a multiple of capacity. */
  sampleFactor?: number;
  /** Window never grows beyond this share of capacity. */
  maxWindowFraction?: number;
  /** Sketch options. */
  sketchSampleFactor?: number;
  doorkeeper?: boolean;
  /** Window tuner settings ('minisim'). */
  tuner?: TunerOptions;
  /** Use this sketch instead of an own one (mini caches of the window tuner share one). */
  sketch?: FrequencySketch;
  /** Whether hits and misses increment the sketch (false when its owner feeds it). */
  recordFrequency?: boolean;
  /** Source of randomness for the hash-flooding guard (deterministic by default). */
  random?: () => number;
}

/** Deterministic xorshift32 in [0, 2^32). */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** Candidates at or above this estimated frequency can win a tie by chance (Caffeine's value). */
const FLOOD_GUARD_FREQUENCY = 6;

/** The admission rule on its own, for testing. */
export function admits(candidateFreq: number, victimFreq: number, random: number): boolean {
  if (candidateFreq > victimFreq) return true;
  if (candidateFreq >= FLOOD_GUARD_FREQUENCY) return (random & 127) === 0;
  return false;
}

export class TinyLfuPolicy implements EvictionPolicy {
  readonly name = 'tinylfu' as const;
  readonly usesMisses = true;
  private readonly window = new NodeList(WINDOW);
  private readonly probation = new NodeList(PROBATION);
  private readonly protectedList = new NodeList(PROTECTED);
  private sketch: FrequencySketch;
  private capacity: number;
  /** Current window size target (entries; fractional while climbing). */
  private windowTarget: number;
  /** The entry most recently moved from the window to probation, not yet tested for admission. */
  private pending: PolicyNode | null = null;
  private readonly random: () => number;
  private readonly o: Required<Omit<TinyLfuOptions, 'random' | 'sketch' | 'tuner'>>;
  private readonly tunerOptions: TunerOptions | undefined;
  private readonly sharedSketch: FrequencySketch | undefined;
  private tuner: MiniSimTuner | undefined;
  // Hill climber state.
  private hitsInSample = 0;
  private missesInSample = 0;
  private previousHitRate = 0;
  private step: number;

  constructor(capacity: number, options: TinyLfuOptions = {}) {
    this.o = {
      windowFraction: options.windowFraction ?? 0.01,
      protectedFraction: options.protectedFraction ?? 0.8,
      adaptation: options.adaptation ?? 'minisim',
      stepFraction: options.stepFraction ?? 0.0625,
      stepDecay: options.stepDecay ?? 0.98,
      restartThreshold: options.restartThreshold ?? 0.05,
      sampleFactor: options.sampleFactor ?? 10,
      maxWindowFraction: options.maxWindowFraction ?? 0.8,
      sketchSampleFactor: options.sketchSampleFactor ?? 10,
      doorkeeper: options.doorkeeper ?? false,
      recordFrequency: options.recordFrequency ?? true,
    };
    this.sharedSketch = options.sketch;
    this.tunerOptions = options.tuner;
    this.random = options.random ?? xorshift(0x2545f491);
    this.capacity = Math.max(1, capacity);
    this.sketch = this.newSketch();
    this.windowTarget = this.o.windowFraction * this.capacity;
    this.step = this.o.stepFraction * this.capacity;
    this.tuner = this.newTuner();
  }

  get size(): number {
    return this.window.size + this.probation.size + this.protectedList.size;
  }

  /** For tests and metrics. */
  get regions(): { window: number; probation: number; protected: number; windowTarget: number } {
    return {
      window: this.window.size,
      probation: this.probation.size,
      protected: this.protectedList.size,
      windowTarget: this.windowLimit(),
    };
  }

  frequency(hash: number): number {
    return this.sketch.frequency(hash);
  }

  onHit(node: PolicyNode): void {
    if (this.o.recordFrequency) this.sketch.increment(node.hash);
    this.reorder(node);
    this.adapt(node.hash, true);
  }

  onMiss(hash: number): void {
    if (this.o.recordFrequency) this.sketch.increment(hash);
    this.adapt(hash, false);
  }

  onAdd(node: PolicyNode): void {
    this.window.push(node);
    if (this.window.size > this.windowLimit()) {
      // Caffeine's evictFromWindow: the overflow becomes an admission candidate in probation.
      const moved = this.window.shift()!;
      this.probation.push(moved);
      this.pending = moved;
    }
  }

  onUpdate(node: PolicyNode): void {
    this.reorder(node);
  }

  onRemove(node: PolicyNode): void {
    if (node === this.pending) this.pending = null;
    const list = this.listOf(node.region);
    if (list) list.unlink(node);
  }

  evict(): PolicyNode | undefined {
    const pending = this.pending;
    this.pending = null;
    if (pending && pending.region === PROBATION && pending !== this.probation.head) {
      return this.duel(pending, this.probation.head!);
    }
    if (this.window.size > this.windowLimit()) {
      const victim = this.probation.head ?? this.protectedList.head;
      if (victim) return this.duel(this.window.head!, victim);
    }
    const victim = this.probation.head ?? this.protectedList.head ?? this.window.head;
    if (!victim) return undefined;
    this.onRemove(victim);
    return victim;
  }

  age(): void {
    this.sketch.halve();
  }

  setCapacity(entries: number): void {
    const capacity = Math.max(1, Math.round(entries));
    if (capacity === this.capacity) return;
    const ratio = capacity / this.capacity;
    this.capacity = capacity;
    this.windowTarget *= ratio;
    this.step = this.o.stepFraction * capacity;
    this.sketch = this.newSketch();
    this.tuner = this.newTuner();
  }

  clear(): void {
    this.window.clear();
    this.probation.clear();
    this.protectedList.clear();
    this.pending = null;
    this.sketch = this.newSketch();
  }

  private newTuner(): MiniSimTuner | undefined {
    return this.o.adaptation === 'minisim'
      ? new MiniSimTuner(this.capacity, this.tunerOptions)
      : undefined;
  }

  private newSketch(): FrequencySketch {
    if (this.sharedSketch) return this.sharedSketch;
    return new FrequencySketch({
      capacity: this.capacity,
      sampleFactor: this.o.sketchSampleFactor,
      doorkeeper: this.o.doorkeeper,
    });
  }

  private windowLimit(): number {
    return Math.max(1, Math.floor(this.windowTarget));
  }

  private listOf(region: number): NodeList | undefined {
    if (region === WINDOW) return this.window;
    if (region === PROBATION) return this.probation;
    if (region === PROTECTED) return this.protectedList;
    return undefined;
  }

  private reorder(node: PolicyNode): void {
    switch (node.region) {
      case WINDOW:
        this.window.touch(node);
        break;
      case PROBATION: {
        this.probation.unlink(node);
        if (node === this.pending) this.pending = null;
        this.protectedList.push(node);
        // Demote protected overflow, at most two per promotion: when the window grows, the
        // protected share shrinks gradually instead of in one O(capacity) step.
        const protectedMax = this.o.protectedFraction * (this.capacity - this.windowLimit());
        for (let i = 0; i < 2 && this.protectedList.size > Math.max(1, protectedMax); i++) {
          this.probation.push(this.protectedList.shift()!);
        }
        break;
      }
      case PROTECTED:
        this.protectedList.touch(node);
        break;
    }
  }

  /** Evicts the loser of candidate vs victim; a winning window candidate moves to probation. */
  private duel(candidate: PolicyNode, victim: PolicyNode): PolicyNode {
    const win = admits(
      this.sketch.frequency(candidate.hash),
      this.sketch.frequency(victim.hash),
      this.random(),
    );
    const loser = win ? victim : candidate;
    this.onRemove(loser);
    if (win && candidate.region === WINDOW) {
      this.window.unlink(candidate);
      this.probation.push(candidate);
    }
    return loser;
  }

  private adapt(hash: number, hit: boolean): void {
    if (this.tuner) {
      const share = this.tuner.access(hash);
      if (share !== undefined) this.windowTarget = share * this.capacity;
    } else if (this.o.adaptation === 'hill') {
      if (hit) this.hitsInSample++;
      else this.missesInSample++;
      this.climb();
    }
  }

  /** Caffeine's simple hill climber: step the window in the direction that raised the hit rate. */
  private climb(): void {
    const samples = this.hitsInSample + this.missesInSample;
    if (samples < this.o.sampleFactor * this.capacity) return;
    const hitRate = this.hitsInSample / samples;
    const change = hitRate - this.previousHitRate;
    const amount = change >= 0 ? this.step : -this.step;
    const initial = this.o.stepFraction * this.capacity;
    this.step =
      Math.abs(change) >= this.o.restartThreshold
        ? amount >= 0
          ? initial
          : -initial
        : this.o.stepDecay * amount;
    this.previousHitRate = hitRate;
    this.hitsInSample = this.missesInSample = 0;
    const max = this.o.maxWindowFraction * this.capacity;
    this.windowTarget = Math.min(max, Math.max(1, this.windowTarget + amount));
  }
}
