/**
 * The node config a cache's members run with (validated by the node against nodeConfigSchema),
 * split into what can be pushed to running members and what needs a restart.
 */
import { cacheSettingsProperties } from '@metadatacache/cache-node/config/schema';
import { HTTP_PORT, PROTOCOL_PORT } from '../api/constants.js';
import type { MapSettings, MetadataCache, NamedMap } from '../api/types.js';
import { hashOf } from './hash.js';
import { childNames } from './names.js';

/** Per-map settings the node's admin API changes without a restart. */
export const LIVE_MAP_FIELDS = [
  'maxEntries',
  'maxSizeBytes',
  'eviction',
  'ttlSeconds',
  'maxIdleSeconds',
] as const satisfies readonly (keyof MapSettings)[];

const SHARED_KEYS = Object.keys(
  cacheSettingsProperties,
) as (keyof typeof cacheSettingsProperties)[];

export type NodeConfig = Record<string, unknown>;

export function buildNodeConfig(cache: MetadataCache): NodeConfig {
  const { spec, metadata } = cache;
  const shared = Object.fromEntries(SHARED_KEYS.map((k) => [k, structuredClone(spec[k])]));
  return {
    ...shared,
    // One file for every pod: the member id and address come from the pod (downward API env).
    member: { host: '0.0.0.0', port: PROTOCOL_PORT, httpPort: HTTP_PORT },
    discovery: {
      mode: 'kubernetes',
      namespace: metadata.namespace,
      service: childNames(metadata.name).headlessService,
    },
    shutdown: { handoffTimeoutSeconds: spec.handoffTimeoutSeconds },
    logLevel: spec.logLevel,
  };
}

/** Settings of each declared map that running members accept live, by map name. */
export function liveMapSettings(cache: MetadataCache): Record<string, MapSettings> {
  return Object.fromEntries(cache.spec.maps.map((m) => [m.name, pickLive(m)]));
}

function pickLive(m: NamedMap): MapSettings {
  const out: Record<string, unknown> = {};
  for (const f of LIVE_MAP_FIELDS) if (m[f] !== undefined) out[f] = m[f];
  return out;
}

/** The config with live map settings removed: when this changes, members must restart. */
export function restartRelevantConfig(config: NodeConfig): NodeConfig {
  const maps = (config.maps as NamedMap[] | undefined) ?? [];
  return { ...config, maps: maps.map((m) => m.name) };
}

export const configChecksum = (config: NodeConfig): string => hashOf(restartRelevantConfig(config));

export const liveSettingsHash = (cache: MetadataCache): string => hashOf(liveMapSettings(cache));
