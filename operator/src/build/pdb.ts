import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { MetadataCache } from '../api/types.js';
import { childMeta, childNames, selectorLabels } from './names.js';

/** PodDisruptionBudget, or undefined when disabled (the reconciler then deletes an old one). */
export function buildPodDisruptionBudget(cache: MetadataCache): V1PodDisruptionBudget | undefined {
  const { podDisruptionBudget } = cache.spec;
  if (!podDisruptionBudget.enabled) return undefined;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: childMeta(cache, childNames(cache.metadata.name).pdb),
    spec: {
      maxUnavailable: podDisruptionBudget.maxUnavailable,
      selector: { matchLabels: selectorLabels(cache.metadata.name) },
    },
  };
}
