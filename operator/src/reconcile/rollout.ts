/**
 * Rollout and scale-in policy (pure). Restarts go one member at a time, highest ordinal first,
 * each ready before the next; scale-in removes one member at a time and waits until it has left
 * (its SIGTERM hands its partitions off) and the rest are ready again.
 */
import type { PodFacts } from './pods.js';

/** What the operator observed of its StatefulSet. */
export interface ObservedSet {
  replicas: number;
  partition: number;
  /** The pod-template hash the operator stamped on the set when it last applied it. */
  templateHash: string | undefined;
  updateRevision: string | undefined;
  /** status.observedGeneration == metadata.generation: the controller has caught up. */
  controllerSynced: boolean;
}

export interface RolloutDecision {
  partition: number;
  /** Human-readable state for events and the Progressing condition; undefined when settled. */
  progress: string | undefined;
}

const isMember = (replicas: number) => (p: PodFacts) => p.ordinal < replicas;

export function decidePartition(
  observed: ObservedSet | undefined,
  desiredTemplateHash: string,
  replicas: number,
  pods: readonly PodFacts[],
): RolloutDecision {
  if (!observed) return { partition: 0, progress: undefined };
  if (observed.templateHash !== desiredTemplateHash) {
    // A new template: let exactly the highest member take it.
    return {
      partition: Math.max(replicas - 1, 0),
      progress: replicas > 0 ? 'rolling out a new pod template' : undefined,
    };
  }
  if (!observed.controllerSynced) {
    return { partition: observed.partition, progress: 'waiting for the StatefulSet controller' };
  }
  const members = pods.filter(isMember(replicas));
  const outdated = members.filter((p) => p.revision !== observed.updateRevision);
  if (outdated.length === 0) return { partition: 0, progress: undefined };
  // Members the controller may already be updating must all be updated and ready.
  const expected = Math.max(Math.min(replicas, observed.replicas) - observed.partition, 0);
  const updating = members.filter((p) => p.ordinal >= observed.partition);
  const waiting = updating.find((p) => !p.ready || p.revision !== observed.updateRevision);
  if (waiting || updating.length < expected) {
    const who = waiting ? waiting.name : `member ${observed.partition}`;
    return {
      partition: observed.partition,
      progress: `waiting for ${who} to be updated and ready`,
    };
  }
  const next = outdated.reduce((a, b) => (b.ordinal > a.ordinal ? b : a));
  return {
    partition: next.ordinal,
    progress: `updating ${next.name} (${members.length - outdated.length}/${replicas} updated)`,
  };
}

export interface ScaleDecision {
  replicas: number;
  progress: string | undefined;
}

export function decideReplicas(
  desired: number,
  observedReplicas: number | undefined,
  pods: readonly PodFacts[],
): ScaleDecision {
  if (observedReplicas === undefined || desired >= observedReplicas) {
    const growing = observedReplicas !== undefined && desired > observedReplicas;
    return { replicas: desired, progress: growing ? `scaling out to ${desired}` : undefined };
  }
  const leaving = pods.filter((p) => p.ordinal >= observedReplicas);
  if (leaving.length > 0) {
    return {
      replicas: observedReplicas,
      progress: `waiting for ${leaving.map((p) => p.name).join(', ')} to hand off and leave`,
    };
  }
  const staying = pods.filter((p) => p.ordinal < observedReplicas - 1);
  const notReady = staying.filter((p) => !p.ready);
  if (notReady.length > 0 || staying.length < observedReplicas - 1) {
    return {
      replicas: observedReplicas,
      progress: `scale-in waits for every remaining member to be ready`,
    };
  }
  return {
    replicas: observedReplicas - 1,
    progress: `scaling in to ${desired}: removing member ${observedReplicas - 1}`,
  };
}
