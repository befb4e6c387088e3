/**
 * Children the operator cannot simply watch, on a real apiserver: a wanted ServiceMonitor whose
 * CRD is missing is reported (condition and event) and created once the CRD is installed, and
 * deleted (only the operator's own) once disabled; a deleted generated Secret is created again
 * and its new credentials roll the members one at a time; resources outside --watch-namespace are
 * left alone.
 * A private control plane, because installing the ServiceMonitor CRD is cluster-wide and other
 * files (the chart's) install it too.
 */
import { jest } from '@jest/globals';
import type { V1Pod, V1Secret, V1StatefulSet } from '@kubernetes/client-node';
import { join } from 'node:path';
import { ProcessKubelet } from '../../helpers/process-kubelet.js';
import { repoRoot } from '../../helpers/kube-control-plane.js';
import { crdEstablished, waitFor, type Kube } from '../../helpers/kube.js';
import type { MetadataCacheResource } from '../../../operator/src/api/types.js';
import { ANNOTATIONS } from '../../../operator/src/api/constants.js';
import { authChecksum } from '../../../operator/src/build/secret.js';
import { cacheYaml, getJson, maybeGet, setUpOperatorTest, type OperatorTest } from './harness.js';

jest.setTimeout(90_000);

const MONITORING_CRDS = join(repoRoot, 'test', 'e2e', 'chart', 'fixtures', 'monitoring-crds.yaml');

let t: OperatorTest | undefined;
let kube: Kube;
let ns: string;
let kubelet: ProcessKubelet | undefined;

beforeAll(async () => {
  t = await setUpOperatorTest('mdc-children', {
    dedicated: true,
    // A short resync stands in for "the next reconcile" (Secrets and CRDs are not watched).
    operator: { extraArgs: ['--resync-seconds', '2'] },
  });
  ({ kube, ns } = t);
}, 180_000);

afterAll(async () => {
  await kubelet?.stop();
  await t?.stop();
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

const serviceMonitor = (name: string) =>
  maybeGet<{ metadata: { uid: string; ownerReferences?: { uid: string }[] } }>(kube, [
    '-n',
    ns,
    'get',
    'servicemonitors.monitoring.coreos.com',
    name,
  ]);
const setMonitoring = (name: string, enabled: boolean) =>
  kube.kubectl([
    '-n',
    ns,
    'patch',
    'mdc',
    name,
    '--type=merge',
    '-p',
    JSON.stringify({ spec: { monitoring: { serviceMonitor: { enabled } } } }),
  ]);

test('disabling the ServiceMonitor deletes the one the operator applied, with an event', async () => {
  // Runs after the CRD was installed by the test above.
  await kube.kubectl(['-n', ns, 'apply', '-f', '-'], {
    input: cacheYaml('mon-off', { replicas: 1, monitoring: { serviceMonitor: { enabled: true } } }),
  });
  await waitFor('the ServiceMonitor', () => serviceMonitor('mon-off'));
  await waitFor('ServiceMonitorReady=True', async () =>
    (await monitorCondition('mon-off'))?.status === 'True' ? true : undefined,
  );
  await setMonitoring('mon-off', false);
  await waitFor('the ServiceMonitor deleted', async () =>
    (await serviceMonitor('mon-off')) ? undefined : true,
  );
  await waitFor('the ServiceMonitorReady condition gone', async () =>
    (await monitorCondition('mon-off')) ? undefined : true,
  );
  const events = await kube.kubectl([
    '-n',
    ns,
    'get',
    'events',
    '--field-selector',
    'involvedObject.name=mon-off,reason=Deleted',
    '-o',
    'jsonpath={.items[*].message}',
  ]);
  expect(events.stdout).toContain('deleted ServiceMonitor mon-off');
});

test('disabling the ServiceMonitor leaves one the operator does not own', async () => {
  await kube.kubectl(['-n', ns, 'apply', '-f', '-'], {
    input: cacheYaml('mon-mine', {
      replicas: 1,
      monitoring: { serviceMonitor: { enabled: true } },
    }),
  });
  await waitFor('ServiceMonitorReady=True', async () =>
    (await monitorCondition('mon-mine'))?.status === 'True' ? true : undefined,
  );
  // Someone replaces it with their own under the same name (no owner reference).
  await kube.kubectl(['-n', ns, 'delete', 'servicemonitors.monitoring.coreos.com', 'mon-mine']);
  await kube.kubectl(['-n', ns, 'apply', '-f', '-'], {
    input: [
      'apiVersion: monitoring.coreos.com/v1',
      'kind: ServiceMonitor',
      'metadata: {name: mon-mine}',
      'spec: {selector: {matchLabels: {app: someone-else}}, endpoints: [{port: http}]}',
    ].join('\n'),
  });
  const theirs = await waitFor('their ServiceMonitor', () => serviceMonitor('mon-mine'));
  await setMonitoring('mon-mine', false);
  // The operator looked (the condition goes once it did) and left theirs in place.
  await waitFor('the ServiceMonitorReady condition gone', async () =>
    (await monitorCondition('mon-mine')) ? undefined : true,
  );
  expect((await serviceMonitor('mon-mine'))?.metadata.uid).toBe(theirs.metadata.uid);
});

const secretOf = (name: string) => maybeGet<V1Secret>(kube, ['-n', ns, 'get', 'secret', name]);
const decoded = (s: V1Secret) =>
  Object.fromEntries(
    Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
const podsOf = async (name: string) =>
  (
    await getJson<{ items: V1Pod[] }>(kube, [
      '-n',
      ns,
      'get',
      'pods',
      '-l',
      `app.kubernetes.io/instance=${name}`,
    ])
  ).items;

test('a deleted generated Secret is created again, and its new credentials roll the members one at a time', async () => {
  kubelet = new ProcessKubelet({ kubeConfig: kube.kubeConfig, namespace: ns, firstPod: 60 });
  await kubelet.start();
  await kube.kubectl(['-n', ns, 'apply', '-f', '-'], { input: cacheYaml('sec', { replicas: 2 }) });
  const first = await waitFor('the generated Secret', () => secretOf('sec-auth'));
  await waitFor('both members ready', async () => {
    const c = await getJson<MetadataCacheResource>(kube, ['-n', ns, 'get', 'mdc', 'sec']);
    const available = c.status?.conditions?.find((x) => x.type === 'Available');
    return available?.reason === 'AllMembersReady' ? true : undefined;
  });
  const startedAt = Date.now();
  await kube.kubectl(['-n', ns, 'delete', 'secret', 'sec-auth']);
  const again = await waitFor('the Secret created again', async () => {
    const s = await secretOf('sec-auth');
    return s && s.metadata?.uid !== first.metadata?.uid ? s : undefined;
  });
  expect(decoded(again).password).not.toBe(decoded(first).password);

  const rolled = await waitFor(
    'both members restarted with the new credentials',
    async () => {
      const sts = await getJson<V1StatefulSet>(kube, ['-n', ns, 'get', 'sts', 'sec']);
      const rev = sts.status?.updateRevision;
      const pods = await podsOf('sec');
      const done =
        pods.length === 2 &&
        pods.every((p) => p.metadata?.labels?.['controller-revision-hash'] === rev) &&
        sts.spec?.updateStrategy?.rollingUpdate?.partition === 0;
      return done ? sts : undefined;
    },
    { timeoutMs: 60_000 },
  );
  // The members' template carries the checksum of the credentials now in the Secret.
  expect(rolled.spec?.template.metadata?.annotations?.[ANNOTATIONS.authChecksum]).toBe(
    authChecksum(decoded(again)),
  );
  const timeline = kubelet.timeline.filter((e) => e.at >= startedAt && e.pod.startsWith('sec-'));
  const deletions = timeline.filter((e) => e.event === 'deleted').map((e) => e.pod);
  expect(deletions).toEqual(['sec-1', 'sec-0']);
  const replacedReady = timeline.find((e) => e.event === 'ready' && e.pod === 'sec-1');
  const secondDeleted = timeline.find((e) => e.event === 'deleted' && e.pod === 'sec-0');
  expect(replacedReady!.at).toBeLessThanOrEqual(secondDeleted!.at);
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
