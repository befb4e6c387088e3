/**
 * The chart on the real kube-apiserver: every ci/ scenario's rendered manifests pass a server-side
 * dry-run and are then applied for real; `helm install` then `helm upgrade` keeps the CRD and the
 * resources (the MetadataCache created by the first install is adopted, not recreated).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startKube, waitFor, type Kube } from '../../helpers/kube.js';
import { CHART, crdEstablished, helm, template, type K8sObject } from './helm.js';

const TIMEOUT_MS = 180_000;
const CRD = 'metadatacaches.metadatacache.io';
const scenarios = readdirSync(join(CHART, 'ci')).filter((f) => f.endsWith('.yaml'));
const suffix = () => Math.random().toString(36).slice(2, 7);
/** Multi-document YAML for kubectl. */
const toYaml = (objects: K8sObject[]) => objects.map((o) => stringify(o)).join('---\n');

let kube: Kube;

beforeAll(async () => {
  kube = await startKube();
  await kube.kubectl([
    'apply',
    '--server-side',
    '-f',
    join(import.meta.dirname, 'fixtures/monitoring-crds.yaml'),
  ]);
}, TIMEOUT_MS);

afterAll(async () => {
  await kube?.stop();
}, TIMEOUT_MS);

const apply = (objects: K8sObject[], dryRun: boolean) =>
  kube.kubectl(
    [
      'apply',
      '--server-side',
      '--force-conflicts',
      '--field-manager=chart-e2e',
      ...(dryRun ? ['--dry-run=server'] : []),
      '-f',
      '-',
    ],
    { input: toYaml(objects) },
  );

describe.each(scenarios)('rendered ci/%s on the apiserver', (scenario) => {
  it(
    'passes a server-side dry-run, then applies for real',
    async () => {
      const ns = await kube.createNamespace('chart');
      const release = `r-${suffix()}`;
      const { objects } = await template(release, ns, [
        '-f',
        join(CHART, 'ci', scenario),
        // Everything in the test namespace (the scenario may name another one).
        '--set',
        `dashboards.namespace=${ns}`,
      ]);
      const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
      const rest = objects.filter((o) => o.kind !== 'CustomResourceDefinition');
      if (crds.length > 0) {
        await apply(crds, true);
        await apply(crds, false);
        await crdEstablished(kube, CRD);
      }
      const dry = await apply(rest, true);
      expect(dry.stdout).toMatch(/serverside-applied \(server dry run\)/);
      await apply(rest, false);
      for (const o of rest) {
        const where = o.metadata.namespace ? ['-n', o.metadata.namespace] : [];
        const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
        const resource = group ? `${o.kind}.${group}` : o.kind;
        const got = await kube.kubectl(['get', ...where, resource, o.metadata.name, '-o', 'name'], {
          allowFailure: true,
        });
        expect({ object: `${o.kind}/${o.metadata.name}`, found: got.code === 0 }).toEqual({
          object: `${o.kind}/${o.metadata.name}`,
          found: true,
        });
      }
      // Cluster-scoped objects of this release would outlive the namespace.
      const clusterScoped = rest.filter((o) => o.kind.startsWith('Cluster'));
      await kube.kubectl(['delete', '--ignore-not-found', '-f', '-'], {
        input: toYaml(clusterScoped),
      });
    },
    TIMEOUT_MS,
  );
});

describe('helm install, then upgrade', () => {
  it(
    'keeps the CRD and adopts the MetadataCache instead of recreating it',
    async () => {
      const ns = await kube.createNamespace('helm');
      const release = `mdc-${suffix()}`;
      const env = kube.env;
      const existing = await kube.kubectl(['get', 'crd', CRD, '-o', 'name'], {
        allowFailure: true,
      });
      if (existing.code === 0) {
        // Installed earlier with kubectl (another test, or a user): let this release adopt it,
        // exactly as docs/install.md tells users to.
        await kube.kubectl([
          'label',
          '--overwrite',
          'crd',
          CRD,
          'app.kubernetes.io/managed-by=Helm',
        ]);
        await kube.kubectl([
          'annotate',
          '--overwrite',
          'crd',
          CRD,
          `meta.helm.sh/release-name=${release}`,
          `meta.helm.sh/release-namespace=${ns}`,
        ]);
      }
      const install = await helm(
        [
          'install',
          release,
          CHART,
          '-n',
          ns,
          '--set',
          'cache.enabled=true',
          '--set',
          'cache.replicas=3',
        ],
        env,
      );
      expect(install.stderr).toBe('');
      expect(install.code).toBe(0);
      const uidOf = async (args: string[]) =>
        (await kube.kubectl([...args, '-o', 'jsonpath={.metadata.uid}'])).stdout;
      const crdUid = await uidOf(['get', 'crd', CRD]);
      const cacheName = `${release}-metadata-cache-operator`;
      const cacheUid = await waitFor(
        'the MetadataCache from the post-install hook',
        async () => (await uidOf(['-n', ns, 'get', 'mdc', cacheName]).catch(() => '')) || undefined,
      );
      const keep = await kube.kubectl([
        'get',
        'crd',
        CRD,
        '-o',
        "jsonpath={.metadata.annotations['helm\\.sh/resource-policy']}",
      ]);
      expect(keep.stdout).toBe('keep');

      const upgrade = await helm(
        [
          'upgrade',
          release,
          CHART,
          '-n',
          ns,
          '--set',
          'cache.enabled=true',
          '--set',
          'cache.replicas=4',
        ],
        env,
      );
      expect({ code: upgrade.code, stderr: upgrade.stderr }).toEqual({ code: 0, stderr: '' });
      expect(await uidOf(['get', 'crd', CRD])).toBe(crdUid);
      expect(await uidOf(['-n', ns, 'get', 'mdc', cacheName])).toBe(cacheUid);
      const replicas = await kube.kubectl([
        '-n',
        ns,
        'get',
        'mdc',
        cacheName,
        '-o',
        'jsonpath={.spec.replicas}',
      ]);
      expect(replicas.stdout).toBe('4');
      const manifest = await helm(['get', 'manifest', release, '-n', ns], env);
      expect(manifest.stdout).toContain('kind: MetadataCache');
      await kube.kubectl(['-n', ns, 'get', 'deployment', `${release}-metadata-cache-operator`]);

      const uninstall = await helm(['uninstall', release, '-n', ns], env);
      expect(uninstall.code).toBe(0);
      expect(uninstall.stdout).toMatch(/kept due to the resource policy|uninstalled/);
      expect(await uidOf(['get', 'crd', CRD])).toBe(crdUid);
    },
    TIMEOUT_MS,
  );
});
