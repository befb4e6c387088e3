/**
 * Decide (pure): from what was observed, the children to apply, create or delete, the rollout and
 * scale step, and whether live map settings need pushing.
 */
import type { KubernetesObject, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { ANNOTATIONS } from '../api/constants.js';
import type { MapSettings, MetadataCache } from '../api/types.js';
import {
  authChecksum,
  authSecretName,
  buildClientService,
  buildConfigMap,
  buildDiscoveryRole,
  buildDiscoveryRoleBinding,
  buildGeneratedSecret,
  buildHeadlessService,
  buildPodDisruptionBudget,
  buildServiceAccount,
  buildServiceMonitor,
  buildStatefulSet,
  childNames,
  configChecksum,
  buildNodeConfig,
  hashOf,
  liveMapSettings,
  liveSettingsHash,
  type RandomBytes,
} from '../build/index.js';
import { podFacts, type PodFacts } from './pods.js';
import { decidePartition, decideReplicas, type ObservedSet } from './rollout.js';

export const TEMPLATE_HASH_ANNOTATION = 'metadatacache.io/template-hash';

export interface Observed {
  cache: MetadataCache;
  statefulSet: V1StatefulSet | undefined;
  pods: readonly V1Pod[];
  /**
   * The credentials in the auth Secret (generated or named), undefined when it does not exist or
   * auth is off. A generated Secret that exists is never rebuilt.
   */
  authSecretData: Readonly<Record<string, string>> | undefined;
  /** The Prometheus Operator ServiceMonitor CRD is installed. */
  serviceMonitorCrdInstalled: boolean;
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  /** Delete it only while this uid is its controller owner (kinds the operator does not watch). */
  ownerUid?: string;
}

export interface Plan {
  /** Server-side applied in this order, each carrying a desired-hash annotation. */
  apply: KubernetesObject[];
  /** Created only if absent (generated credentials). */
  createIfAbsent: KubernetesObject[];
  /** Deleted if present (disabled PodDisruptionBudget or ServiceMonitor). */
  delete: ObjectRef[];
  /** The credentials the members will run with (the generated ones when just created). */
  authSecretData: Readonly<Record<string, string>> | undefined;
  pods: PodFacts[];
  progress: string | undefined;
  configChecksum: string;
  authSecretName: string | undefined;
  live: { hash: string; settings: Record<string, MapSettings>; push: boolean };
  /** The ServiceMonitor: not wanted, applied, or wanted but its CRD is not installed (yet). */
  serviceMonitor: 'disabled' | 'applied' | 'crdMissing';
}

/** The last status written says a ServiceMonitor was applied. */
export const serviceMonitorWasApplied = (cache: MetadataCache): boolean =>
  cache.status?.conditions?.some((c) => c.type === 'ServiceMonitorReady' && c.status === 'True') ??
  false;

/** Stamps the hash of the object's content, so an unchanged object is not re-applied. */
export function withDesiredHash<T extends KubernetesObject>(obj: T): T {
  const hash = hashOf(obj);
  const annotations = { ...(obj.metadata?.annotations ?? {}), [ANNOTATIONS.desiredHash]: hash };
  return { ...obj, metadata: { ...obj.metadata, annotations } };
}

function observeSet(sts: V1StatefulSet | undefined): ObservedSet | undefined {
  if (!sts) return undefined;
  return {
    replicas: sts.spec?.replicas ?? 0,
    partition: sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0,
    templateHash: sts.metadata?.annotations?.[TEMPLATE_HASH_ANNOTATION],
    updateRevision: sts.status?.updateRevision,
    controllerSynced: (sts.status?.observedGeneration ?? -1) >= (sts.metadata?.generation ?? 0),
  };
}

export function plan(o: Observed, randomBytes: RandomBytes): Plan {
  const { cache } = o;
  const names = childNames(cache.metadata.name);
  const checksum = configChecksum(buildNodeConfig(cache));
  const secretName = authSecretName(cache);
  const pods = podFacts(names.statefulSet, o.pods);
  const observedSet = observeSet(o.statefulSet);
  const generated =
    secretName && !o.authSecretData ? buildGeneratedSecret(cache, randomBytes) : undefined;
  const credentials = generated?.stringData ?? o.authSecretData;

  // The template does not depend on replicas or partition: build, hash, then fill those in.
  const draft = buildStatefulSet(cache, {
    replicas: 0,
    partition: 0,
    configChecksum: checksum,
    authSecretName: secretName,
    authChecksum: secretName ? authChecksum(credentials) : undefined,
  });
  const templateHash = hashOf(draft.spec!.template);
  const scale = decideReplicas(cache.spec.replicas, observedSet?.replicas, pods);
  const rollout = decidePartition(observedSet, templateHash, scale.replicas, pods);
  const statefulSet: V1StatefulSet = {
    ...draft,
    metadata: {
      ...draft.metadata,
      annotations: { [TEMPLATE_HASH_ANNOTATION]: templateHash },
    },
    spec: {
      ...draft.spec!,
      replicas: scale.replicas,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: rollout.partition } },
    },
  };

  const pdb = buildPodDisruptionBudget(cache);
  const monitor = o.serviceMonitorCrdInstalled ? buildServiceMonitor(cache) : undefined;
  const ref = (apiVersion: string, kind: string, name: string): ObjectRef => ({
    apiVersion,
    kind,
    namespace: cache.metadata.namespace,
    name,
  });
  const remove: ObjectRef[] = [];
  if (!pdb) remove.push(ref('policy/v1', 'PodDisruptionBudget', names.pdb));
  // Disabled after the status recorded one applied: delete the one this resource owns. CRDs and
  // ServiceMonitors are not watched, so the status is what remembers it (across restarts too).
  if (!cache.spec.monitoring.serviceMonitor.enabled && serviceMonitorWasApplied(cache)) {
    remove.push({
      ...ref('monitoring.coreos.com/v1', 'ServiceMonitor', names.serviceMonitor),
      ...(cache.metadata.uid ? { ownerUid: cache.metadata.uid } : {}),
    });
  }
  const apply: KubernetesObject[] = [
    buildConfigMap(cache),
    buildServiceAccount(cache),
    buildDiscoveryRole(cache),
    buildDiscoveryRoleBinding(cache),
    buildHeadlessService(cache),
    buildClientService(cache),
    statefulSet,
    ...(pdb ? [pdb] : []),
    ...(monitor ? [monitor] : []),
  ].map(withDesiredHash);

  const liveHash = liveSettingsHash(cache);
  const anyReady = pods.some((p) => p.ready && p.podIP);
  const monitorState = !cache.spec.monitoring.serviceMonitor.enabled
    ? 'disabled'
    : monitor
      ? 'applied'
      : 'crdMissing';
  return {
    apply,
    serviceMonitor: monitorState,
    createIfAbsent: generated ? [generated] : [],
    delete: remove,
    authSecretData: credentials,
    pods,
    progress: scale.progress ?? rollout.progress,
    configChecksum: checksum,
    authSecretName: secretName,
    live: {
      hash: liveHash,
      settings: liveMapSettings(cache),
      // Before the first record, members started from the current ConfigMap: nothing to push.
      push:
        anyReady &&
        cache.status?.liveSettingsHash !== undefined &&
        cache.status.liveSettingsHash !== liveHash,
    },
  };
}
