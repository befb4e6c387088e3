/**
 * Near-cache invalidation bookkeeping, as Hazelcast clients assume it (protocol spec §6.3):
 * one UUID per partition naming the lineage of its sequences, and one counter per
 * (map, partition) pre-incremented for every invalidation (the first carries 1).
 *
 * A partition's UUID is rotated (and its counters reset to 0) whenever its history is lost, e.g.
 * an invalidation could not be delivered, or the partition moved to a member that does not have
 * the counters. Clients then drop what they cached under the old UUID.
 *
 * Shared by the protocol server (events, metadata answers) and the cluster (broadcast,
 * migration: `export`/`import` move a partition's lineage with its data).
 */
import { randomUUID } from 'node:crypto';

export interface NearCacheMetadataAnswer {
  /** For every requested name, in request order: (partition, current sequence) pairs. */
  sequences: [name: string, entries: [partitionId: number, sequence: number][]][];
  /** (partition, partition UUID) for every partition covered. */
  uuids: [partitionId: number, uuid: string][];
}

export interface PartitionLineage {
  uuid: string;
  /** Current sequence per map name (a list: map names are user input, not object keys). */
  sequences: [map: string, sequence: number][];
}

export class PartitionSequences {
  private readonly uuids: string[];
  /** map name → current sequence per partition. */
  private readonly counters = new Map<string, Float64Array>();

  constructor(
    readonly partitionCount: number,
    private readonly newUuid: () => string = randomUUID,
  ) {
    this.uuids = Array.from({ length: partitionCount }, () => newUuid());
  }

  partitionUuid(partitionId: number): string {
    return this.uuids[partitionId];
  }

  current(map: string, partitionId: number): number {
    return this.counters.get(map)?.[partitionId] ?? 0;
  }

  /** Allocate the sequence of the next invalidation of (map, partition). */
  next(map: string, partitionId: number): number {
    let c = this.counters.get(map);
    if (!c) this.counters.set(map, (c = new Float64Array(this.partitionCount)));
    return ++c[partitionId];
  }

  /** New lineage for a partition: fresh UUID, every map's counter back to 0. */
  rotate(partitionId: number): string {
    this.uuids[partitionId] = this.newUuid();
    for (const c of this.counters.values()) c[partitionId] = 0;
    return this.uuids[partitionId];
  }

  /** Forget a destroyed map's counters only after its clear event went out (the caller's job). */
  forgetMap(map: string): void {
    this.counters.delete(map);
  }

  /** The metadata answer for the given partitions (those a member owns). */
  metadata(names: readonly string[], partitions: readonly number[]): NearCacheMetadataAnswer {
    return {
      sequences: names.map((name) => [
        name,
        partitions.map((p): [number, number] => [p, this.current(name, p)]),
      ]),
      uuids: partitions.map((p): [number, string] => [p, this.uuids[p]]),
    };
  }

  export(partitionId: number): PartitionLineage {
    const sequences: [string, number][] = [];
    for (const [map, c] of this.counters) if (c[partitionId]) sequences.push([map, c[partitionId]]);
    return { uuid: this.uuids[partitionId], sequences };
  }

  import(partitionId: number, lineage: PartitionLineage): void {
    this.uuids[partitionId] = lineage.uuid;
    for (const c of this.counters.values()) c[partitionId] = 0;
    for (const [map, seq] of lineage.sequences) {
      let c = this.counters.get(map);
      if (!c) this.counters.set(map, (c = new Float64Array(this.partitionCount)));
      c[partitionId] = seq;
    }
  }
}
