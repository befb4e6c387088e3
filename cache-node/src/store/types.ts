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
}

/** Why an entry left (or changed in) a map: drives invalidations, listeners and metrics. */
export type ChangeKind = 'put' | 'remove' | 'evict' | 'expire' | 'clear';

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
  /** Returns the removed value. */
  delete(key: Buffer): Buffer | undefined;
  /** Removes like delete but counts as an eviction (IMap.evict). */
  evict(key: Buffer): boolean;
  /** Removes every entry; returns how many. */
  clear(): number;
  readonly size: number;
  readonly bytes: number;
  entries(): IterableIterator<EntrySnapshot>;
  /** Writes an entry as it was (snapshot load, migration, backup): no stats, no policy admission test. */
  restore(entry: EntrySnapshot): void;
  stats(): MapStats;
  hotKeys(limit?: number): HotKey[];
  /** Live settings change (limits, policy, TTLs); shrinking evicts down to the new limits. */
  updateSettings(settings: Partial<Omit<MapSettings, 'name'>>): void;
}
