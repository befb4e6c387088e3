/**
 * MapService served from this member's own store: the single-node implementation. The cluster
 * swaps in a routing implementation with the same contract.
 */
import { sameData } from '../store/entry.js';
import type { CacheMapApi, StoreApi } from '../store/types.js';
import { UnknownMapError, type Entry, type MapService } from './map-service.js';

/** Runs synchronous store work so that a throw becomes a rejection, as callers of a Promise API expect. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

export interface LocalMapServiceOptions {
  /**
   * Whether a name is accepted, without creating the map (e.g. `isMapAllowed` of the config).
   * With it, reads of a map never written answer "empty" instead of creating it, so arbitrary
   * names in reads leave no maps (or metric series) behind. Without it, every call opens the map.
   */
  isAllowed?: (name: string) => boolean;
}

export function createLocalMapService(
  store: StoreApi,
  { isAllowed }: LocalMapServiceOptions = {},
): MapService {
  /** The map, created on first use when the name is allowed (as a Hazelcast member does). */
  const open = (name: string): CacheMapApi => {
    const map = store.map(name);
    if (!map) throw new UnknownMapError(name);
    return map;
  };
  /** For reads and removals: the map if it exists; refused names still throw. */
  const existing = (name: string): CacheMapApi | undefined => {
    if (!isAllowed) return open(name);
    const map = store.getMap(name);
    if (map) return map;
    if (!isAllowed(name)) throw new UnknownMapError(name);
    return undefined;
  };

  return {
    get: (map, key) => settle(() => existing(map)?.get(key)),
    put: (map, key, value, opts) => settle(() => open(map).set(key, value, opts)),
    set: (map, key, value, opts) =>
      settle(() => {
        open(map).set(key, value, opts);
      }),
    putIfAbsent: (map, key, value, opts) => settle(() => open(map).setIfAbsent(key, value, opts)),
    remove: (map, key, origin) => settle(() => existing(map)?.delete(key, origin)),
    delete: (map, key, origin) => settle(() => existing(map)?.delete(key, origin) !== undefined),
    containsKey: (map, key) => settle(() => existing(map)?.has(key) ?? false),
    replace: (map, key, value, opts) => settle(() => existing(map)?.replace(key, value, opts)),
    replaceIfSame: (map, key, expected, value, opts) =>
      settle(() => existing(map)?.replaceIfSame(key, expected, value, opts) ?? false),
    removeIfSame: (map, key, expected, origin) =>
      settle(() => existing(map)?.deleteIfSame(key, expected, origin) ?? false),
    setTtl: (map, key, ttlMs, origin) =>
      settle(() => existing(map)?.setTtl(key, ttlMs, origin) ?? false),
    containsValue: (map, value) =>
      settle(() => {
        let found = false;
        existing(map)?.forEachLive((_k, v) => {
          found = sameData(v, value);
          return !found; // stop at the first match
        });
        return found;
      }),
    entrySet: (map) =>
      settle(() => {
        const out: Entry[] = [];
        existing(map)?.forEachLive((k, v) => void out.push([k, v]));
        return out;
      }),
    keySet: (map) =>
      settle(() => {
        const out: Buffer[] = [];
        existing(map)?.forEachLive((k) => void out.push(k));
        return out;
      }),
    values: (map) =>
      settle(() => {
        const out: Buffer[] = [];
        existing(map)?.forEachLive((_k, v) => void out.push(v));
        return out;
      }),
    getAll: (map, keys) =>
      settle(() => {
        const m = existing(map);
        const found: Entry[] = [];
        for (const key of keys) {
          const value = m?.get(key);
          if (value !== undefined) found.push([key, value]);
        }
        return found;
      }),
    putAll: (map, entries, opts) =>
      settle(() => {
        const m = open(map);
        for (const [key, value] of entries) m.set(key, value, opts);
      }),
    evict: (map, key, origin) => settle(() => existing(map)?.evict(key, origin) ?? false),
    evictAll: (map, origin) =>
      settle(() => {
        const m = existing(map);
        if (!m) return;
        // Copy the keys first: evicting while iterating the live entries would skip some.
        for (const key of [...m.entries()].map((e) => e.key)) m.evict(key, origin);
      }),
    clear: (map, origin) =>
      settle(() => {
        existing(map)?.clear(origin);
      }),
    size: (map) => settle(() => existing(map)?.size ?? 0),
    destroy: (map) =>
      settle(() => {
        if (existing(map)) store.destroyMap(map);
      }),
    // Everything here is in memory: the synchronous paths always answer.
    getSync: (map, key) => existing(map)?.get(key),
    setSync: (map, key, value, opts) => {
      open(map).set(key, value, opts);
      return true;
    },
  };
}
