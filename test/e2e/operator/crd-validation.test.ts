/**
 * The generated CRD on a real apiserver: it installs, documents itself through `kubectl explain`,
 * defaults a minimal resource, and refuses bad resources at apply time with a message naming the
 * field.
 */
import { jest } from '@jest/globals';
import type { Kube } from '../../helpers/kube.js';
import { cacheYaml, getJson, setUpOperatorTest, type OperatorTest } from './harness.js';

jest.setTimeout(60_000);

let t: OperatorTest | undefined;
let kube: Kube;
let ns: string;

beforeAll(async () => {
  t = await setUpOperatorTest('mdc-crd', { operator: false });
  ({ kube, ns } = t);
}, 120_000);

afterAll(() => t?.stop());

const map = (over: Record<string, unknown> = {}) => ({ name: 'products', ...over });

// [what, spec, text the apiserver's refusal must contain]
const invalid: [string, Record<string, unknown>, string][] = [
  ['negative replicas', { replicas: -1 }, 'spec.replicas'],
  ['too many replicas', { replicas: 5000 }, 'spec.replicas'],
  ['backupCount above 6', { backupCount: 7 }, 'spec.backupCount'],
  ['negative backupCount', { backupCount: -1 }, 'spec.backupCount'],
  ['partitionCount 0', { partitionCount: 0 }, 'spec.partitionCount'],
  ['partitionCount too large', { partitionCount: 70000 }, 'spec.partitionCount'],
  ['unknown eviction policy', { maps: [map({ eviction: 'fifo' })] }, 'spec.maps[0].eviction'],
  ['duplicate map names', { maps: [map(), map()] }, 'Duplicate value'],
  [
    'maxIdleSeconds not below ttlSeconds',
    { maps: [map({ ttlSeconds: 60, maxIdleSeconds: 60 })] },
    'maxIdleSeconds must be less than ttlSeconds',
  ],
  ['map name with a slash', { maps: [map({ name: 'a/b' })] }, 'spec.maps[0].name'],
  ['maxEntries 0', { maps: [map({ maxEntries: 0 })] }, 'spec.maps[0].maxEntries'],
  ['maxSizeBytes under 1 KiB', { maps: [map({ maxSizeBytes: 100 })] }, 'spec.maps[0].maxSizeBytes'],
  ['bad imagePullPolicy', { imagePullPolicy: 'Sometimes' }, 'spec.imagePullPolicy'],
  ['bad undeclaredMaps', { undeclaredMaps: 'maybe' }, 'spec.undeclaredMaps'],
  ['clusterName starting with a dash', { clusterName: '-x' }, 'spec.clusterName'],
  ['unknown field', { replicaz: 3 }, 'replicaz'],
  [
    'cpu that is no quantity',
    { resources: { requests: { cpu: 'lots' } } },
    'spec.resources.requests.cpu',
  ],
  [
    'PDB maxUnavailable 0',
    { podDisruptionBudget: { maxUnavailable: 0 } },
    'spec.podDisruptionBudget.maxUnavailable',
  ],
  ['Secret name with capitals', { auth: { secretName: 'My_Secret' } }, 'spec.auth.secretName'],
  [
    'scrape interval in words',
    { monitoring: { serviceMonitor: { interval: 'often' } } },
    'spec.monitoring.serviceMonitor.interval',
  ],
  ['hand-off timeout too long', { handoffTimeoutSeconds: 4000 }, 'spec.handoffTimeoutSeconds'],
  ['bad logLevel', { logLevel: 'verbose' }, 'spec.logLevel'],
  [
    'bad toleration operator',
    { tolerations: [{ key: 'k', operator: 'Maybe' }] },
    'spec.tolerations[0].operator',
  ],
  ['bad backupMode', { backupMode: 'eventually' }, 'spec.backupMode'],
  ['invalidation batchSize 0', { invalidation: { batchSize: 0 } }, 'spec.invalidation.batchSize'],
  ['hotKeys topK too large', { hotKeys: { topK: 5000 } }, 'spec.hotKeys.topK'],
  ['ExternalName client Service', { service: { type: 'ExternalName' } }, 'spec.service.type'],
  ['maxValueBytes too small', { limits: { maxValueBytes: 1 } }, 'spec.limits.maxValueBytes'],
];

describe('MetadataCache CRD', () => {
  it.each(invalid)('refuses %s', async (_what, spec, expected) => {
    const name = `bad-${Math.random().toString(36).slice(2, 8)}`;
    const r = await kube.kubectl(['-n', ns, 'create', '-f', '-'], {
      input: cacheYaml(name, spec),
      allowFailure: true,
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(expected);
  });

  it('refuses a name too long for its children', async () => {
    const r = await kube.kubectl(['-n', ns, 'create', '-f', '-'], {
      input: cacheYaml('a'.repeat(50), {}),
      allowFailure: true,
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('metadata.name must be a DNS label');
  });

  it('defaults a minimal resource from the shared schema', async () => {
    await kube.kubectl(['-n', ns, 'create', '-f', '-'], { input: cacheYaml('minimal', {}) });
    const got = await getJson<{ spec: Record<string, unknown> }>(kube, [
      '-n',
      ns,
      'get',
      'mdc',
      'minimal',
    ]);
    expect(got.spec).toMatchObject({
      replicas: 3,
      partitionCount: 271,
      backupCount: 1,
      clusterName: 'dev',
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
      auth: { enabled: true },
      invalidation: { batchSize: 100 },
    });
  });

  it('keeps partitionCount immutable after creation', async () => {
    await kube.kubectl(['-n', ns, 'create', '-f', '-'], {
      input: cacheYaml('pinned', { partitionCount: 271 }),
    });
    const r = await kube.kubectl(
      ['-n', ns, 'patch', 'mdc', 'pinned', '--type=merge', '-p', '{"spec":{"partitionCount":300}}'],
      { allowFailure: true },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('partitionCount is immutable');
  });

  it('documents its fields for kubectl explain', async () => {
    const r = await kube.kubectl(['explain', 'metadatacache.spec.backupCount']);
    expect(r.stdout).toContain('backup copies');
  });
});
