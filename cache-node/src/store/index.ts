/**
 * The cache-node store: named maps of serialized keys and values with byte-accounted limits,
 * W-TinyLFU / LRU / LFU eviction, TTL and max-idle expiry, hot keys, windowed statistics and
 * recommendations, change events, prefetch hints and snapshots. See docs/store.md.
 */
import { Store, type StoreInternals } from './store.js';
import type { StoreApi, StoreOptions } from './types.js';

export * from './types.js';
export { ENTRY_OVERHEAD_BYTES, keyIdentity, sameData } from './entry.js';
export { THRESHOLDS as RECOMMENDATION_THRESHOLDS, recommend } from './recommendations.js';
export { SNAPSHOT_VERSION } from './snapshot.js';
export { realScheduler } from './scheduler.js';
export { PREFETCH_QUEUE_CAPACITY, Store, type StoreInternals } from './store.js';

export function createStore(opts: StoreOptions, internals?: StoreInternals): StoreApi {
  return new Store(opts, internals);
}
