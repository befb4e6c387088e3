/**
 * The running operator: informers on MetadataCaches and the owned kinds feed a work queue;
 * each key is reconciled (level-triggered) with per-key backoff; a periodic resync re-queues
 * everything. Started and stopped by leader election (main.ts).
 */
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { GROUP, KIND, PLURAL, VERSION } from './api/constants.js';
import type { ConditionStatus, MetadataCacheResource } from './api/types.js';
import { CONDITION_TYPES } from './reconcile/conditions.js';
import { Reconciler } from './reconcile/reconciler.js';
import { KubeCluster } from './kube/cluster.js';
import { WorkQueue } from './kube/queue.js';
import { SupervisedInformer } from './kube/supervised-informer.js';
import type { Timers } from './kube/timers.js';
import type { OperatorMetrics } from './metrics.js';

type CacheObject = MetadataCacheResource & k8s.KubernetesObject;

export interface ControllerOptions {
  kc: k8s.KubeConfig;
  metrics: OperatorMetrics;
  timers: Timers;
  concurrency?: number;
  resyncMs?: number;
  staleWatchMs?: number;
  /** Watch one namespace only (default: every namespace). */
  namespace?: string;
  log: (msg: string) => void;
}

const MANAGED = 'app.kubernetes.io/managed-by=metadatacache-operator';
/**
 * A child's change is acted on this long after the first one: a StatefulSet whose status changes
 * several times while its pods start, or the children one reconcile just created, cost one
 * reconcile (and at most one status write) instead of one each.
 */
const OWNED_CHANGE_COALESCE_MS = 200;
const MEMBER_PODS = 'app.kubernetes.io/name=metadatacache';

/** The MetadataCache key an owned object belongs to (owner reference or instance label). */
export function ownerKey(obj: k8s.KubernetesObject): string | undefined {
  const ns = obj.metadata?.namespace;
  const owner = obj.metadata?.ownerReferences?.find((r) => r.kind === KIND && r.controller);
  const name = owner?.name ?? obj.metadata?.labels?.['app.kubernetes.io/instance'];
  return ns && name ? `${ns}/${name}` : undefined;
}

export class Controller {
  private readonly queue: WorkQueue;
  private readonly informers: SupervisedInformer<k8s.KubernetesObject>[] = [];
  private readonly cacheInformer: SupervisedInformer<CacheObject>;
  private resyncTimer: unknown;
  private running = false;

  constructor(private readonly o: ControllerOptions) {
    const { kc, timers, metrics } = o;
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const policy = kc.makeApiClient(k8s.PolicyV1Api);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);

    const ns = o.namespace;
    const at = (group: string, plural: string) =>
      ns ? `${group}/namespaces/${ns}/${plural}` : `${group}/${plural}`;
    const supervise = <T extends k8s.KubernetesObject>(
      name: string,
      path: string,
      list: () => Promise<k8s.KubernetesListObject<T>>,
      labelSelector: string | undefined,
      onChange: (obj: T, verb: 'add' | 'update' | 'delete') => void,
    ) =>
      new SupervisedInformer<T>({
        name,
        create: () => new k8s.ListWatch<T>(path, new k8s.Watch(kc), list, false, labelSelector),
        onChange,
        timers,
        ...(o.staleWatchMs ? { staleAfterMs: o.staleWatchMs } : {}),
        onRestart: (n, why) => o.log(`informer ${n} restarted: ${why}`),
      });

    // --watch-namespace limits the MetadataCaches too, not only their children.
    this.cacheInformer = supervise<CacheObject>(
      'metadatacaches',
      at(`/apis/${GROUP}/${VERSION}`, PLURAL),
      () =>
        (ns
          ? custom.listNamespacedCustomObject({
              group: GROUP,
              version: VERSION,
              namespace: ns,
              plural: PLURAL,
            })
          : custom.listClusterCustomObject({
              group: GROUP,
              version: VERSION,
              plural: PLURAL,
            })) as Promise<k8s.KubernetesListObject<CacheObject>>,
      undefined,
      (obj, verb) => {
        // Status-only updates (our own writes) do not change the generation: nothing to do.
        if (verb === 'update' && obj.status?.observedGeneration === obj.metadata?.generation)
          return;
        this.enqueue(`${obj.metadata?.namespace}/${obj.metadata?.name}`);
      },
    );
    // The cluster port is built after the informers it reads from.
    const late: { cluster?: KubeCluster } = {};
    const owned = (kind: string) => (obj: k8s.KubernetesObject, verb: string) => {
      // Listed objects carry no kind: the informer's kind names it.
      if (verb === 'delete') late.cluster?.forget({ ...obj, kind });
      const key = ownerKey(obj);
      if (key) this.enqueue(key, OWNED_CHANGE_COALESCE_MS);
    };
    const statefulSets = supervise<k8s.V1StatefulSet>(
      'statefulsets',
      at('/apis/apps/v1', 'statefulsets'),
      () =>
        ns
          ? apps.listNamespacedStatefulSet({ namespace: ns, labelSelector: MANAGED })
          : apps.listStatefulSetForAllNamespaces({ labelSelector: MANAGED }),
      MANAGED,
      owned('StatefulSet'),
    );
    const pods = supervise<k8s.V1Pod>(
      'pods',
      at('/api/v1', 'pods'),
      () =>
        ns
          ? core.listNamespacedPod({ namespace: ns, labelSelector: MEMBER_PODS })
          : core.listPodForAllNamespaces({ labelSelector: MEMBER_PODS }),
      MEMBER_PODS,
      owned('Pod'),
    );
    const configMaps = supervise<k8s.V1ConfigMap>(
      'configmaps',
      at('/api/v1', 'configmaps'),
      () =>
        ns
          ? core.listNamespacedConfigMap({ namespace: ns, labelSelector: MANAGED })
          : core.listConfigMapForAllNamespaces({ labelSelector: MANAGED }),
      MANAGED,
      owned('ConfigMap'),
    );
    const services = supervise<k8s.V1Service>(
      'services',
      at('/api/v1', 'services'),
      () =>
        ns
          ? core.listNamespacedService({ namespace: ns, labelSelector: MANAGED })
          : core.listServiceForAllNamespaces({ labelSelector: MANAGED }),
      MANAGED,
      owned('Service'),
    );
    const pdbs = supervise<k8s.V1PodDisruptionBudget>(
      'poddisruptionbudgets',
      at('/apis/policy/v1', 'poddisruptionbudgets'),
      () =>
        ns
          ? policy.listNamespacedPodDisruptionBudget({ namespace: ns, labelSelector: MANAGED })
          : policy.listPodDisruptionBudgetForAllNamespaces({ labelSelector: MANAGED }),
      MANAGED,
      owned('PodDisruptionBudget'),
    );
    this.informers.push(
      this.cacheInformer as never,
      statefulSets,
      pods,
      configMaps,
      services,
      pdbs,
    );

    const cluster = (late.cluster = new KubeCluster(
      kc,
      {
        caches: this.cacheInformer,
        statefulSets,
        pods,
        owned: new Map<string, k8s.ObjectCache<k8s.KubernetesObject>>([
          ['ConfigMap', configMaps],
          ['Service', services],
          ['PodDisruptionBudget', pdbs],
        ]),
      },
      (kind, result) => metrics.writes.inc({ kind, result }),
    ));
    const reconciler = new Reconciler({
      port: cluster,
      now: () => new Date(timers.now()),
      randomBytes: (n) => randomBytes(n),
    });
    metrics.countResourcesWith(() => this.countByCondition());
    this.queue = new WorkQueue({
      timers,
      concurrency: o.concurrency ?? 4,
      handler: async (key) => {
        const [ns, name] = key.split('/') as [string, string];
        const outcome = await reconciler.reconcile(ns, name);
        if (outcome.error) o.log(`reconcile ${key}: ${outcome.error.message}`);
        return outcome.result === 'requeue'
          ? { result: 'requeue', requeueAfterMs: outcome.requeueAfterMs ?? 5000 }
          : outcome.result === 'error'
            ? { result: 'error', ...(outcome.error ? { error: outcome.error } : {}) }
            : { result: outcome.result };
      },
      onDepth: (d) => metrics.queueDepth.set(d),
      onResult: (_key, r, seconds) => {
        metrics.reconcileDuration.observe(seconds);
        metrics.reconciles.inc({ result: r.result === 'gone' ? 'success' : r.result });
      },
    });
  }

  /** All informers have listed once. */
  get synced(): boolean {
    return this.running && this.informers.every((i) => i.hasSynced);
  }

  private enqueue(key: string, afterMs = 0): void {
    if (this.running) this.queue.addAfter(key, afterMs);
  }

  async start(): Promise<void> {
    this.running = true;
    await Promise.all(this.informers.map((i) => i.start()));
    for (const c of this.cacheInformer.list()) {
      this.enqueue(`${c.metadata?.namespace}/${c.metadata?.name}`);
    }
    this.scheduleResync();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.o.timers.clearTimeout(this.resyncTimer);
    await this.queue.stop();
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  private scheduleResync(): void {
    this.resyncTimer = this.o.timers.setTimeout(() => {
      for (const c of this.cacheInformer.list()) {
        this.enqueue(`${c.metadata?.namespace}/${c.metadata?.name}`);
      }
      if (this.running) this.scheduleResync();
    }, this.o.resyncMs ?? 300_000);
  }

  /** MetadataCaches in the informer cache by condition and status (the resources gauge). */
  private countByCondition(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const type of CONDITION_TYPES) {
      for (const s of ['True', 'False', 'Unknown'] as ConditionStatus[])
        counts.set(`${type}/${s}`, 0);
    }
    for (const c of this.cacheInformer.list()) {
      for (const type of CONDITION_TYPES) {
        const status = c.status?.conditions?.find((x) => x.type === type)?.status ?? 'Unknown';
        counts.set(`${type}/${status}`, (counts.get(`${type}/${status}`) ?? 0) + 1);
      }
    }
    return counts;
  }
}
