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
