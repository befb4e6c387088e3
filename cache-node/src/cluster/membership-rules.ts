/**
 * Pure membership decisions: who is alive, which epoch (table version) to use, whether this member
 * was stalled. The Membership class feeds them observations and a clock.
 */

export interface PeerObservation {
  id: string;
  /** When a heartbeat answer last arrived (ms), undefined when never. */
  lastHeardAt: number | undefined;
  connected: boolean;
}

/** Peers that answered within the failure timeout, sorted by id. */
export function aliveIds(
  peers: readonly PeerObservation[],
  now: number,
  failureTimeoutMs: number,
): string[] {
  return peers
    .filter(
      (p) => p.connected && p.lastHeardAt !== undefined && now - p.lastHeardAt <= failureTimeoutMs,
    )
    .map((p) => p.id)
    .sort();
}

/** Fingerprint of a member list: equal lists, equal strings. */
export const viewKey = (ids: readonly string[]): string => [...ids].sort().join('\n');

/**
 * The epoch after this member's view changed: above everything seen, so versions only grow and
 * every member ends on the same value once they exchange it (see adoptEpoch).
 */
export const epochAfterChange = (current: number, highestSeen: number): number =>
  Math.max(current, highestSeen) + 1;

/** A peer with the same view and a higher epoch wins, so equal views converge on one epoch. */
export function adoptEpoch(
  current: number,
  myView: string,
  peerView: string,
  peerEpoch: number,
): number {
  return peerView === myView && peerEpoch > current ? peerEpoch : current;
}

/**
 * True when the timer that should tick every `intervalMs` ran late by more than `thresholdMs`:
 * the process was stopped (SIGSTOP) or its event loop blocked, so peers may have removed it.
 */
export const stalled = (lastTickAt: number, now: number, thresholdMs: number): boolean =>
  now - lastTickAt > thresholdMs;

/**
 * How a group of members ranks when two groups that removed each other meet again (a network
 * partition healed): the one with more members wins, and on equal size the one holding the
 * smallest member id. Both sides compute the same answer from each other's heartbeat fields, so
 * exactly one side drops its data and rejoins: the minority, whose copy is the one that may be
 * behind, never the majority that kept taking writes.
 */
export interface GroupStanding {
  size: number;
  lowestId: string;
}

export function outranks(a: GroupStanding, b: GroupStanding): boolean {
  if (a.size !== b.size) return a.size > b.size;
  return a.lowestId < b.lowestId;
}

/** The standing a heartbeat reports, or undefined when it carries none (an older member). */
export function standingOf(h: Record<string, unknown>): GroupStanding | undefined {
  return typeof h.size === 'number' && typeof h.lowest === 'string'
    ? { size: h.size, lowestId: h.lowest }
    : undefined;
}

/**
 * Split-brain protection. `base` is the member count a majority is judged against: it grows with
 * the view, shrinks at once when members leave gracefully (they announced it), and follows the
 * view down after failures only once the view has been stable for `settleMs` while this member
 * was in the majority. So a member that loses most of its peers at once (a network partition cut
 * it off, or they crashed together: it cannot tell which) stops serving rather than serve a copy
 * the majority may be overwriting, until it is back in touch; a single crash, or crashes spread
 * over time, keep the survivors serving.
 */
export function nextQuorumBase(i: {
  base: number;
  /** View size before and after the change (equal when only time passed). */
  oldSize: number;
  newSize: number;
  /** Members that left the view after announcing a graceful leave. */
  leftGracefully: number;
  /** How long the old view had been unchanged. */
  stableMs: number;
  settleMs: number;
}): number {
  let base = i.base;
  if (!inMinority(i.oldSize, base) && i.stableMs >= i.settleMs) base = i.oldSize;
  return Math.max(i.newSize, base - i.leftGracefully);
}

/** Fewer than half of `base` (exactly half still serves: a 2-member cluster keeps one). */
export const inMinority = (size: number, base: number): boolean => size * 2 < base;
