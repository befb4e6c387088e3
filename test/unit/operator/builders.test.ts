import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse, stringify } from 'yaml';
import { nodeConfigSchema } from '../../../cache-node/src/config/schema.js';
import { validateConfig } from '../../../cache-node/src/config/validate.js';
import { ANNOTATIONS } from '../../../operator/src/api/constants.js';
import { normalize } from '../../../operator/src/api/defaults.js';
import type { MetadataCacheResource } from '../../../operator/src/api/types.js';
import {
  buildClientService,
  buildConfigMap,
  buildGeneratedSecret,
  buildHeadlessService,
  buildNodeConfig,
  buildPodDisruptionBudget,
  buildServiceMonitor,
  authChecksum,
  buildStatefulSet,
  configChecksum,
  CONFIG_FILE,
} from '../../../operator/src/build/index.js';
import { fixedBytes, sample } from './sample.js';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures', 'operator');
const update = process.env.UPDATE_GOLDEN === '1';

/** Compares with test/fixtures/operator/NAME.golden.yaml; UPDATE_GOLDEN=1 rewrites it. */
function expectGolden(name: string, value: unknown): void {
  const file = join(fixtures, `${name}.golden.yaml`);
  const text = stringify(value, {
    aliasDuplicateObjects: false,
    blockQuote: 'literal',
    lineWidth: 0,
  });
  if (update || !existsSync(file)) writeFileSync(file, text);
  expect(text).toEqual(readFileSync(file, 'utf8'));
}

const plan = {
  replicas: 3,
  partition: 0,
  configChecksum: 'abc123',
  authSecretName: 'catalog-auth',
  authChecksum: 'def456',
};

describe('builders (golden)', () => {
  const cache = sample();
  it.each([
    ['configmap', () => buildConfigMap(cache)],
    ['secret', () => buildGeneratedSecret(cache, fixedBytes)],
    ['service-headless', () => buildHeadlessService(cache)],
    ['service-client', () => buildClientService(cache)],
    ['statefulset', () => buildStatefulSet(cache, plan)],
    ['pdb', () => buildPodDisruptionBudget(cache)],
    [
      'servicemonitor',
      () =>
        buildServiceMonitor(
          sample({ monitoring: { serviceMonitor: { enabled: true, labels: { release: 'kps' } } } }),
        ),
    ],
  ])('%s', (name, build) => expectGolden(name, build()));
});

describe('node config', () => {
  const cache = sample();
  it('validates against the node schema (ajv) and the node config boundary', () => {
    const ajv = new Ajv({ strict: false });
    const config = parse(buildConfigMap(cache).data![CONFIG_FILE]) as unknown;
    expect(ajv.validate(nodeConfigSchema, config)).toBe(true);
    expect(() => validateConfig(config, 'configmap')).not.toThrow();
  });

  it('discovers members through the headless Service of its own namespace', () => {
    expect(buildNodeConfig(cache).discovery).toEqual({
      mode: 'kubernetes',
      namespace: 'shop',
      service: 'catalog-hl',
    });
  });

  it('keeps the restart checksum when only live map settings change', () => {
    const live = sample({ maps: [{ name: 'products', maxEntries: 10 }, { name: 'prices' }] });
    expect(configChecksum(buildNodeConfig(live))).toBe(configChecksum(buildNodeConfig(cache)));
  });

  it('changes the restart checksum when a restart-relevant setting changes', () => {
    for (const change of [
      { backupCount: 2 },
      { maps: [{ name: 'other' }] },
      { logLevel: 'debug' },
    ]) {
      expect(configChecksum(buildNodeConfig(sample(change)))).not.toBe(
        configChecksum(buildNodeConfig(cache)),
      );
    }
  });
});

describe('statefulset', () => {
  it('gives the hand-off time plus margins as the grace period', () => {
    const sts = buildStatefulSet(sample({ handoffTimeoutSeconds: 100 }), plan);
    expect(sts.spec!.template.spec!.terminationGracePeriodSeconds).toBeGreaterThan(100);
    expect(sts.spec!.template.metadata!.annotations![ANNOTATIONS.configChecksum]).toBe('abc123');
  });

  it('spreads by zone by default, as given otherwise, and not at all for []', () => {
    const keys = (spec: Record<string, unknown>) =>
      buildStatefulSet(sample(spec), plan).spec!.template.spec!.topologySpreadConstraints!.map(
        (c) => c.topologyKey,
      );
    expect(keys({})).toContain('topology.kubernetes.io/zone');
    expect(keys({ topologySpreadConstraints: [] })).toEqual([]);
    expect(
      keys({
        topologySpreadConstraints: [
          { maxSkew: 2, topologyKey: 'rack', whenUnsatisfiable: 'DoNotSchedule' },
        ],
      }),
    ).toEqual(['rack']);
  });

  it('reads no credentials when auth is off', () => {
    const sts = buildStatefulSet(sample({ auth: { enabled: false } }), {
      ...plan,
      authSecretName: undefined,
    });
    const env = sts.spec!.template.spec!.containers[0].env!.map((e) => e.name);
    expect(env).not.toContain('METADATACACHE_TOKEN');
    expect(sts.spec!.template.metadata!.annotations).not.toHaveProperty(ANNOTATIONS.authChecksum);
  });

  it('stamps the credentials checksum on the pod template, so new credentials roll', () => {
    const sts = buildStatefulSet(sample(), plan);
    expect(sts.spec!.template.metadata!.annotations).toEqual({
      [ANNOTATIONS.configChecksum]: 'abc123',
      [ANNOTATIONS.authChecksum]: 'def456',
    });
  });
});

describe('authChecksum', () => {
  const creds = { username: 'metadatacache', password: 'p1', token: 't1' };
  it('changes with any credential the members read', () => {
    const base = authChecksum(creds);
    expect(authChecksum({ ...creds, password: 'p2' })).not.toBe(base);
    expect(authChecksum({ ...creds, token: 't2' })).not.toBe(base);
    expect(authChecksum({ ...creds, username: 'other' })).not.toBe(base);
  });
  it('ignores keys the members do not read and tells a missing Secret apart', () => {
    expect(authChecksum({ ...creds, note: 'x' })).toBe(authChecksum(creds));
    expect(authChecksum(undefined)).not.toBe(authChecksum({}));
  });
});

describe('optional children', () => {
  it('builds no PDB, ServiceMonitor or Secret when they are off or user-provided', () => {
    expect(
      buildPodDisruptionBudget(sample({ podDisruptionBudget: { enabled: false } })),
    ).toBeUndefined();
    expect(buildServiceMonitor(sample())).toBeUndefined();
    expect(
      buildGeneratedSecret(sample({ auth: { secretName: 'mine' } }), fixedBytes),
    ).toBeUndefined();
  });
});

describe('examples/metadatacache.yaml', () => {
  it('is a valid MetadataCache for the operator', () => {
    const text = readFileSync(
      join(import.meta.dirname, '..', '..', '..', 'examples', 'metadatacache.yaml'),
      'utf8',
    );
    const resource = parse(text) as MetadataCacheResource;
    const cache = normalize({
      ...resource,
      metadata: { ...resource.metadata, namespace: 'default' },
    });
    expect(cache.spec.maps.map((m) => m.name)).toEqual(['products', 'prices']);
  });
});
