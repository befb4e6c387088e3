import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import { HTTP_PORT, PROTOCOL_PORT } from '../api/constants.js';
import type { MetadataCache } from '../api/types.js';
import { childMeta, childNames, selectorLabels } from './names.js';

/** Label that tells the client Service from the headless one (ServiceMonitor selects on it). */
export const SERVICE_ROLE_LABEL = 'metadatacache.io/service';

const ports: V1ServicePort[] = [
  { name: 'hazelcast', port: PROTOCOL_PORT, targetPort: 'hazelcast', protocol: 'TCP' },
  { name: 'http', port: HTTP_PORT, targetPort: 'http', protocol: 'TCP' },
];

/** Headless Service for member discovery; lists members before they are ready so they can join. */
export function buildHeadlessService(cache: MetadataCache): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMeta(cache, childNames(cache.metadata.name).headlessService, {
      [SERVICE_ROLE_LABEL]: 'headless',
    }),
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: selectorLabels(cache.metadata.name),
      ports,
    },
  };
}

/** Service clients connect to (ready members only). */
export function buildClientService(cache: MetadataCache): V1Service {
  const { service } = cache.spec;
  const meta = childMeta(cache, childNames(cache.metadata.name).clientService, {
    [SERVICE_ROLE_LABEL]: 'client',
  });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: service.annotations ? { ...meta, annotations: service.annotations } : meta,
    spec: { type: service.type, selector: selectorLabels(cache.metadata.name), ports },
  };
}
