/**
 * Builds the MetadataCache CustomResourceDefinition from the JSON schemas (pure). The generator
 * script writes it to crds/metadatacache.yaml; a unit test fails when that file is stale.
 */
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { GROUP, KIND, PLURAL, SHORT_NAME, SINGULAR, VERSION } from './constants.js';
import { specSchema, statusSchema } from './spec-schema.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Longest resource name whose children (`<name>-hl`, pod `<name>-N`) stay within DNS limits. */
export const MAX_NAME_LENGTH = 42;

/**
 * Makes a JSON schema structural: `additionalProperties: false` is dropped (the apiserver prunes
 * and refuses unknown fields itself), as are ajv-only keywords.
 */
export function toStructural(schema: unknown): Json {
  if (Array.isArray(schema)) return schema.map(toStructural);
  if (schema === null || typeof schema !== 'object') return schema as Json;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    if (key === '$id' || key === '$schema') continue;
    if (key === 'additionalProperties' && value === false) continue;
    // `default` and `enum` values are data, not schemas: copy them as they are.
    out[key] =
      key === 'default' || key === 'enum' ? (structuredClone(value) as Json) : toStructural(value);
  }
  return out;
}

const printerColumns = [
  {
    name: 'Ready',
    type: 'integer',
    jsonPath: '.status.readyReplicas',
    description: 'Ready members',
  },
  { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', description: 'Desired members' },
  {
    name: 'Status',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="Available")].reason',
    description: 'Reason of the Available condition',
  },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

export function buildCrd(): V1CustomResourceDefinition {
  const openAPIV3Schema = {
    type: 'object',
    description:
      'A MetadataCache is a distributed metadata cache: members speaking the Hazelcast client protocol and an HTTP API, run as a StatefulSet by the MetadataCache operator.',
    properties: {
      apiVersion: { type: 'string', description: 'API version: metadatacache.io/v1alpha1.' },
      kind: { type: 'string', description: 'Kind: MetadataCache.' },
      metadata: { type: 'object' },
      spec: { ...(toStructural(specSchema) as object), default: {} },
      status: toStructural(statusSchema),
    },
    'x-kubernetes-validations': [
      {
        rule: `self.metadata.name.size() <= ${MAX_NAME_LENGTH} && self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')`,
        message: `metadata.name must be a DNS label starting with a letter and at most ${MAX_NAME_LENGTH} characters (it names the StatefulSet, Services and pods)`,
      },
    ],
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${PLURAL}.${GROUP}`,
      labels: {
        'app.kubernetes.io/name': 'metadatacache-operator',
        'app.kubernetes.io/part-of': 'metadatacache',
      },
    },
    spec: {
      group: GROUP,
      names: {
        kind: KIND,
        listKind: `${KIND}List`,
        plural: PLURAL,
        singular: SINGULAR,
        shortNames: [SHORT_NAME],
        categories: ['metadatacache'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: {
            status: {},
            scale: {
              specReplicasPath: '.spec.replicas',
              statusReplicasPath: '.status.replicas',
              labelSelectorPath: '.status.selector',
            },
          },
          additionalPrinterColumns: printerColumns,
          // The client-node type models JSONSchemaProps field by field; ours is plain JSON.
          schema: { openAPIV3Schema: openAPIV3Schema as never },
        },
      ],
    },
  };
}
