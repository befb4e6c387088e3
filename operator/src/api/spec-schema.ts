/**
 * The MetadataCache `spec` and `status` schemas: the cache settings shared with the node
 * (cache-node's schema.ts, the single source) plus the operator-only fields defined here. The CRD
 * generator turns these into the CRD's openAPIV3Schema; the operator validates and defaults specs
 * with the same objects (ajv), so the two cannot drift.
 */
import {
  cacheSettingsProperties,
  nodeOnlyProperties,
} from '@metadatacache/cache-node/config/schema';
import { DEFAULT_IMAGE } from './constants.js';

const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** Kubernetes resource quantity (e.g. 500m, 1Gi, 2). */
const QUANTITY = '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$';

const quantity = (description: string) =>
  ({
    type: 'string',
    pattern: QUANTITY,
    maxLength: 32,
    description,
  }) as const;

const resourceList = (description: string, dflt?: { cpu: string; memory: string }) => ({
  type: 'object',
  description,
  additionalProperties: false,
  ...(dflt ? { default: dflt } : {}),
  properties: {
    cpu: quantity('CPU, e.g. "500m" or "2".'),
    memory: quantity('Memory, e.g. "512Mi" or "2Gi".'),
  },
});

const stringMap = (description: string) =>
  ({
    type: 'object',
    description,
    maxProperties: 64,
    additionalProperties: { type: 'string', maxLength: 1024 },
  }) as const;

/** Kubernetes objects the operator passes through unchanged (their full schemas are huge). */
const passThrough = (description: string) =>
  ({
    type: 'object',
    description,
    'x-kubernetes-preserve-unknown-fields': true,
  }) as const;

export const operatorSpecProperties = {
  replicas: {
    type: 'integer',
    minimum: 0,
    maximum: 1000,
    default: 3,
    description:
      'Number of cache members (pods). Also set by `kubectl scale` and HorizontalPodAutoscalers through the scale subresource. Scale-in removes one member at a time after its partitions are handed off.',
  },
  image: {
    type: 'string',
    minLength: 1,
    maxLength: 512,
    default: DEFAULT_IMAGE,
    description: 'Container image of the cache node.',
  },
  imagePullPolicy: {
    type: 'string',
    enum: ['Always', 'IfNotPresent', 'Never'],
    default: 'IfNotPresent',
    description: 'Image pull policy of the cache-node container.',
  },
  imagePullSecrets: {
    type: 'array',
    maxItems: 16,
    description: 'Names of Secrets used to pull the image.',
    items: {
      type: 'string',
      pattern: DNS_SUBDOMAIN,
      maxLength: 253,
      description: 'Secret name.',
    },
  },
  resources: {
    type: 'object',
    description: 'Compute resources of each cache-node container.',
    additionalProperties: false,
    default: {},
    properties: {
      requests: resourceList('Resources reserved for the container.', {
        cpu: '100m',
        memory: '256Mi',
      }),
      limits: resourceList('Resources the container may not exceed (memory is enforced).'),
    },
  },
  logLevel: nodeOnlyProperties.logLevel,
  handoffTimeoutSeconds: {
    ...nodeOnlyProperties.shutdown.properties.handoffTimeoutSeconds,
    description:
      'On termination (rollout, scale-in, eviction), time a member has to hand its partitions to the others. The pod grace period is this plus 30 seconds.',
  },
  nodeSelector: stringMap('Node labels a cache pod must match.'),
  affinity: passThrough('Pod affinity and anti-affinity (core/v1 Affinity), passed to the pods.'),
  tolerations: {
    type: 'array',
    maxItems: 64,
    description: 'Tolerations of the cache pods (core/v1 Toleration).',
    items: {
      type: 'object',
      description: 'A toleration.',
      additionalProperties: false,
      properties: {
        key: { type: 'string', maxLength: 316, description: 'Taint key; empty matches all.' },
        operator: {
          type: 'string',
          enum: ['Exists', 'Equal'],
          description: 'How key and value are compared.',
        },
        value: { type: 'string', maxLength: 63, description: 'Taint value (operator Equal).' },
        effect: {
          type: 'string',
          enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'],
          description: 'Taint effect to tolerate; empty matches all.',
        },
        tolerationSeconds: {
          type: 'integer',
          minimum: 0,
          description: 'How long a NoExecute taint is tolerated.',
        },
      },
    },
  },
  topologySpreadConstraints: {
    type: 'array',
    maxItems: 16,
    description:
      'Topology spread constraints (core/v1 TopologySpreadConstraint). When absent, members are spread across zones (topology.kubernetes.io/zone) and nodes (kubernetes.io/hostname) with maxSkew 1, ScheduleAnyway; an empty list turns spreading off.',
    items: passThrough(
      'A topology spread constraint; labelSelector defaults to the cache pods when absent.',
    ),
  },
  podDisruptionBudget: {
    type: 'object',
    description: 'PodDisruptionBudget of the cache pods, so voluntary evictions go one at a time.',
    additionalProperties: false,
    default: {},
    properties: {
      enabled: {
        type: 'boolean',
        default: true,
        description: 'Create a PodDisruptionBudget.',
      },
      maxUnavailable: {
        type: 'integer',
        minimum: 1,
        maximum: 1000,
        default: 1,
        description: 'Members that may be voluntarily disrupted at once.',
      },
    },
  },
  auth: {
    type: 'object',
    description:
      'Credentials clients must present. The Secret holds keys `username`, `password` and/or `token`; when `secretName` is absent the operator generates `<name>-auth` once and never regenerates it.',
    additionalProperties: false,
    default: {},
    properties: {
      enabled: {
        type: 'boolean',
        default: true,
        description: 'Require credentials from clients and members.',
      },
      secretName: {
        type: 'string',
        pattern: DNS_SUBDOMAIN,
        maxLength: 253,
        description: 'Existing Secret with the credentials (same namespace).',
      },
    },
  },
  service: {
    type: 'object',
    description: 'The client Service.',
    additionalProperties: false,
    default: {},
    properties: {
      type: {
        type: 'string',
        enum: ['ClusterIP', 'NodePort', 'LoadBalancer'],
        default: 'ClusterIP',
        description: 'Service type.',
      },
      annotations: stringMap('Annotations of the client Service.'),
    },
  },
  monitoring: {
    type: 'object',
    description: 'Prometheus monitoring.',
    additionalProperties: false,
    default: {},
    properties: {
      serviceMonitor: {
        type: 'object',
        description:
          'A Prometheus Operator ServiceMonitor for the members (created only when its CRD is installed).',
        additionalProperties: false,
        default: {},
        properties: {
          enabled: { type: 'boolean', default: false, description: 'Create a ServiceMonitor.' },
          interval: {
            type: 'string',
            pattern: '^[0-9]+(ms|s|m|h)$',
            default: '30s',
            description: 'Scrape interval.',
          },
          labels: stringMap(
            'Extra labels on the ServiceMonitor, e.g. `release: kube-prometheus-stack` so Prometheus selects it.',
          ),
        },
      },
    },
  },
} as const;

export const specSchema = {
  type: 'object',
  description: 'Desired state of a MetadataCache cluster.',
  additionalProperties: false,
  properties: {
    ...cacheSettingsProperties,
    partitionCount: {
      ...cacheSettingsProperties.partitionCount,
      'x-kubernetes-validations': [
        {
          rule: 'self == oldSelf',
          message:
            'partitionCount is immutable: clients pin it on first connect; create a new MetadataCache instead',
        },
      ],
    },
    ...operatorSpecProperties,
  },
} as const;

const conditionSchema = {
  type: 'object',
  description: 'An observation of one aspect of the cache.',
  required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
  properties: {
    type: {
      type: 'string',
      maxLength: 316,
      description: 'Available, Progressing or Degraded.',
    },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'], description: 'Status.' },
    reason: { type: 'string', maxLength: 1024, description: 'CamelCase reason.' },
    message: { type: 'string', maxLength: 32768, description: 'Human-readable detail.' },
    lastTransitionTime: {
      type: 'string',
      format: 'date-time',
      description: 'When the status last changed.',
    },
    observedGeneration: {
      type: 'integer',
      minimum: 0,
      description: 'metadata.generation the condition was computed for.',
    },
  },
} as const;

export const statusSchema = {
  type: 'object',
  description: 'Observed state, written by the operator.',
  properties: {
    observedGeneration: {
      type: 'integer',
      description: 'metadata.generation last reconciled.',
    },
    conditions: {
      type: 'array',
      description: 'Available, Progressing and Degraded.',
      items: conditionSchema,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    },
    replicas: { type: 'integer', description: 'Members (pods) that exist.' },
    readyReplicas: { type: 'integer', description: 'Members that are ready (serving).' },
    updatedReplicas: { type: 'integer', description: 'Members running the current config.' },
    selector: {
      type: 'string',
      description: 'Label selector of the member pods (for the scale subresource and HPA).',
    },
    configChecksum: {
      type: 'string',
      description: 'Checksum of the restart-relevant node config the members should run.',
    },
    liveSettingsHash: {
      type: 'string',
      description: 'Hash of the live map settings last pushed to every ready member.',
    },
    authSecretName: {
      type: 'string',
      description: 'Secret holding the client credentials.',
    },
    members: {
      type: 'array',
      description: 'One entry per member pod.',
      items: {
        type: 'object',
        description: 'A member.',
        properties: {
          name: { type: 'string', description: 'Pod name (member id).' },
          ready: { type: 'boolean', description: 'Pod is ready.' },
          podIP: { type: 'string', description: 'Pod IP.' },
          updated: { type: 'boolean', description: 'Runs the current config.' },
        },
      },
    },
  },
} as const;
