/**
 * Children the operator cannot simply watch, on a real apiserver: a wanted ServiceMonitor whose
 * CRD is missing is reported (condition and event) and created once the CRD is installed; a
 * deleted generated Secret is created again; resources outside --watch-namespace are left alone.
 * A private control plane, because installing the ServiceMonitor CRD is cluster-wide and other
 * files (the chart's) install it too.
 */
import { jest } from '@jest/globals';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/kube-control-plane.js';
import { crdEstablished, startKube, waitFor, type Kube } from '../../helpers/kube.js';
import type { MetadataCacheResource } from '../../../operator/src/api/types.js';
import {
  cacheYaml,
  getJson,
  installCrd,
  maybeGet,
  startOperator,
  type OperatorProcess,
} from './harness.js';

jest.setTimeout(60_000);

const MONITORING_CRDS = join(repoRoot, 'test', 'e2e', 'chart', 'fixtures', 'monitoring-crds.yaml');

let kube: Kube;
let ns: string;
let op: OperatorProcess | undefined;

beforeAll(async () => {
  kube = await startKube({ dedicated: true });
  await installCrd(kube);
  ns = await kube.createNamespace('mdc-children');
  // A short resync stands in for "the next reconcile" (Secrets and CRDs are not watched).
  op = await startOperator(kube, ns, { extraArgs: ['--resync-seconds', '2'] });
}, 180_000);

afterAll(async () => {
  await op?.stop();
  await kube?.stop();
}, 60_000);

const monitorCondition = async (name: string) => {
  const c = await getJson<MetadataCacheResource>(kube, ['-n', ns, 'get', 'mdc', name]);
  return c.status?.conditions?.find((x) => x.type === 'ServiceMonitorReady');
};

test('a ServiceMonitor waiting for its CRD is reported, then created once the CRD exists', async () => {
  await kube.kubectl(['-n', ns, 'apply', '-f', '-'], {
    input: cacheYaml('mon', { replicas: 1, monitoring: { serviceMonitor: { enabled: true } } }),
  });
  const waiting = await waitFor('ServiceMonitorReady=False', async () => {
    const c = await monitorCondition('mon');
    return c?.status === 'False' ? c : undefined;
  });
  expect(waiting.reason).toBe('CRDNotInstalled');
  expect(waiting.message).toContain('servicemonitors.monitoring.coreos.com');
  const events = await kube.kubectl([
    '-n',
    ns,
    'get',
    'events',
    '--field-selector',
    'involvedObject.name=mon,reason=ServiceMonitorSkipped',
    '-o',
    'name',
  ]);
  expect(events.stdout.trim().split('\n')).toHaveLength(1);

  await kube.kubectl(['apply', '--server-side', '-f', MONITORING_CRDS]);
  await crdEstablished(kube, 'servicemonitors.monitoring.coreos.com');
  const monitor = await waitFor('the ServiceMonitor', () =>
    maybeGet<{ metadata: { ownerReferences?: { name: string }[] } }>(kube, [
      '-n',
      ns,
      'get',
      'servicemonitors.monitoring.coreos.com',
      'mon',
    ]),
  );
  expect(monitor.metadata.ownerReferences?.[0]?.name).toBe('mon');
  await waitFor('ServiceMonitorReady=True', async () =>
    (await monitorCondition('mon'))?.reason === 'Applied' ? true : undefined,
  );
});

test('a deleted generated Secret is created again on the next reconcile', async () => {
  await kube.kubectl(['-n', ns, 'apply', '-f', '-'], { input: cacheYaml('sec', { replicas: 1 }) });
  const first = await waitFor('the generated Secret', () =>
    maybeGet<{ metadata: { uid: string } }>(kube, ['-n', ns, 'get', 'secret', 'sec-auth']),
  );
  await kube.kubectl(['-n', ns, 'delete', 'secret', 'sec-auth']);
  const again = await waitFor('the Secret created again', async () => {
    const s = await maybeGet<{ metadata: { uid: string } }>(kube, [
      '-n',
      ns,
      'get',
      'secret',
      'sec-auth',
    ]);
    return s && s.metadata.uid !== first.metadata.uid ? s : undefined;
  });
  expect(again.metadata.uid).not.toBe(first.metadata.uid);
});

test('--watch-namespace: a MetadataCache in another namespace is left alone', async () => {
  const other = await kube.createNamespace('mdc-other');
  await kube.kubectl(['-n', other, 'apply', '-f', '-'], { input: cacheYaml('elsewhere', {}) });
  await kube.kubectl(['-n', ns, 'apply', '-f', '-'], { input: cacheYaml('here', { replicas: 1 }) });
  await waitFor('here reconciled', () => maybeGet(kube, ['-n', ns, 'get', 'sts', 'here']));
  // A negative can only be observed over time: two resync periods (2 s) after the operator
  // reconciled a resource created later, one it watched would have been reconciled too.
  await new Promise((r) => setTimeout(r, 4500));
  const elsewhere = await getJson<MetadataCacheResource>(kube, [
    '-n',
    other,
    'get',
    'mdc',
    'elsewhere',
  ]);
  expect(elsewhere.status).toBeUndefined();
  expect(await maybeGet(kube, ['-n', other, 'get', 'sts', 'elsewhere'])).toBeUndefined();
});
