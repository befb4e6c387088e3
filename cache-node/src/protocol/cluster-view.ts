/**
 * ClusterView: what the protocol server needs to know about the cluster, and the seam where the
 * cluster (issue 4, cache-node/src/cluster/) plugs in. The protocol server never decides
 * membership or ownership itself; it reads them here and tells clients.
 *
 * Contract for implementers:
 * - `localMember` is this process; its `uuid` is the member UUID in authentication responses and
 *   MembersView events (clients key connections by it), its `address` must be connectable by
 *   clients (the smart client opens one connection per listed member).
 * - `clusterId` is random per cluster incarnation: a new one tells clients that everything they
 *   cached is void (they clear their near caches on reconnect).
 * - `partitionCount` is fixed for the life of the cluster (clients pin it on first connect).
 * - `members()` lists data members in a stable order; `memberListVersion()` is ≥ 1 and grows
 *   whenever the list changes.
 * - `partitionOwners()` returns, for every partition 0..count-1, the UUID of its owner (a listed
 *   member); `partitionTableVersion()` grows whenever an owner changes.
 * - `onChange(fn)` calls fn after members or owners changed; the server then pushes fresh
 *   MembersView/PartitionsView events (with the new versions) to every registered client.
 * - `forward` (optional) serves a key-based request whose partition this member does not own.
 *   It receives the whole encoded request and resolves with the whole encoded response (the
 *   server rewrites nothing), or resolves `undefined` to let this member serve it through its
 *   MapService (e.g. when that MapService already routes to owners). Without `forward`, such a
 *   request is refused with RETRYABLE_HAZELCAST (code 46), which the client retries after
 *   refreshing its partition table.
 * - `fetchMetadata` (optional) answers a near-cache metadata request for another member (the
 *   client sends it over any connection, naming the member). Without it, the server answers from
 *   its own near-cache counters for the partitions the named member owns.
 */
import type { Address } from './codecs.js';
import type { NearCacheMetadataAnswer } from '../nearcache/partition-sequences.js';

export interface ClusterMember {
  uuid: string;
  address: Address;
}

export interface ForwardRequest {
  partitionId: number;
  ownerUuid: string;
  /** The encoded request message exactly as received (frames, header and correlation id). */
  request: Buffer;
  /** UUID of the client that sent it (the invalidation source for writes). */
  clientUuid: string;
}

export interface ClusterView {
  readonly localMember: ClusterMember;
  readonly clusterId: string;
  readonly partitionCount: number;
  members(): readonly ClusterMember[];
  memberListVersion(): number;
  /** Owner member UUID per partition id. */
  partitionOwners(): readonly string[];
  partitionTableVersion(): number;
  onChange(listener: () => void): () => void;
  forward?(req: ForwardRequest): Promise<Buffer | undefined>;
  fetchMetadata?(memberUuid: string, names: readonly string[]): Promise<NearCacheMetadataAnswer>;
}

/** A cluster of one: this member owns every partition and nothing ever changes. */
export function singleMemberView(opts: {
  memberUuid: string;
  clusterId: string;
  address: Address;
  partitionCount: number;
}): ClusterView {
  const localMember: ClusterMember = { uuid: opts.memberUuid, address: opts.address };
  const owners: readonly string[] = new Array<string>(opts.partitionCount).fill(opts.memberUuid);
  return {
    localMember,
    clusterId: opts.clusterId,
    partitionCount: opts.partitionCount,
    members: () => [localMember],
    memberListVersion: () => 1,
    partitionOwners: () => owners,
    partitionTableVersion: () => 1,
    onChange: () => () => undefined,
  };
}

/** Partitions each member owns, in `members()` order: the shape of a PartitionsView event. */
export function partitionsByMember(view: ClusterView): [string, number[]][] {
  const byMember = new Map<string, number[]>(view.members().map((m) => [m.uuid, []]));
  view.partitionOwners().forEach((owner, p) => {
    let list = byMember.get(owner);
    if (!list) byMember.set(owner, (list = []));
    list.push(p);
  });
  return [...byMember.entries()].filter(([, ps]) => ps.length > 0);
}
