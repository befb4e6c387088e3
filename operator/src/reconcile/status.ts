/** The status the operator reports (pure); written only when it differs from the observed one. */
import type { MetadataCache, MetadataCacheStatus } from '../api/types.js';
import { selectorString } from '../build/names.js';
import { canonicalJson } from '../build/hash.js';
import {
  decideConditions,
  mergeConditions,
  serviceMonitorCondition,
  type ConditionInput,
} from './conditions.js';
import type { Plan } from './desired.js';

export interface StatusInput {
  cache: MetadataCache;
  plan: Plan | undefined;
  updateRevision: string | undefined;
  liveSettingsHash: string | undefined;
  error: { reason: string; message: string } | undefined;
  now: Date;
}

export function buildStatus(i: StatusInput): MetadataCacheStatus {
  const { cache, plan } = i;
  const desired = cache.spec.replicas;
  const pods = (plan?.pods ?? []).filter((p) => !p.terminating);
  const ready = pods.filter((p) => p.ready && p.ordinal < desired).length;
  const previous = cache.status?.conditions;
  const monitoring = monitoringCondition(cache, plan, previous, i.error !== undefined);
  const conditions = mergeConditions(
    previous,
    [
      ...decideConditions({ desired, ready, progress: plan?.progress, error: i.error }),
      ...(monitoring ? [monitoring] : []),
    ],
    cache.metadata.generation,
    i.now,
  );
  const status: MetadataCacheStatus = {
    observedGeneration: cache.metadata.generation ?? 0,
    conditions,
    replicas: pods.length,
    readyReplicas: ready,
    updatedReplicas: pods.filter((p) => i.updateRevision && p.revision === i.updateRevision).length,
    selector: selectorString(cache.metadata.name),
    members: pods.map((p) => ({
      name: p.name,
      ready: p.ready,
      updated: i.updateRevision !== undefined && p.revision === i.updateRevision,
      ...(p.podIP ? { podIP: p.podIP } : {}),
    })),
  };
  if (plan) status.configChecksum = plan.configChecksum;
  else if (cache.status?.configChecksum) status.configChecksum = cache.status.configChecksum;
  if (i.liveSettingsHash) status.liveSettingsHash = i.liveSettingsHash;
  if (plan?.authSecretName) status.authSecretName = plan.authSecretName;
  return status;
}

/**
 * The ServiceMonitorReady condition; without a plan (a failed reconcile) the previous one stays.
 * Once disabled it goes away, but not while a reconcile fails: it is what tells the next reconcile
 * that a ServiceMonitor may still need deleting.
 */
function monitoringCondition(
  cache: MetadataCache,
  plan: Plan | undefined,
  previous: MetadataCacheStatus['conditions'],
  failed: boolean,
): ConditionInput | undefined {
  const old = previous?.find((c) => c.type === 'ServiceMonitorReady');
  const keep = old && {
    type: old.type,
    status: old.status,
    reason: old.reason,
    message: old.message,
  };
  if (!cache.spec.monitoring.serviceMonitor.enabled) return failed ? keep : undefined;
  if (plan) return serviceMonitorCondition(plan.serviceMonitor === 'applied');
  return keep;
}

export const statusChanged = (
  before: MetadataCacheStatus | undefined,
  after: MetadataCacheStatus,
): boolean => canonicalJson(before ?? {}) !== canonicalJson(after);
