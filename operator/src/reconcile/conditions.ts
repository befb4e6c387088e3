/** Condition bookkeeping (pure): a transition time changes only when the status does. */
import type { Condition, ConditionStatus, ConditionType } from '../api/types.js';
import { SERVICE_MONITOR_CRD } from '../build/servicemonitor.js';

export interface ConditionInput {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
}

export const CONDITION_TYPES: readonly ConditionType[] = ['Available', 'Progressing', 'Degraded'];

export function mergeConditions(
  previous: readonly Condition[] | undefined,
  next: readonly ConditionInput[],
  generation: number | undefined,
  now: Date,
): Condition[] {
  return next.map((c) => {
    const old = previous?.find((p) => p.type === c.type);
    const lastTransitionTime =
      old && old.status === c.status ? old.lastTransitionTime : now.toISOString();
    return {
      ...c,
      lastTransitionTime,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
    };
  });
}

export interface Health {
  desired: number;
  ready: number;
  /** What a rollout or scale step is waiting for; undefined when settled. */
  progress: string | undefined;
  /** A reconcile error (apply failed, invalid spec...), with its CamelCase reason. */
  error: { reason: string; message: string } | undefined;
}

/** Which conditions hold and why. */
export function decideConditions(h: Health): ConditionInput[] {
  return [available(h), progressing(h), degraded(h)];
}

function available({ desired, ready }: Health): ConditionInput {
  const counts = `${ready}/${desired} members ready`;
  if (desired === 0) {
    return { type: 'Available', status: 'False', reason: 'ScaledToZero', message: counts };
  }
  if (ready === 0) {
    return { type: 'Available', status: 'False', reason: 'NoMembersReady', message: counts };
  }
  const reason = ready >= desired ? 'AllMembersReady' : 'SomeMembersReady';
  return { type: 'Available', status: 'True', reason, message: counts };
}

function progressing({ progress, error }: Health): ConditionInput {
  if (progress) {
    return { type: 'Progressing', status: 'True', reason: 'Reconciling', message: progress };
  }
  if (error) {
    return {
      type: 'Progressing',
      status: 'False',
      reason: 'ReconcileFailed',
      message: error.message,
    };
  }
  return {
    type: 'Progressing',
    status: 'False',
    reason: 'Reconciled',
    message: 'members run the desired spec',
  };
}

function degraded({ desired, ready, progress, error }: Health): ConditionInput {
  if (error) return { type: 'Degraded', status: 'True', ...error };
  if (ready < desired && !progress) {
    return {
      type: 'Degraded',
      status: 'True',
      reason: 'MembersNotReady',
      message: `${desired - ready} of ${desired} members are not ready`,
    };
  }
  return { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'no problems seen' };
}

/** Why there is (or is not yet) a ServiceMonitor, for a cache that enables one. */
export function serviceMonitorCondition(applied: boolean): ConditionInput {
  return applied
    ? {
        type: 'ServiceMonitorReady',
        status: 'True',
        reason: 'Applied',
        message: 'the ServiceMonitor is applied',
      }
    : {
        type: 'ServiceMonitorReady',
        status: 'False',
        reason: 'CRDNotInstalled',
        message: `the Prometheus Operator CRD ${SERVICE_MONITOR_CRD} is not installed: the ServiceMonitor is created once it is`,
      };
}
