/**
 * The store: named maps, change listeners, prefetch hints, maintenance timers and snapshots.
 */
import { CacheMap, type MapContext } from './cache-map.js';
import { PrefetchQueue } from './prefetch.js';
import type { TinyLfuOptions } from './policy/index.js';
import { recommend } from './recommendations.js';
import { realScheduler } from './scheduler.js';
import { loadSnapshot, saveSnapshot } from './snapshot.js';
import { TurnClock } from './turn-clock.js';
import {
  systemClock,
  type ChangeEvent,
  type Clock,
  type MapSettings,
  type PrefetchHint,
  type Recommendation,
  type Scheduler,
  type SnapshotResult,
  type StoreApi,
  type StoreOptions,
} from './types.js';

/** Pending prefetch hints kept at most (across maps). */
export const PREFETCH_QUEUE_CAPACITY = 10_000;
/** Longest accepted map name (as the config schema allows for declared maps). */
const MAX_MAP_NAME = 128;

export interface StoreInternals {
  /** W-TinyLFU tuning (benchmarks and tests); defaults are the measured best. */
  tinyLfu?: TinyLfuOptions;
  prefetchCapacity?: number;
}

export class Store implements StoreApi {
  private readonly maps = new Map<string, CacheMap>();
  private readonly declared: Map<string, MapSettings>;
  private readonly listeners = new Set<(event: ChangeEvent) => void>();
  private readonly prefetch: PrefetchQueue;
  private readonly clock: Clock;
  private readonly scheduler: Scheduler;
  private timers: { cancel(): void }[] = [];
  private readonly ctx: Omit<MapContext, 'emit'> & { emit: (e: ChangeEvent) => void };

  constructor(
    private readonly opts: StoreOptions,
    internals: StoreInternals = {},
  ) {
    // The real clock is read once per synchronous turn (turn-clock.ts); injected clocks exactly.
    this.clock =
      opts.clock === undefined || opts.clock === systemClock ? new TurnClock() : opts.clock;
    this.scheduler = opts.scheduler ?? realScheduler;
    this.declared = new Map(opts.maps.map((m) => [m.name, m]));
    this.prefetch = new PrefetchQueue(internals.prefetchCapacity ?? PREFETCH_QUEUE_CAPACITY);
    this.ctx = {
      clock: this.clock,
      partitionCount: opts.partitionCount,
      emit: (e) => this.emit(e),
      listening: () => this.listeners.size > 0,
      hotKeys: opts.hotKeys,
      stats: {
        windowSeconds: opts.maintenance.statsWindowSeconds,
        buckets: opts.maintenance.statsBuckets,
      },
    };
    if (internals.tinyLfu) this.ctx.tinyLfu = internals.tinyLfu;
    for (const m of opts.maps) this.maps.set(m.name, new CacheMap(m, this.ctx));
  }

  map(name: string): CacheMap | undefined {
    const existing = this.maps.get(name);
    if (existing) return existing;
    const settings = this.settingsFor(name);
    if (!settings) return undefined;
    const created = new CacheMap(settings, this.ctx);
    this.maps.set(name, created);
    return created;
  }

  getMap(name: string): CacheMap | undefined {
    return this.maps.get(name);
  }

  mapNames(): string[] {
    return [...this.maps.keys()];
  }

  destroyMap(name: string): boolean {
    const m = this.maps.get(name);
    if (!m) return false;
    this.maps.delete(name);
    this.prefetch.dropMap(name);
    m.clear();
    // A declared map comes back empty with its declared settings on next use.
    if (this.declared.has(name))
      this.maps.set(name, new CacheMap(this.declared.get(name)!, this.ctx));
    return true;
  }

  onChange(listener: (event: ChangeEvent) => void): () => void {
    // Wrapped so the same function can subscribe twice and unsubscribe independently.
    const wrapped = (e: ChangeEvent) => listener(e);
    this.listeners.add(wrapped);
    return () => {
      this.listeners.delete(wrapped);
    };
  }

  recommendations(): Recommendation[] {
    return [...this.maps.values()].flatMap((m) => recommend(m.stats()));
  }

  recordPrefetch(map: string, keys: Buffer[]): number {
    const m = this.map(map);
    if (!m) return 0;
    const now = this.clock.now();
    let accepted = 0;
    for (const key of keys) {
      // Keys already cached need no loading.
      if (m.has(key)) continue;
      if (this.prefetch.offer(map, key, now)) accepted++;
    }
    return accepted;
  }

  takePrefetch(max: number): PrefetchHint[] {
    return this.prefetch.take(max);
  }

  /** Pending prefetch hints. */
  get prefetchPending(): number {
    return this.prefetch.size;
  }

  start(): void {
    if (this.timers.length > 0) return;
    const m = this.opts.maintenance;
    this.timers.push(
      this.scheduler.setInterval(() => this.sweepExpired(), m.expirySweepIntervalSeconds * 1000),
    );
    if (m.sketchAgingIntervalSeconds > 0) {
      this.timers.push(
        this.scheduler.setInterval(() => {
          for (const map of this.maps.values()) map.age();
        }, m.sketchAgingIntervalSeconds * 1000),
      );
    }
  }

  stop(): void {
    for (const t of this.timers) t.cancel();
    this.timers = [];
  }

  /** Expires every due entry in every map; returns how many. */
  sweepExpired(): number {
    let n = 0;
    for (const map of this.maps.values()) n += map.sweep();
    return n;
  }

  saveSnapshot(path: string): Promise<SnapshotResult> {
    return saveSnapshot(this, path);
  }

  loadSnapshot(path: string): Promise<SnapshotResult> {
    return loadSnapshot(this, path, this.opts.partitionCount);
  }

  private settingsFor(name: string): MapSettings | undefined {
    const declared = this.declared.get(name);
    if (declared) return declared;
    if (name.length === 0 || name.length > MAX_MAP_NAME) return undefined;
    if (this.opts.maps.length > 0 && this.opts.undeclaredMaps !== 'allow') return undefined;
    return { ...this.opts.defaultMap, name };
  }

  private emit(event: ChangeEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        // A failing subscriber must not undo or block a change that is already applied, nor
        // starve the other subscribers; make it visible instead.
        process.emitWarning(`store change listener failed: ${(err as Error).message}`);
      }
    }
  }
}
