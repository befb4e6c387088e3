/** Names and labels of a MetadataCache's children, derived from the resource name only. */
import type { V1OwnerReference } from '@kubernetes/client-node';
import { API_VERSION, KIND } from '../api/constants.js';
import type { MetadataCache } from '../api/types.js';

export const childNames = (name: string) => ({
  statefulSet: name,
  clientService: name,
  headlessService: `${name}-hl`,
  configMap: `${name}-config`,
  generatedSecret: `${name}-auth`,
  serviceAccount: name,
  discoveryRole: `${name}-discovery`,
  pdb: name,
  serviceMonitor: name,
});

/** Labels that select the member pods (stable for the life of the StatefulSet). */
export function selectorLabels(name: string): Record<string, string> {
  return { 'app.kubernetes.io/name': 'metadatacache', 'app.kubernetes.io/instance': name };
}

/** Standard app.kubernetes.io labels every child carries. */
export function commonLabels(name: string): Record<string, string> {
  return {
    ...selectorLabels(name),
    'app.kubernetes.io/component': 'cache-node',
    'app.kubernetes.io/part-of': 'metadatacache',
    'app.kubernetes.io/managed-by': 'metadatacache-operator',
  };
}

export function selectorString(name: string): string {
  return Object.entries(selectorLabels(name))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function ownerReference(cache: MetadataCache): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: cache.metadata.name,
    uid: cache.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** metadata for a child object: name, namespace, labels, owner. */
export function childMeta(cache: MetadataCache, name: string, labels: Record<string, string> = {}) {
  return {
    name,
    namespace: cache.metadata.namespace,
    labels: { ...commonLabels(cache.metadata.name), ...labels },
    ownerReferences: [ownerReference(cache)],
  };
}
