/**
 * What the front ends (HTTP API, Hazelcast protocol server) call to read and write maps. A single
 * node serves it from its own store (local-map-service.ts); the cluster replaces it with an
 * implementation that routes each key to its partition owner and replicates to backups, without
 * the front ends changing.
 */
import type { WriteOptions } from '../store/types.js';

export type Entry = [key: Buffer, value: Buffer];

/**
 * Returned by `getSync` when this call cannot be answered without I/O (e.g. a clustered member
 * that does not own the key, or a partition in migration): the caller uses `get` instead.
 */
export const SYNC_UNAVAILABLE: unique symbol = Symbol('MapService.syncUnavailable');

export interface MapService {
  get(map: string, key: Buffer): Promise<Buffer | undefined>;
  /** Returns the previous value. */
  put(map: string, key: Buffer, value: Buffer, opts?: WriteOptions): Promise<Buffer | undefined>;
  set(map: string, key: Buffer, value: Buffer, opts?: WriteOptions): Promise<void>;
  /** Returns the existing value when there was one (nothing written then). */
  putIfAbsent(
    map: string,
    key: Buffer,
    value: Buffer,
    opts?: WriteOptions,
  ): Promise<Buffer | undefined>;
  /** Returns the removed value. */
  remove(map: string, key: Buffer, origin?: string): Promise<Buffer | undefined>;
  /** Returns whether something was removed. */
  delete(map: string, key: Buffer, origin?: string): Promise<boolean>;
  containsKey(map: string, key: Buffer): Promise<boolean>;
  /** Writes only when the key is present; returns the replaced value (undefined = nothing written). */
  replace(
    map: string,
    key: Buffer,
    value: Buffer,
    opts?: WriteOptions,
  ): Promise<Buffer | undefined>;
  /** Writes only when the current value equals `expected` (type and payload); returns whether it did. */
  replaceIfSame(
    map: string,
    key: Buffer,
    expected: Buffer,
    value: Buffer,
    opts?: WriteOptions,
  ): Promise<boolean>;
  /** Removes only when the current value equals `expected`; returns whether it did. */
  removeIfSame(map: string, key: Buffer, expected: Buffer, origin?: string): Promise<boolean>;
  /** New TTL from now for a present key (0 = never, undefined = map default); whether it was there. */
  setTtl(map: string, key: Buffer, ttlMs: number | undefined, origin?: string): Promise<boolean>;
  /** Whether any entry has this value (type and payload compared). */
  containsValue(map: string, value: Buffer): Promise<boolean>;
  /** Every entry, once (keys echoed as stored); order unspecified. */
  entrySet(map: string): Promise<Entry[]>;
  /** Every key, once; order unspecified. */
  keySet(map: string): Promise<Buffer[]>;
  /** Every value (one per entry); order unspecified. */
  values(map: string): Promise<Buffer[]>;
  /** Entries found, keys echoed exactly as stored. */
  getAll(map: string, keys: Buffer[]): Promise<Entry[]>;
  putAll(map: string, entries: Entry[], opts?: WriteOptions): Promise<void>;
  evict(map: string, key: Buffer, origin?: string): Promise<boolean>;
  evictAll(map: string, origin?: string): Promise<void>;
  clear(map: string, origin?: string): Promise<void>;
  size(map: string): Promise<number>;
  destroy(map: string, origin?: string): Promise<void>;
  /**
   * Optional synchronous fast paths for an implementation that can serve a call from memory.
   * A front end calls them when present (saving the promise hops of the async methods, which
   * dominate a cached read) and falls back to `get` / `set` on SYNC_UNAVAILABLE (`getSync`) or
   * false (`setSync`). Same semantics and errors (thrown) as `get` and `set`.
   */
  getSync?(map: string, key: Buffer): Buffer | undefined | typeof SYNC_UNAVAILABLE;
  /** Returns false, writing nothing, when the write needs I/O (replication): use `set`. */
  setSync?(map: string, key: Buffer, value: Buffer, opts?: WriteOptions): boolean;
}

/** The map name is refused (maps are declared and this one is not). */
export class UnknownMapError extends Error {
  override readonly name = 'UnknownMapError';
  constructor(readonly map: string) {
    super(`unknown map "${map}": maps are declared in the configuration and this one is not`);
  }
}
