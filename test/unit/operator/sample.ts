/** A sample MetadataCache for operator unit tests. */
import { normalize } from '../../../operator/src/api/defaults.js';
import type { MetadataCache, MetadataCacheResource } from '../../../operator/src/api/types.js';

export function sampleResource(spec: Record<string, unknown> = {}): MetadataCacheResource {
  return {
    apiVersion: 'metadatacache.io/v1alpha1',
    kind: 'MetadataCache',
    metadata: { name: 'catalog', namespace: 'shop', uid: 'uid-1234', generation: 2 },
    spec: {
      clusterName: 'catalog',
      maps: [
        { name: 'products', maxEntries: 50000, ttlSeconds: 600, maxIdleSeconds: 120 },
        { name: 'prices', maxSizeBytes: 67108864, eviction: 'lru' },
      ],
      ...spec,
    },
  };
}

export const sample = (spec: Record<string, unknown> = {}): MetadataCache =>
  normalize(sampleResource(spec));

/** Deterministic "random" bytes. */
export const fixedBytes = (n: number): Buffer => Buffer.alloc(n, 7);
