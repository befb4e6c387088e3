/**
 * From store changes to near-cache invalidations: the pure mapping (which key, which partition,
 * which source) and a small hub that stamps sequences and hands each invalidation to its
 * subscribers (the protocol server's client listeners; the cluster's member broadcast).
 */
import { encodeString, partitionIdOf } from '../data/index.js';
import type { ChangeEvent } from '../store/types.js';
import type { PartitionSequences } from './partition-sequences.js';

export interface Invalidation {
  map: string;
  /** null = the whole map (clear, evictAll, destroy). */
  key: Buffer | null;
  partitionId: number;
  /** The client whose write caused it, or the member UUID for internal causes (expiry, eviction). */
  sourceUuid: string | null;
  partitionUuid: string;
  sequence: number;
}

/** A clear is announced on partition(map name), the name serialized as a String Data (spec §6.4). */
export function clearPartitionOf(map: string, partitionCount: number): number {
  return partitionIdOf(encodeString(map), partitionCount);
}

/** Which (key, partition) a change invalidates; the key is echoed exactly as stored. */
export function invalidationTarget(
  event: ChangeEvent,
  partitionCount: number,
): { key: Buffer | null; partitionId: number } {
  if (event.kind === 'clear' || !event.key) {
    return { key: null, partitionId: clearPartitionOf(event.map, partitionCount) };
  }
  return {
    key: event.key,
    partitionId: event.partitionId ?? partitionIdOf(event.key, partitionCount),
  };
}

export type InvalidationListener = (inv: Invalidation) => void;

export class InvalidationHub {
  private readonly listeners = new Set<InvalidationListener>();

  constructor(
    readonly sequences: PartitionSequences,
    private readonly memberUuid: string,
    /** Only the owner of a partition stamps its invalidations (backups change too). */
    private readonly ownsPartition: (partitionId: number) => boolean = () => true,
  ) {}

  subscribe(fn: InvalidationListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Feed a store change; returns the invalidation published, if any. */
  onChange(event: ChangeEvent): Invalidation | undefined {
    const { key, partitionId } = invalidationTarget(event, this.sequences.partitionCount);
    if (!this.ownsPartition(partitionId)) return undefined;
    const inv: Invalidation = {
      map: event.map,
      key,
      partitionId,
      sourceUuid: event.origin ?? this.memberUuid,
      partitionUuid: this.sequences.partitionUuid(partitionId),
      sequence: this.sequences.next(event.map, partitionId),
    };
    this.publish(inv);
    return inv;
  }

  /** Deliver an invalidation stamped elsewhere (e.g. received from the owner by the cluster). */
  publish(inv: Invalidation): void {
    for (const fn of this.listeners) fn(inv);
  }
}
