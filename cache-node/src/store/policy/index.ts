import type { EvictionPolicyName } from '../../config/schema.js';
import { LfuPolicy } from './lfu.js';
import { LruPolicy, NoEvictionPolicy } from './lru.js';
import { TinyLfuPolicy, type TinyLfuOptions } from './tinylfu.js';
import type { EvictionPolicy } from './types.js';

export type { EvictionPolicy, PolicyNode } from './types.js';
export { LfuPolicy, LruPolicy, NoEvictionPolicy, TinyLfuPolicy };
export type { TinyLfuOptions };

/** The policy for a map; `capacity` is the expected number of entries (sizes the sketch). */
export function createPolicy(
  name: EvictionPolicyName,
  capacity: number,
  tinyLfu?: TinyLfuOptions,
): EvictionPolicy {
  switch (name) {
    case 'tinylfu':
      return new TinyLfuPolicy(capacity, tinyLfu);
    case 'lru':
      return new LruPolicy();
    case 'lfu':
      return new LfuPolicy();
    case 'none':
      return new NoEvictionPolicy();
  }
}
