/**
 * The eviction policy contract. A policy orders resident entries and picks victims; the map owns
 * the entries, their bytes and the limits, and calls `evict()` while it is over a limit. Every
 * method is O(1) (amortized for the sketch's periodic halving), so the choice of policy never
 * changes the cost of a read or a write.
 *
 * Policies link the map's own entry records (intrusive lists: no per-access allocation).
 */
import type { EvictionPolicyName } from '../../config/schema.js';
import type { FrequencyBucket } from './lfu.js';

/** The fields a policy keeps on each resident entry. */
export interface PolicyNode {
  /** Well-mixed 32-bit hash of the key (the Data partition hash), for frequency sketches. */
  readonly hash: number;
  prev: PolicyNode | null;
  next: PolicyNode | null;
  /** Which of the policy's lists the node is on (policy-specific; 0 = none). */
  region: number;
  /** LFU only: the frequency bucket holding the node. */
  bucket: FrequencyBucket | null;
}

export interface EvictionPolicy {
  readonly name: EvictionPolicyName;
  /** Entries the policy tracks. */
  readonly size: number;
  /** A read found this resident entry. */
  onHit(node: PolicyNode): void;
  /** Whether onMiss does anything (the map skips hashing the key of a miss otherwise). */
  readonly usesMisses: boolean;
  /** A read missed; `hash` is the key's hash (feeds frequency estimates for admission). */
  onMiss(hash: number): void;
  /** A new entry became resident. */
  onAdd(node: PolicyNode): void;
  /** A resident entry's value was replaced. */
  onUpdate(node: PolicyNode): void;
  /** An entry left for a reason other than `evict()` (delete, expiry, clear). */
  onRemove(node: PolicyNode): void;
  /** Unlinks and returns the entry to evict next; undefined when the policy never evicts or is empty. */
  evict(): PolicyNode | undefined;
  /** Periodic aging on a timer (frequency halving); a no-op for policies without history. */
  age(): void;
  /** How many entries the map is expected to hold (sizes sketches); called when limits change. */
  setCapacity(entries: number): void;
  clear(): void;
}
