import type { KubernetesObject } from '@kubernetes/client-node';
import type { MetadataCache } from '../api/types.js';
import { childMeta, childNames, selectorLabels } from './names.js';
import { SERVICE_ROLE_LABEL } from './services.js';

export const SERVICE_MONITOR_CRD = 'servicemonitors.monitoring.coreos.com';

export interface ServiceMonitor extends KubernetesObject {
  spec: Record<string, unknown>;
}

/**
 * A Prometheus Operator ServiceMonitor scraping every member's /metrics, relabelled with the
 * `cache` and `pod` labels docs/metrics.md promises. Undefined when disabled.
 */
export function buildServiceMonitor(cache: MetadataCache): ServiceMonitor | undefined {
  const sm = cache.spec.monitoring.serviceMonitor;
  if (!sm.enabled) return undefined;
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: childMeta(cache, childNames(cache.metadata.name).serviceMonitor, sm.labels ?? {}),
    spec: {
      selector: {
        matchLabels: { ...selectorLabels(cache.metadata.name), [SERVICE_ROLE_LABEL]: 'client' },
      },
      namespaceSelector: { matchNames: [cache.metadata.namespace] },
      endpoints: [
        {
          port: 'http',
          path: '/metrics',
          interval: sm.interval,
          relabelings: [
            {
              sourceLabels: ['__meta_kubernetes_pod_label_app_kubernetes_io_instance'],
              targetLabel: 'cache',
            },
            { sourceLabels: ['__meta_kubernetes_pod_name'], targetLabel: 'pod' },
          ],
        },
      ],
    },
  };
}
