import type { KubernetesObject, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import type {
  MapSettings,
  MetadataCache,
  MetadataCacheResource,
  MetadataCacheStatus,
} from '../../../operator/src/api/types.js';
import type { ObjectRef } from '../../../operator/src/reconcile/desired.js';
import {
  Reconciler,
  type ApplyResult,
  type ClusterPort,
  type EventType,
} from '../../../operator/src/reconcile/reconciler.js';
import { ANNOTATIONS } from '../../../operator/src/api/constants.js';
import { fixedBytes, sampleResource } from './sample.js';

/** An in-memory cluster: applied objects are stored as they are, hashes compared like the real port. */
class FakeCluster implements ClusterPort {
  caches = new Map<string, MetadataCacheResource>();
  objects = new Map<string, KubernetesObject>();
  pods: V1Pod[] = [];
  writes: string[] = [];
  statusWrites: MetadataCacheStatus[] = [];
  events: string[] = [];
  pushes: string[] = [];
  failApply: Error | undefined;
  monitorCrd = false;

  key = (kind: string | undefined, name: string | undefined) => `${kind}/${name}`;
  getCache(_ns: string, name: string) {
    return this.caches.get(name);
  }
  getStatefulSet(_ns: string, name: string): V1StatefulSet | undefined {
    return this.objects.get(this.key('StatefulSet', name));
  }
  listPods() {
    return this.pods;
  }
  deletes: ObjectRef[] = [];
  failDelete: Error | undefined;
  readSecret(_ns: string, name: string) {
    const secret = this.objects.get(this.key('Secret', name)) as
      { stringData?: Record<string, string> } | undefined;
    return Promise.resolve(secret?.stringData);
  }
  serviceMonitorCrdInstalled() {
    return Promise.resolve(this.monitorCrd);
  }
  apply(obj: KubernetesObject): Promise<ApplyResult> {
    if (this.failApply) return Promise.reject(this.failApply);
    const k = this.key(obj.kind, obj.metadata?.name);
    const old = this.objects.get(k);
    const hash = (o?: KubernetesObject) => o?.metadata?.annotations?.[ANNOTATIONS.desiredHash];
    if (old && hash(old) === hash(obj)) return Promise.resolve('unchanged');
    this.objects.set(k, obj);
    this.writes.push(k);
    return Promise.resolve('applied');
  }
  createIfAbsent(obj: KubernetesObject) {
    const k = this.key(obj.kind, obj.metadata?.name);
    if (this.objects.has(k)) return Promise.resolve(false);
    this.objects.set(k, obj);
    this.writes.push(k);
    return Promise.resolve(true);
  }
  deleteIfPresent(ref: ObjectRef) {
    if (this.failDelete) return Promise.reject(this.failDelete);
    this.deletes.push(ref);
    return Promise.resolve(this.objects.delete(this.key(ref.kind, ref.name)));
  }
  writeStatus(cache: MetadataCache, status: MetadataCacheStatus) {
    this.statusWrites.push(status);
    const r = this.caches.get(cache.metadata.name)!;
    this.caches.set(cache.metadata.name, { ...r, status });
    return Promise.resolve();
  }
  event(_c: MetadataCache, type: EventType, reason: string) {
    this.events.push(`${type}/${reason}`);
    return Promise.resolve();
  }
  pushMapSettings(podIP: string, map: string, settings: MapSettings) {
    this.pushes.push(`${podIP}/${map}/${JSON.stringify(settings)}`);
    return Promise.resolve();
  }
}

const readyPod = (i: number, revision: string): V1Pod => ({
  metadata: { name: `catalog-${i}`, labels: { 'controller-revision-hash': revision } },
  status: { podIP: `10.0.0.${i}`, conditions: [{ type: 'Ready', status: 'True' }] },
});

function setup(spec: Record<string, unknown> = {}, randomBytes = fixedBytes) {
  const fake = new FakeCluster();
  fake.caches.set('catalog', sampleResource(spec));
  const reconciler = new Reconciler({
    port: fake,
    now: () => new Date('2026-01-01T00:00:00Z'),
    randomBytes,
  });
  return { fake, run: () => reconciler.reconcile('shop', 'catalog') };
}

/** Simulates the StatefulSet controller having caught up with every pod ready. */
function settle(fake: FakeCluster) {
  const sts = fake.getStatefulSet('shop', 'catalog')!;
  sts.metadata = { ...sts.metadata, generation: 1 };
  sts.status = { replicas: 3, observedGeneration: 1, updateRevision: 'r1' };
  fake.pods = [0, 1, 2].map((i) => readyPod(i, 'r1'));
}

describe('Reconciler', () => {
  it('reports a wanted ServiceMonitor whose CRD is missing, once, and looks again later', async () => {
    const { fake, run } = setup({ monitoring: { serviceMonitor: { enabled: true } } });
    const condition = () =>
      fake.caches.get('catalog')!.status?.conditions?.find((c) => c.type === 'ServiceMonitorReady');

    const first = await run();
    expect(first).toEqual({ result: 'requeue', requeueAfterMs: 60_000 });
    expect(fake.writes).not.toContain('ServiceMonitor/catalog');
    expect(condition()).toMatchObject({ status: 'False', reason: 'CRDNotInstalled' });
    await run();
    expect(fake.events.filter((e) => e === 'Warning/ServiceMonitorSkipped')).toHaveLength(1);

    settle(fake);
    fake.monitorCrd = true;
    expect(await run()).toEqual({ result: 'success' });
    expect(fake.writes).toContain('ServiceMonitor/catalog');
    expect(condition()).toMatchObject({ status: 'True', reason: 'Applied' });
  });

  it('reports no ServiceMonitor condition when none is wanted', async () => {
    const { fake, run } = setup();
    expect((await run()).result).toBe('success');
    const types = fake.statusWrites[0].conditions?.map((c) => c.type);
    expect(types).toEqual(['Available', 'Progressing', 'Degraded']);
  });

  it('creates the generated Secret again when it was deleted', async () => {
    const { fake, run } = setup();
    await run();
    fake.objects.delete('Secret/catalog-auth');
    await run();
    expect(fake.objects.has('Secret/catalog-auth')).toBe(true);
    expect(fake.events.filter((e) => e === 'Normal/CredentialsGenerated')).toHaveLength(2);
  });

  it('rolls the members, one at a time, onto credentials generated again', async () => {
    let draw = 0;
    // Every call different, like real randomness: new credentials each time they are generated.
    const { fake, run } = setup({}, (n) => Buffer.alloc(n, ++draw));
    const template = () => fake.getStatefulSet('shop', 'catalog')!.spec!.template;
    await run();
    settle(fake);
    await run();
    const before = template().metadata!.annotations![ANNOTATIONS.authChecksum];
    expect(before).toMatch(/^[0-9a-f]{16}$/);

    fake.objects.delete('Secret/catalog-auth');
    const outcome = await run();
    const after = template().metadata!.annotations![ANNOTATIONS.authChecksum];
    expect(after).not.toBe(before);
    // A new template goes to the highest member first (partition replicas-1), as a config change.
    expect(outcome).toMatchObject({ result: 'requeue' });
    expect(fake.getStatefulSet('shop', 'catalog')!.spec!.updateStrategy!.rollingUpdate).toEqual({
      partition: 2,
    });
  });

  it('keeps the pod template while the credentials are unchanged', async () => {
    const { fake, run } = setup();
    await run();
    settle(fake);
    await run();
    const template = fake.getStatefulSet('shop', 'catalog')!.spec!.template;
    await run();
    expect(fake.getStatefulSet('shop', 'catalog')!.spec!.template).toBe(template);
  });

  it('decides again when the Secret it would create already exists (someone else made it)', async () => {
    const { fake, run } = setup();
    fake.createIfAbsent = () => Promise.resolve(false);
    expect(await run()).toEqual({ result: 'requeue', requeueAfterMs: 0 });
    expect(fake.writes).toEqual([]);
  });

  it('deletes the ServiceMonitor it applied once monitoring is disabled, and only then', async () => {
    const { fake, run } = setup({ monitoring: { serviceMonitor: { enabled: true } } });
    fake.monitorCrd = true;
    await run();
    settle(fake);
    await run();
    expect(fake.objects.has('ServiceMonitor/catalog')).toBe(true);
    const r = fake.caches.get('catalog')!;
    fake.caches.set('catalog', {
      ...r,
      spec: { ...r.spec, monitoring: { serviceMonitor: { enabled: false, interval: '30s' } } },
    });

    // The first attempt fails: the condition that remembers the ServiceMonitor stays.
    fake.failDelete = new Error('apiserver down');
    expect((await run()).result).toBe('error');
    const kept = fake.caches.get('catalog')!.status!.conditions!.map((c) => c.type);
    expect(kept).toContain('ServiceMonitorReady');

    fake.failDelete = undefined;
    expect((await run()).result).toBe('success');
    expect(fake.objects.has('ServiceMonitor/catalog')).toBe(false);
    expect(fake.deletes).toEqual([
      {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'ServiceMonitor',
        namespace: 'shop',
        name: 'catalog',
        ownerUid: 'uid-1234',
      },
    ]);
    expect(fake.events).toContain('Normal/Deleted');
    const types = fake.caches.get('catalog')!.status!.conditions!.map((c) => c.type);
    expect(types).not.toContain('ServiceMonitorReady');
    await run();
    expect(fake.deletes).toHaveLength(1);
  });

  it('never looks for a ServiceMonitor to delete when it never applied one', async () => {
    const { fake, run } = setup({ monitoring: { serviceMonitor: { enabled: false } } });
    await run();
    settle(fake);
    await run();
    expect(fake.deletes.filter((d) => d.kind === 'ServiceMonitor')).toEqual([]);
  });

  it('creates every child and the generated Secret on the first pass', async () => {
    const { fake, run } = setup();
    expect((await run()).result).toBe('success');
    expect(fake.writes).toEqual([
      'Secret/catalog-auth',
      'ConfigMap/catalog-config',
      'ServiceAccount/catalog',
      'Role/catalog-discovery',
      'RoleBinding/catalog-discovery',
      'Service/catalog-hl',
      'Service/catalog',
      'StatefulSet/catalog',
      'PodDisruptionBudget/catalog',
    ]);
    expect(fake.statusWrites).toHaveLength(1);
  });

  it('writes nothing when nothing changed', async () => {
    const { fake, run } = setup();
    await run();
    settle(fake);
    await run();
    const writes = fake.writes.length;
    const statuses = fake.statusWrites.length;
    await run();
    expect(fake.writes.length).toBe(writes);
    expect(fake.statusWrites.length).toBe(statuses);
  });

  it('never regenerates the credentials Secret', async () => {
    const { fake, run } = setup();
    await run();
    const secret = fake.objects.get('Secret/catalog-auth');
    await run();
    expect(fake.objects.get('Secret/catalog-auth')).toBe(secret);
  });

  it('pushes changed map limits to ready members without a restart', async () => {
    const { fake, run } = setup();
    await run();
    settle(fake);
    await run();
    const checksum = fake.getStatefulSet('shop', 'catalog')!.spec!.template.metadata!.annotations;
    const r = fake.caches.get('catalog')!;
    fake.caches.set('catalog', {
      ...r,
      spec: { ...r.spec, maps: [{ name: 'products', maxEntries: 7 }, { name: 'prices' }] },
    });
    await run();
    expect(fake.pushes).toContain(
      '10.0.0.0/products/{"maxEntries":7,"eviction":"tinylfu","ttlSeconds":0,"maxIdleSeconds":0}',
    );
    expect(fake.pushes).toHaveLength(6);
    expect(fake.getStatefulSet('shop', 'catalog')!.spec!.template.metadata!.annotations).toEqual(
      checksum,
    );
    expect(fake.events).toContain('Normal/LiveSettingsPushed');
  });

  it('reports an invalid spec as Degraded and does not retry it', async () => {
    const { fake, run } = setup({ backupCount: 9 });
    expect((await run()).result).toBe('success');
    expect(fake.writes).toEqual([]);
    const degraded = fake.statusWrites[0].conditions!.find((c) => c.type === 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'InvalidSpec' });
    expect(degraded!.message).toContain('spec.backupCount');
  });

  it('puts an apply failure into status and asks for a retry', async () => {
    const { fake, run } = setup();
    fake.failApply = Object.assign(new Error('forbidden'), { code: 403 });
    const outcome = await run();
    expect(outcome.result).toBe('error');
    const degraded = fake.statusWrites.at(-1)!.conditions!.find((c) => c.type === 'Degraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'Forbidden' });
    expect(fake.events).toContain('Warning/Forbidden');
  });

  it('asks to look again while a rollout is in flight', async () => {
    const { fake, run } = setup();
    await run();
    settle(fake);
    await run();
    const r = fake.caches.get('catalog')!;
    fake.caches.set('catalog', { ...r, spec: { ...r.spec, backupCount: 2 } });
    const outcome = await run();
    expect(outcome).toMatchObject({ result: 'requeue' });
    expect(
      fake.getStatefulSet('shop', 'catalog')!.spec!.updateStrategy!.rollingUpdate!.partition,
    ).toBe(2);
  });

  it('does nothing for a deleted resource', async () => {
    const { fake, run } = setup();
    fake.caches.clear();
    expect((await run()).result).toBe('gone');
    expect(fake.writes).toEqual([]);
  });
});
