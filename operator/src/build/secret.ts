import type { V1Secret } from '@kubernetes/client-node';
import { ANNOTATIONS } from '../api/constants.js';
import type { MetadataCache } from '../api/types.js';
import { hashOf } from './hash.js';
import { childMeta, childNames } from './names.js';

/** Source of randomness (injected so tests are deterministic). */
export type RandomBytes = (n: number) => Buffer;

export const SECRET_KEYS = { username: 'username', password: 'password', token: 'token' } as const;

/** Name of the Secret the members read credentials from, or undefined when auth is off. */
export function authSecretName(cache: MetadataCache): string | undefined {
  if (!cache.spec.auth.enabled) return undefined;
  return cache.spec.auth.secretName ?? childNames(cache.metadata.name).generatedSecret;
}

/**
 * Hash of the credentials a member reads from the auth Secret (only the keys it mounts), or of
 * their absence: members start without credentials while a named Secret is missing.
 */
export function authChecksum(data: Readonly<Record<string, string>> | undefined): string {
  if (!data) return hashOf({ absent: true });
  return hashOf(Object.values(SECRET_KEYS).map((k) => data[k] ?? null));
}

/**
 * A generated credentials Secret, or undefined when the user names one (or auth is off). The
 * caller creates it only when absent: credentials are never regenerated.
 */
export function buildGeneratedSecret(
  cache: MetadataCache,
  randomBytes: RandomBytes,
): V1Secret | undefined {
  if (!cache.spec.auth.enabled || cache.spec.auth.secretName) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      ...childMeta(cache, childNames(cache.metadata.name).generatedSecret),
      annotations: { [ANNOTATIONS.generated]: 'true' },
    },
    type: 'Opaque',
    stringData: {
      [SECRET_KEYS.username]: 'metadatacache',
      [SECRET_KEYS.password]: randomBytes(18).toString('base64url'),
      [SECRET_KEYS.token]: randomBytes(24).toString('hex'),
    },
  };
}
