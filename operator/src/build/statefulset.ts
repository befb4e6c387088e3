import type { V1EnvVar, V1StatefulSet, V1TopologySpreadConstraint } from '@kubernetes/client-node';
import {
  ANNOTATIONS,
  HTTP_PORT,
  PROTOCOL_PORT,
  TERMINATION_GRACE_MARGIN_SECONDS,
} from '../api/constants.js';
import type { MetadataCache } from '../api/types.js';
import { CONFIG_DIR, CONFIG_FILE } from './configmap.js';
import { childMeta, childNames, commonLabels, selectorLabels } from './names.js';
import { SECRET_KEYS } from './secret.js';

/** What the decision logic chose for this reconcile. */
export interface StatefulSetPlan {
  /** Replicas to set now (scale-in goes one member at a time). */
  replicas: number;
  /** RollingUpdate partition: pods with an ordinal >= partition run the new template. */
  partition: number;
  /** Restart-relevant config checksum, stamped on the pod template. */
  configChecksum: string;
  /** Secret with credentials, or undefined when auth is off. */
  authSecretName: string | undefined;
  /**
   * Hash of the credentials the members read from that Secret (authChecksum), stamped on the pod
   * template: env from a Secret is read only at container start, so new credentials must roll.
   */
  authChecksum?: string | undefined;
}

/** Seconds between SIGTERM being due and the pod leaving the endpoints (preStop sleep). */
export const PRE_STOP_SLEEP_SECONDS = 5;
const UID = 10001;

const fieldEnv = (name: string, fieldPath: string): V1EnvVar => ({
  name,
  valueFrom: { fieldRef: { fieldPath } },
});

function credentialEnv(secretName: string | undefined): V1EnvVar[] {
  if (!secretName) return [];
  const fromSecret = (name: string, key: string): V1EnvVar => ({
    name,
    valueFrom: { secretKeyRef: { name: secretName, key, optional: true } },
  });
  return [
    fromSecret('METADATACACHE_USERNAME', SECRET_KEYS.username),
    fromSecret('METADATACACHE_PASSWORD', SECRET_KEYS.password),
    fromSecret('METADATACACHE_TOKEN', SECRET_KEYS.token),
  ];
}

/** Zone and node spreading unless the user gave their own list (empty = none). */
function spreadConstraints(cache: MetadataCache): V1TopologySpreadConstraint[] {
  const labelSelector = { matchLabels: selectorLabels(cache.metadata.name) };
  const given = cache.spec.topologySpreadConstraints;
  if (given) {
    return given.map((c) => ({ labelSelector, ...c }) as unknown as V1TopologySpreadConstraint);
  }
  return ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector,
  }));
}

export function buildStatefulSet(cache: MetadataCache, plan: StatefulSetPlan): V1StatefulSet {
  const { spec } = cache;
  const names = childNames(cache.metadata.name);
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: childMeta(cache, names.statefulSet),
    spec: {
      replicas: plan.replicas,
      serviceName: names.headlessService,
      // Members join a running cluster on their own; ordered start only slows scale-out.
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: plan.partition } },
      selector: { matchLabels: selectorLabels(cache.metadata.name) },
      template: {
        metadata: {
          labels: commonLabels(cache.metadata.name),
          annotations: {
            [ANNOTATIONS.configChecksum]: plan.configChecksum,
            ...(plan.authSecretName && plan.authChecksum
              ? { [ANNOTATIONS.authChecksum]: plan.authChecksum }
              : {}),
          },
        },
        spec: {
          serviceAccountName: names.serviceAccount,
          terminationGracePeriodSeconds:
            spec.handoffTimeoutSeconds + PRE_STOP_SLEEP_SECONDS + TERMINATION_GRACE_MARGIN_SECONDS,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: UID,
            runAsGroup: UID,
            fsGroup: UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...(spec.nodeSelector ? { nodeSelector: spec.nodeSelector } : {}),
          ...(spec.affinity ? { affinity: spec.affinity } : {}),
          ...(spec.tolerations ? { tolerations: spec.tolerations } : {}),
          ...(spec.imagePullSecrets
            ? { imagePullSecrets: spec.imagePullSecrets.map((name) => ({ name })) }
            : {}),
          topologySpreadConstraints: spreadConstraints(cache),
          containers: [
            {
              name: 'cache-node',
              image: spec.image,
              imagePullPolicy: spec.imagePullPolicy,
              args: ['--config', `${CONFIG_DIR}/${CONFIG_FILE}`],
              ports: [
                { name: 'hazelcast', containerPort: PROTOCOL_PORT, protocol: 'TCP' },
                { name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' },
              ],
              env: [
                fieldEnv('POD_NAME', 'metadata.name'),
                fieldEnv('POD_NAMESPACE', 'metadata.namespace'),
                fieldEnv('POD_IP', 'status.podIP'),
                ...credentialEnv(plan.authSecretName),
              ],
              resources: spec.resources,
              readinessProbe: {
                httpGet: { path: '/readyz', port: 'http' },
                periodSeconds: 5,
                failureThreshold: 2,
              },
              livenessProbe: {
                httpGet: { path: '/healthz', port: 'http' },
                initialDelaySeconds: 10,
                periodSeconds: 10,
                failureThreshold: 6,
              },
              // Leave the endpoints before SIGTERM starts the partition hand-off.
              lifecycle: { preStop: { sleep: { seconds: PRE_STOP_SLEEP_SECONDS } } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: names.configMap } },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
}
