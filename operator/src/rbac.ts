/**
 * The operator's permissions, least privilege: the one source for operator/deploy/rbac.yaml (and
 * the Helm chart's templates). Secrets are only read by name and created, never listed.
 */
import type { V1PolicyRule } from '@kubernetes/client-node';
import { GROUP, PLURAL } from './api/constants.js';
import { MEMBER_DISCOVERY_RULES } from './build/discovery-rbac.js';
import { SERVICE_MONITOR_CRD } from './build/servicemonitor.js';

const READ = ['get', 'list', 'watch'];
const MANAGE = [...READ, 'create', 'patch', 'delete'];

/** Cluster-wide rules (the operator watches every namespace). */
export const clusterRules: V1PolicyRule[] = [
  { apiGroups: [GROUP], resources: [PLURAL], verbs: READ },
  { apiGroups: [GROUP], resources: [`${PLURAL}/status`], verbs: ['get', 'patch', 'update'] },
  // Needed to set blockOwnerDeletion on children's ownerReferences.
  { apiGroups: [GROUP], resources: [`${PLURAL}/finalizers`], verbs: ['update'] },
  { apiGroups: ['apps'], resources: ['statefulsets'], verbs: MANAGE },
  { apiGroups: [''], resources: ['services', 'configmaps', 'serviceaccounts'], verbs: MANAGE },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create', 'patch'] },
  { apiGroups: [''], resources: ['pods'], verbs: READ },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: MANAGE },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: MANAGE },
  // Granting the members' discovery Role requires holding the same permissions.
  ...MEMBER_DISCOVERY_RULES,
  { apiGroups: ['monitoring.coreos.com'], resources: ['servicemonitors'], verbs: MANAGE },
  {
    apiGroups: ['apiextensions.k8s.io'],
    resources: ['customresourcedefinitions'],
    resourceNames: [SERVICE_MONITOR_CRD],
    verbs: ['get'],
  },
  { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
];

/** Rules in the operator's own namespace: the leader-election Lease. */
export const leaderElectionRules: V1PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
];
