/**
 * Who may form a new cluster when no established one answers (pure; the Cluster's join loop asks).
 *
 * Members started together must agree on one founder: the lowest id in view, once every
 * discovered member answered or the join window passed. On Kubernetes the view lags: a pod's
 * EndpointSlice entry appears after the pod starts, so a StatefulSet member other than ordinal 0
 * that sees nobody would found a cluster of its own, report Ready, accept writes, and drop them
 * when the two groups merge. With `statefulSetOrdinals`, ordinal 0 is the founder and the others
 * wait to join it for up to `ordinalWaitMs`, then fall back to the lowest-id rule (in case
 * ordinal 0 cannot start at all).
 */
export interface FoundingInput {
  selfId: string;
  peerIds: readonly string[];
  /** Every discovered address answered a heartbeat (the view is as complete as it will get). */
  allAnswered: boolean;
  elapsedMs: number;
  joinWindowMs: number;
  /** Member ids are StatefulSet pod names (`<name>-<ordinal>`): Kubernetes or DNS discovery. */
  statefulSetOrdinals: boolean;
  ordinalWaitMs: number;
}

/** The ordinal of a StatefulSet pod name (`mdc-2` → 2), undefined when the id is not one. */
export function statefulSetOrdinal(id: string): number | undefined {
  const m = /-(0|[1-9]\d*)$/.exec(id);
  return m ? Number(m[1]) : undefined;
}

export function mayFoundCluster(i: FoundingInput): boolean {
  if (i.peerIds.some((p) => p < i.selfId)) return false;
  if (!i.allAnswered && i.elapsedMs < i.joinWindowMs) return false;
  if (i.statefulSetOrdinals && i.elapsedMs < i.ordinalWaitMs) {
    const ordinal = statefulSetOrdinal(i.selfId);
    if (ordinal !== undefined && ordinal > 0) return false;
  }
  return true;
}
