/**
 * The operator process against a real apiserver and controller-manager: children with owner
 * references, status, the scale subresource, a one-pod-at-a-time rollout (pods made Ready by the
 * test kubelet), garbage collection, and Lease leader election between two replicas.
 */
import { jest } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { ProcessKubelet } from '../../helpers/process-kubelet.js';
import { waitFor, type Kube } from '../../helpers/kube.js';
import type { MetadataCacheResource } from '../../../operator/src/api/types.js';
import {
  cacheYaml,
  getJson,
  maybeGet,
  setUpOperatorTest,
  startOperator,
  type OperatorProcess,
  type OperatorTest,
} from './harness.js';

jest.setTimeout(90_000);

let t: OperatorTest | undefined;
let kube: Kube;
let ns: string;
// Operators are started by the tests: one, then two electing a leader.
const operators: OperatorProcess[] = [];
const kubelets: ProcessKubelet[] = [];

beforeAll(async () => {
  t = await setUpOperatorTest('mdc-op', { operator: false });
  ({ kube, ns } = t);
}, 120_000);

afterAll(async () => {
  await Promise.all(kubelets.map((k) => k.stop()));
  await Promise.all(operators.map((o) => o.stop()));
  await t?.stop();
}, 60_000);

const getCache = (name: string) =>
  getJson<MetadataCacheResource>(kube, ['-n', ns, 'get', 'mdc', name]);
const condition = (c: MetadataCacheResource, type: string) =>
  c.status?.conditions?.find((x) => x.type === type);

describe('with one operator', () => {
  let op: OperatorProcess;
  beforeAll(async () => {
    op = await startOperator(kube, ns);
    operators.push(op);
  });

  it('creates every child with an owner reference and reports status', async () => {
    await kube.kubectl(['-n', ns, 'apply', '-f', '-'], {
      input: cacheYaml('alpha', { replicas: 2, maps: [{ name: 'products', maxEntries: 1000 }] }),
    });
    const kinds = [
      'statefulset/alpha',
      'service/alpha',
      'service/alpha-hl',
      'configmap/alpha-config',
      'secret/alpha-auth',
      'poddisruptionbudget/alpha',
      'serviceaccount/alpha',
      'role/alpha-discovery',
      'rolebinding/alpha-discovery',
    ];
    const cache = await getCache('alpha');
    for (const k of kinds) {
      const obj = await waitFor(k, () =>
        maybeGet<{ metadata: { ownerReferences?: { uid: string; controller: boolean }[] } }>(kube, [
          '-n',
          ns,
          'get',
          k,
        ]),
      );
      expect(obj.metadata.ownerReferences).toEqual([
        expect.objectContaining({ uid: cache.metadata.uid, controller: true }),
      ]);
    }
    const withStatus = await waitFor('status', async () => {
      const c = await getCache('alpha');
      return c.status?.selector ? c : undefined;
    });
    expect(withStatus.status?.selector).toContain('app.kubernetes.io/instance=alpha');
    expect(condition(withStatus, 'Available')).toMatchObject({
      status: 'False',
      reason: 'NoMembersReady',
      observedGeneration: withStatus.metadata.generation,
    });
    const events = await kube.kubectl([
      '-n',
      ns,
      'get',
      'events',
      '--field-selector',
      'involvedObject.name=alpha',
    ]);
    expect(events.stdout).toContain('Applied');
  });

  it('follows kubectl scale through the scale subresource', async () => {
    await kube.kubectl(['-n', ns, 'scale', 'mdc/alpha', '--replicas=4']);
    await waitFor('StatefulSet at 4 replicas', async () => {
      const sts = await getJson<V1StatefulSet>(kube, ['-n', ns, 'get', 'sts', 'alpha']);
      return sts.spec?.replicas === 4 ? true : undefined;
    });
    const raw = await kube.kubectl([
      'get',
      '--raw',
      `/apis/metadatacache.io/v1alpha1/namespaces/${ns}/metadatacaches/alpha/scale`,
    ]);
    const scale = JSON.parse(raw.stdout) as { spec: { replicas: number } };
    expect(scale.spec.replicas).toBe(4);
  });

  it('rolls a config change one pod at a time, each ready before the next', async () => {
    const kubelet = new ProcessKubelet({
      kubeConfig: kube.kubeConfig,
      namespace: ns,
      firstPod: 40,
    });
    kubelets.push(kubelet);
    await kubelet.start();
    await kube.kubectl(['-n', ns, 'apply', '-f', '-'], {
      input: cacheYaml('roll', { replicas: 3 }),
    });
    await waitFor(
      'all members ready',
      async () => {
        const c = await getCache('roll');
        return condition(c, 'Available')?.reason === 'AllMembersReady' ? true : undefined;
      },
      { timeoutMs: 40_000 },
    );
    const startedAt = Date.now();
    await kube.kubectl([
      '-n',
      ns,
      'patch',
      'mdc',
      'roll',
      '--type=merge',
      '-p',
      '{"spec":{"backupCount":2}}',
    ]);
    const settled = await waitFor(
      'rollout finished',
      async () => {
        const sts = await getJson<V1StatefulSet>(kube, ['-n', ns, 'get', 'sts', 'roll']);
        const pods = await getJson<{ items: V1Pod[] }>(kube, [
          '-n',
          ns,
          'get',
          'pods',
          '-l',
          'app.kubernetes.io/instance=roll',
        ]);
        const rev = sts.status?.updateRevision;
        const done =
          pods.items.length === 3 &&
          pods.items.every((p) => p.metadata?.labels?.['controller-revision-hash'] === rev) &&
          sts.spec?.updateStrategy?.rollingUpdate?.partition === 0;
        return done ? pods.items : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(settled).toHaveLength(3);
    const timeline = kubelet.timeline.filter((e) => e.at >= startedAt && e.pod.startsWith('roll-'));
    const deletions = timeline.filter((e) => e.event === 'deleted').map((e) => e.pod);
    expect(deletions).toEqual(['roll-2', 'roll-1', 'roll-0']);
    // Each deletion comes after the previous replacement became ready.
    for (let i = 1; i < deletions.length; i++) {
      const prev = deletions[i - 1];
      const del = timeline.find((e) => e.event === 'deleted' && e.pod === deletions[i])!;
      const prevReady = timeline.find((e) => e.event === 'ready' && e.pod === prev);
      expect(prevReady).toBeDefined();
      expect(prevReady!.at).toBeLessThanOrEqual(del.at);
    }
  });

  it('scales in one member at a time, each after the previous one left', async () => {
    const apps = kube.kubeConfig.makeApiClient(k8s.AppsV1Api);
    const seen: number[] = [];
    const watch = new k8s.ListWatch<k8s.V1StatefulSet>(
      `/apis/apps/v1/namespaces/${ns}/statefulsets`,
      new k8s.Watch(kube.kubeConfig),
      () => apps.listNamespacedStatefulSet({ namespace: ns }),
      false,
    );
    const record = (s: k8s.V1StatefulSet) => {
      const r = s.spec?.replicas;
      if (s.metadata?.name === 'roll' && r !== undefined && seen.at(-1) !== r) seen.push(r);
    };
    watch.on('add', record);
    watch.on('update', record);
    await watch.start();
    try {
      await kube.kubectl(['-n', ns, 'scale', 'mdc/roll', '--replicas=1']);
      await waitFor(
        'one member left and ready',
        async () => {
          const c = await getCache('roll');
          return c.status?.readyReplicas === 1 && c.status.replicas === 1 ? true : undefined;
        },
        { timeoutMs: 60_000 },
      );
      expect(seen).toEqual([3, 2, 1]);
    } finally {
      await watch.stop();
    }
  });

  it('leaves the garbage collector to delete the children with the resource', async () => {
    await kube.kubectl(['-n', ns, 'delete', 'mdc', 'alpha', '--wait=true']);
    await waitFor(
      'children collected',
      async () => {
        const left = await Promise.all(
          ['statefulset/alpha', 'configmap/alpha-config', 'service/alpha-hl'].map((k) =>
            maybeGet(kube, ['-n', ns, 'get', k]),
          ),
        );
        return left.every((x) => x === undefined) ? true : undefined;
      },
      { timeoutMs: 40_000 },
    );
  });

  it('exports its metrics', async () => {
    expect(await op.metric('metadatacache_operator_queue_depth')).toBeDefined();
    const text = await (await fetch(`http://127.0.0.1:${op.port}/metrics`)).text();
    expect(text).toMatch(/metadatacache_operator_reconciles_total\{result="success"\} [1-9]/);
    expect(text).toMatch(
      /metadatacache_operator_writes_total\{kind="StatefulSet",result="applied"\}/,
    );
    // Counted at scrape time: every MetadataCache of the namespace once per condition type.
    const names = await kube.kubectl(['-n', ns, 'get', 'mdc', '-o', 'name']);
    const caches = names.stdout.split('\n').filter(Boolean).length;
    expect(caches).toBeGreaterThan(0);
    await waitFor('the resources gauge to count every MetadataCache', async () => {
      const now = await (await fetch(`http://127.0.0.1:${op.port}/metrics`)).text();
      const counted = [
        ...now.matchAll(
          /metadatacache_operator_resources\{condition="Available",status="\w+"\} (\d+)/g,
        ),
      ].reduce((sum, m) => sum + Number(m[1]), 0);
      return counted === caches ? true : undefined;
    });
  });

  afterAll(async () => {
    await op.stop();
  });
});

describe('with two operator replicas', () => {
  it('elects one leader, and the other takes over when it stops', async () => {
    const a = await startOperator(kube, ns, { leaderElect: true, id: 'replica-a' });
    operators.push(a);
    const b = await startOperator(kube, ns, { leaderElect: true, id: 'replica-b' });
    operators.push(b);
    const leaders = async () => [
      await a.metric('metadatacache_operator_leader'),
      await b.metric('metadatacache_operator_leader'),
    ];
    const first = await waitFor('one leader', async () => {
      const l = await leaders();
      return l.filter((x) => x === 1).length === 1 ? l : undefined;
    });
    const [leader, follower] = first[0] === 1 ? [a, b] : [b, a];
    // The follower does not reconcile: a new resource is handled only by the leader.
    await kube.kubectl(['-n', ns, 'apply', '-f', '-'], {
      input: cacheYaml('beta', { replicas: 1 }),
    });
    await waitFor('beta reconciled', () => maybeGet(kube, ['-n', ns, 'get', 'sts', 'beta']));
    expect(await follower.metric('metadatacache_operator_reconciles_total')).toBeUndefined();
    await leader.stop();
    await waitFor('follower took over', async () =>
      (await follower.metric('metadatacache_operator_leader')) === 1 ? true : undefined,
    );
    const lease = await getJson<{ spec: { holderIdentity: string } }>(kube, [
      '-n',
      ns,
      'get',
      'lease',
      'metadatacache-operator',
    ]);
    expect(lease.spec.holderIdentity).toBe(follower.id);
  });
});
