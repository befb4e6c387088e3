/**
 * The store's public contract. HTTP, the protocol server and the cluster code against these
 * types only; the implementation lives beside this file.
 *
 * Keys and values are serialized Hazelcast Data (see ../data): the store treats them as bytes.
 * Key identity ignores the 4-byte partition-hash header (bytes from offset 4 are compared), as
 * the Java member does; the original key bytes are kept and returned unchanged.
 */
import type { EvictionPolicyName } from '../config/schema.js';

/** Milliseconds since the epoch; injected so tests control time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Timers, injected for the same reason as the clock. */
export interface Scheduler {
  setInterval(fn: () => void, ms: number): { cancel(): void };
}

export interface MapSettings {
  name: string;
  maxEntries?: number;
  maxSizeBytes?: number;
  eviction: EvictionPolicyName;
  ttlSeconds: number;
  maxIdleSeconds: number;
}

export interface WriteOptions {
  /** Overrides the map TTL for this entry; 0 = never expires, undefined = map default. */
  ttlMs?: number;
  /** Overrides the map max-idle for this entry; 0 = none, undefined = map default. */
  maxIdleMs?: number;
  /** Who caused the change (a client or member UUID); copied into the ChangeEvent. */
  origin?: string;
}

/**
 * Why an entry left (or changed in) a map: drives invalidations, listeners and metrics. 'ttl':
 * only the entry's expiry changed (IMap.setTtl): near caches are invalidated, entry listeners
 * are not told (as on a Hazelcast member).
 */
export type ChangeKind = 'put' | 'remove' | 'evict' | 'expire' | 'clear' | 'ttl';

export interface ChangeEvent {
  map: string;
  kind: ChangeKind;
  /** undefined for 'clear' (the whole map). */
  key?: Buffer;
  /** partition of `key`; undefined for 'clear'. */
  partitionId?: number;
  /** New value for 'put'. */
  value?: Buffer;
  /** Previous value, when there was one. */
  oldValue?: Buffer;
  /** WriteOptions.origin of the write that caused it (also accepted by delete/evict/clear). */
  origin?: string;
}

export interface EntrySnapshot {
  key: Buffer;
  value: Buffer;
  partitionId: number;
  /** Absolute expiry time (ms) or 0. */
  expiresAt: number;
  maxIdleMs: number;
  lastAccessAt: number;
  createdAt: number;
  updatedAt: number;
}

export interface MapStats {
  map: string;
  windowSeconds: number;
  hits: number;
  misses: number;
  /** hits / (hits + misses); null when there were no reads in the window. */
  hitRatio: number | null;
  puts: number;
  removals: number;
  evictions: number;
  expirations: number;
  /** Current values (not windowed). */
  entries: number;
  bytes: number;
  averageEntryBytes: number;
  maxEntries: number | null;
  maxSizeBytes: number | null;
  eviction: EvictionPolicyName;
}

export interface HotKey {
  key: Buffer;
  /** Decayed read count. */
  score: number;
}

export interface Recommendation {
  map: string;
  /** Stable identifier, e.g. 'raise-max-entries'. */
  id: string;
  severity: 'info' | 'warning';
  message: string;
  /** The numbers that triggered it. */
  evidence: Record<string, number | null>;
}

/** Thrown when a write cannot be accepted (eviction "none" and full, value over the byte limit). */
export class CapacityError extends Error {
  override readonly name = 'CapacityError';
}

export interface CacheMapApi {
  readonly name: string;
  readonly settings: Readonly<MapSettings>;
  /** Read; counts a hit or miss, refreshes idle time, feeds the policy and hot keys. */
  get(key: Buffer): Buffer | undefined;
  /** Read without side effects (no stats, no policy update). */
  peek(key: Buffer): Buffer | undefined;
  has(key: Buffer): boolean;
  /** Returns the previous value. */
  set(key: Buffer, value: Buffer, opts?: WriteOptions): Buffer | undefined;
  /** Stores only when absent; returns the existing value if there was one. */
  setIfAbsent(key: Buffer, value: Buffer, opts?: WriteOptions): Buffer | undefined;
  /** Stores only when present (IMap.replace); returns the replaced value, undefined = nothing written. */
  replace(key: Buffer, value: Buffer, opts?: WriteOptions): Buffer | undefined;
  /**
   * Stores only when the current value equals `expected` (sameData); returns whether it did.
   * Compare and write happen in one synchronous step, so no other write can come between.
   */
  replaceIfSame(key: Buffer, expected: Buffer, value: Buffer, opts?: WriteOptions): boolean;
  /** Removes only when the current value equals `expected` (sameData); returns whether it did. */
  deleteIfSame(key: Buffer, expected: Buffer, origin?: string): boolean;
  /**
   * New time to live for a live entry, from now (IMap.setTtl): 0 = never expires, undefined =
   * the map default. The value is unchanged; emits a 'ttl' change. Returns whether the key was there.
   */
  setTtl(key: Buffer, ttlMs: number | undefined, origin?: string): boolean;
  /** The live entry with its metadata, without side effects (like peek). */
  peekEntry(key: Buffer): EntrySnapshot | undefined;
  /** Returns the removed value. */
  delete(key: Buffer, origin?: string): Buffer | undefined;
  /** Removes like delete but counts as an eviction (IMap.evict). */
  evict(key: Buffer, origin?: string): boolean;
  /** Removes every entry; returns how many. */
  clear(origin?: string): number;
  readonly size: number;
  readonly bytes: number;
  entries(): IterableIterator<EntrySnapshot>;
  /**
   * Every live entry in no particular order, without copies or side effects (map-wide reads:
   * keySet, values, containsValue); stops when `visit` returns false. `visit` must not write the map.
   */
  forEachLive(visit: (key: Buffer, value: Buffer, partitionId: number) => boolean | void): void;
  /** Writes an entry as it was (snapshot load, migration, backup): no stats, no policy admission test. */
  restore(entry: EntrySnapshot): void;
  stats(): MapStats;
  totals(): MapTotals;
  hotKeys(limit?: number): HotKey[];
  /** Live settings change (limits, policy, TTLs); shrinking evicts down to the new limits. */
  updateSettings(settings: Partial<Omit<MapSettings, 'name'>>): void;
}

/** Cumulative counters since the map was created (monotonic; for Prometheus counters). */
export interface MapTotals {
  hits: number;
  misses: number;
  puts: number;
  removals: number;
  evictions: number;
  expirations: number;
}

export interface StoreOptions {
  clock?: Clock;
  scheduler?: Scheduler;
  partitionCount: number;
  /** Declared maps. */
  maps: MapSettings[];
  /** Settings for undeclared maps. */
  defaultMap: Omit<MapSettings, 'name'>;
  /** Only consulted when `maps` is not empty. */
  undeclaredMaps: 'reject' | 'allow';
  hotKeys: { topK: number; halfLifeSeconds: number };
  maintenance: {
    expirySweepIntervalSeconds: number;
    sketchAgingIntervalSeconds: number;
    statsWindowSeconds: number;
    statsBuckets: number;
  };
}

export interface PrefetchHint {
  map: string;
  key: Buffer;
  requestedAt: number;
}

export interface SnapshotResult {
  ok: boolean;
  maps: number;
  entries: number;
  /** Why the snapshot was skipped (missing, corrupt, wrong version), when !ok. */
  reason?: string;
}

export interface StoreApi {
  /** The named map, created with default settings when allowed; undefined when the name is refused. */
  map(name: string): CacheMapApi | undefined;
  /** An existing map only. */
  getMap(name: string): CacheMapApi | undefined;
  mapNames(): string[];
  /** Removes a map and its entries (emits a 'clear' change). */
  destroyMap(name: string): boolean;
  /** Subscribe to every change (put/remove/evict/expire/clear); returns an unsubscribe function. */
  onChange(listener: (event: ChangeEvent) => void): () => void;
  recommendations(): Recommendation[];
  /** Record keys a caller will need soon; bounded queue, duplicates coalesced; returns how many were accepted. */
  recordPrefetch(map: string, keys: Buffer[]): number;
  /** Take up to `max` pending hints (for a loader or the owning peer to fill). */
  takePrefetch(max: number): PrefetchHint[];
  /** Start maintenance timers (expiry sweep, sketch aging, stats windows). */
  start(): void;
  /** Stop every timer; idempotent. */
  stop(): void;
  saveSnapshot(path: string): Promise<SnapshotResult>;
  /** Never throws for a bad file: a corrupt, truncated or wrong-version snapshot is reported and skipped. */
  loadSnapshot(path: string): Promise<SnapshotResult>;
}
