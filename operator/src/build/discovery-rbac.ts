/**
 * The members' identity: a ServiceAccount allowed to read the EndpointSlices of their own
 * namespace (kubernetes discovery mode), and nothing else.
 */
import type { V1Role, V1RoleBinding, V1ServiceAccount } from '@kubernetes/client-node';
import type { MetadataCache } from '../api/types.js';
import { childMeta, childNames } from './names.js';

export const MEMBER_DISCOVERY_RULES = [
  {
    apiGroups: ['discovery.k8s.io'],
    resources: ['endpointslices'],
    verbs: ['get', 'list', 'watch'],
  },
];

export function buildServiceAccount(cache: MetadataCache): V1ServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: childMeta(cache, childNames(cache.metadata.name).serviceAccount),
  };
}

export function buildDiscoveryRole(cache: MetadataCache): V1Role {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: childMeta(cache, childNames(cache.metadata.name).discoveryRole),
    rules: MEMBER_DISCOVERY_RULES,
  };
}

export function buildDiscoveryRoleBinding(cache: MetadataCache): V1RoleBinding {
  const names = childNames(cache.metadata.name);
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: childMeta(cache, names.discoveryRole),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: names.discoveryRole },
    subjects: [
      { kind: 'ServiceAccount', name: names.serviceAccount, namespace: cache.metadata.namespace },
    ],
  };
}
