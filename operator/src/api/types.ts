/**
 * TypeScript view of a MetadataCache resource. The specs the operator works with have been
 * defaulted (see defaults.ts), so the fields with a schema default are required here.
 */
import type { V1Affinity, V1ObjectMeta, V1Toleration } from '@kubernetes/client-node';

export type EvictionPolicy = 'tinylfu' | 'lru' | 'lfu' | 'none';

export interface MapSettings {
  maxEntries?: number;
  maxSizeBytes?: number;
  eviction?: EvictionPolicy;
  ttlSeconds?: number;
  maxIdleSeconds?: number;
}

export interface NamedMap extends MapSettings {
  name: string;
}

/** cpu and/or memory quantities. */
export type ResourceList = Record<string, string>;

export interface MetadataCacheSpec {
  // Shared with the node config (cache-node/src/config/schema.ts).
  clusterName: string;
  partitionCount: number;
  backupCount: number;
  backupMode: 'sync' | 'async';
  readFromBackup: boolean;
  maps: NamedMap[];
  undeclaredMaps: 'reject' | 'allow';
  defaultMap: MapSettings;
  invalidation: Record<string, number>;
  hotKeys: Record<string, number>;
  maintenance: Record<string, number>;
  limits: Record<string, number>;
  // Operator-only.
  replicas: number;
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  imagePullSecrets?: string[];
  resources: { requests?: ResourceList; limits?: ResourceList };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  handoffTimeoutSeconds: number;
  nodeSelector?: Record<string, string>;
  affinity?: V1Affinity;
  tolerations?: V1Toleration[];
  /** Absent: spread by zone and node; empty: no spreading. */
  topologySpreadConstraints?: Record<string, unknown>[];
  podDisruptionBudget: { enabled: boolean; maxUnavailable: number };
  auth: { enabled: boolean; secretName?: string };
  service: {
    type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
    annotations?: Record<string, string>;
  };
  monitoring: {
    serviceMonitor: { enabled: boolean; interval: string; labels?: Record<string, string> };
  };
}

/** ServiceMonitorReady is reported only while `monitoring.serviceMonitor.enabled`. */
export type ConditionType = 'Available' | 'Progressing' | 'Degraded' | 'ServiceMonitorReady';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface MemberStatus {
  name: string;
  ready: boolean;
  podIP?: string;
  updated: boolean;
}

export interface MetadataCacheStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  replicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
  selector?: string;
  configChecksum?: string;
  liveSettingsHash?: string;
  authSecretName?: string;
  members?: MemberStatus[];
}

/** A MetadataCache as read from the apiserver (spec possibly not yet defaulted). */
export interface MetadataCacheResource {
  apiVersion?: string;
  kind?: string;
  metadata: V1ObjectMeta;
  spec?: Partial<MetadataCacheSpec>;
  status?: MetadataCacheStatus;
}

/** A MetadataCache whose spec is validated and defaulted. */
export interface MetadataCache {
  metadata: V1ObjectMeta & { name: string; namespace: string };
  spec: MetadataCacheSpec;
  status?: MetadataCacheStatus;
}
