/**
 * MapService served from this member's own store: the single-node implementation. The cluster
 * swaps in a routing implementation with the same contract.
 */
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

export function createLocalMapService(store: StoreApi): MapService {
  /** The map, created on first use when the name is allowed (as a Hazelcast member does). */
  const open = (name: string): CacheMapApi => {
    const map = store.map(name);
    if (!map) throw new UnknownMapError(name);
    return map;
  };

  return {
    get: (map, key) => settle(() => open(map).get(key)),
    put: (map, key, value, opts) => settle(() => open(map).set(key, value, opts)),
    set: (map, key, value, opts) =>
      settle(() => {
        open(map).set(key, value, opts);
      }),
    putIfAbsent: (map, key, value, opts) => settle(() => open(map).setIfAbsent(key, value, opts)),
    remove: (map, key, origin) => settle(() => open(map).delete(key, origin)),
    delete: (map, key, origin) => settle(() => open(map).delete(key, origin) !== undefined),
    containsKey: (map, key) => settle(() => open(map).has(key)),
    getAll: (map, keys) =>
      settle(() => {
        const m = open(map);
        const found: Entry[] = [];
        for (const key of keys) {
          const value = m.get(key);
          if (value !== undefined) found.push([key, value]);
        }
        return found;
      }),
    putAll: (map, entries, opts) =>
      settle(() => {
        const m = open(map);
        for (const [key, value] of entries) m.set(key, value, opts);
      }),
    evict: (map, key, origin) => settle(() => open(map).evict(key, origin)),
    evictAll: (map, origin) =>
      settle(() => {
        const m = open(map);
        // Copy the keys first: evicting while iterating the live entries would skip some.
        for (const key of [...m.entries()].map((e) => e.key)) m.evict(key, origin);
      }),
    clear: (map, origin) =>
      settle(() => {
        open(map).clear(origin);
      }),
    size: (map) => settle(() => open(map).size),
    destroy: (map) =>
      settle(() => {
        open(map);
        store.destroyMap(map);
      }),
  };
}
