/**
 * The partition table as a pure function of the member list (rendezvous hashing), so every member
 * computes the same table from the same list without a coordinator.
 *
 * For each partition, members are ranked by a hash of (member id, partition id); the highest rank
 * owns it and the next ones hold the backups. Rendezvous ranking means a join or a leave only moves
 * the partitions the changed member wins or held, and when an owner leaves, the next-ranked member
 * (its first backup when zones are not used) becomes the owner.
 */
import { murmur3 } from '../data/index.js';

export interface TableMember {
  /** Stable member id (pod name, or host:port locally). */
  id: string;
  /** Failure zone; backups are spread across zones when members carry one. */
  zone?: string;
}

export interface PartitionTable {
  partitionCount: number;
  backupCount: number;
  /** Member ids, sorted. */
  members: string[];
  /** replicas[p] = [owner, backup1, ...]: at most 1 + backupCount distinct member ids. */
  replicas: string[][];
}

const encoder = new TextEncoder();

/** Rendezvous score of one member for one partition (unsigned 32-bit). */
export function rendezvousScore(memberIdBytes: Uint8Array, partitionId: number): number {
  // The partition id is mixed in through the seed so the id bytes are encoded once per member.
  return (
    murmur3(memberIdBytes, 0, memberIdBytes.length, Math.imul(partitionId + 1, 0x9e3779b1)) >>> 0
  );
}

interface Ranked {
  id: string;
  zone: string | undefined;
  bytes: Uint8Array;
}

function rank(members: Ranked[], partitionId: number): Ranked[] {
  const scored = members.map((m) => ({ m, s: rendezvousScore(m.bytes, partitionId) }));
  scored.sort((a, b) => b.s - a.s || (a.m.id < b.m.id ? -1 : a.m.id > b.m.id ? 1 : 0));
  return scored.map((x) => x.m);
}

/**
 * Owner first (the top rank), then backups in rank order, skipping members whose zone already
 * holds a replica until every zone holds one.
 */
function pickReplicas(ranked: Ranked[], count: number): string[] {
  const chosen: Ranked[] = [ranked[0]];
  const zonesInUse = new Set<string | undefined>([ranked[0].zone]);
  const allZones = new Set(ranked.map((m) => m.zone));
  while (chosen.length < count) {
    if (zonesInUse.size >= allZones.size) zonesInUse.clear();
    const next =
      ranked.find((m) => !chosen.includes(m) && !zonesInUse.has(m.zone)) ??
      ranked.find((m) => !chosen.includes(m));
    if (!next) break;
    chosen.push(next);
    zonesInUse.add(next.zone);
  }
  return chosen.map((m) => m.id);
}

export function computePartitionTable(
  members: readonly TableMember[],
  partitionCount: number,
  backupCount: number,
): PartitionTable {
  const unique = new Map(members.map((m) => [m.id, m]));
  const ids = [...unique.keys()].sort();
  const ranked: Ranked[] = ids.map((id) => ({
    id,
    zone: unique.get(id)?.zone,
    bytes: encoder.encode(id),
  }));
  const replicas: string[][] = [];
  const count = Math.min(1 + backupCount, ranked.length);
  for (let p = 0; p < partitionCount; p++) {
    replicas.push(ranked.length === 0 ? [] : pickReplicas(rank(ranked, p), count));
  }
  return { partitionCount, backupCount, members: ids, replicas };
}

/** Owner of partition p, or undefined when the table has no members. */
export const ownerOf = (table: PartitionTable, p: number): string | undefined =>
  table.replicas[p]?.[0];

/** Partitions owned by a member. */
export function partitionsOwnedBy(table: PartitionTable, memberId: string): number[] {
  const out: number[] = [];
  table.replicas.forEach((r, p) => {
    if (r[0] === memberId) out.push(p);
  });
  return out;
}

/** Partitions of which a member holds any replica (owner or backup). */
export function partitionsHeldBy(table: PartitionTable, memberId: string): Set<number> {
  const out = new Set<number>();
  table.replicas.forEach((r, p) => {
    if (r.includes(memberId)) out.add(p);
  });
  return out;
}

/**
 * The table to serve while data moves after a membership change: the previous table with the
 * members that are gone removed from each replica list, so the first surviving replica (which has
 * the data) is promoted to owner. Partitions with no surviving replica take the target's replicas
 * (their data is lost; nothing better exists).
 */
export function interimTable(
  previous: PartitionTable,
  target: PartitionTable,
  /** Members still reachable; defaults to the target's (a leaving member is alive, not targeted). */
  alive: ReadonlySet<string> = new Set(target.members),
): PartitionTable {
  const replicas = previous.replicas.map((r, p) => {
    const surviving = r.filter((id) => alive.has(id));
    return surviving.length > 0 ? surviving : [...(target.replicas[p] ?? [])];
  });
  return { ...target, replicas };
}

/** Fingerprint of a table's assignment (equal tables, equal strings). */
export function tableFingerprint(table: PartitionTable): string {
  let h = 0;
  const bytes = encoder.encode(table.replicas.map((r) => r.join(',')).join(';'));
  h = murmur3(bytes, 0, bytes.length, 7) >>> 0;
  return `${table.members.length}:${table.partitionCount}:${h.toString(16)}`;
}

/** Number of partitions whose owner differs between two tables. */
export function ownerChanges(a: PartitionTable, b: PartitionTable): number {
  let n = 0;
  for (let p = 0; p < Math.max(a.partitionCount, b.partitionCount); p++) {
    if (ownerOf(a, p) !== ownerOf(b, p)) n++;
  }
  return n;
}
