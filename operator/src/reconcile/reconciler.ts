/**
 * One reconcile of one MetadataCache: observe (informer caches and a few reads), decide (pure
 * plan), act (server-side apply of what changed, live settings, status). Every side effect goes
 * through the injected port, so the orchestration is tested without an apiserver.
 */
import type { KubernetesObject, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { InvalidSpecError, normalize } from '../api/defaults.js';
import type {
  MapSettings,
  MetadataCache,
  MetadataCacheResource,
  MetadataCacheStatus,
} from '../api/types.js';
import { childNames } from '../build/names.js';
import { authSecretName, SECRET_KEYS, type RandomBytes } from '../build/secret.js';
import { plan, type ObjectRef, type Plan } from './desired.js';
import { mergeConditions, serviceMonitorCondition } from './conditions.js';
import { buildStatus, statusChanged } from './status.js';

export type ApplyResult = 'applied' | 'unchanged';
export type EventType = 'Normal' | 'Warning';

/** Everything a reconcile reads from or does to the cluster. */
export interface ClusterPort {
  getCache(namespace: string, name: string): MetadataCacheResource | undefined;
  getStatefulSet(namespace: string, name: string): V1StatefulSet | undefined;
  listPods(namespace: string, cacheName: string): readonly V1Pod[];
  /** Secrets are not watched (RBAC: read by name only): read on every reconcile that needs one. */
  readSecret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  serviceMonitorCrdInstalled(): Promise<boolean>;
  apply(obj: KubernetesObject): Promise<ApplyResult>;
  /** Returns true when it created the object, false when it already existed. */
  createIfAbsent(obj: KubernetesObject): Promise<boolean>;
  /** Returns true when it deleted the object, false when there was none. */
  deleteIfPresent(ref: ObjectRef): Promise<boolean>;
  writeStatus(cache: MetadataCache, status: MetadataCacheStatus): Promise<void>;
  event(cache: MetadataCache, type: EventType, reason: string, message: string): Promise<void>;
  pushMapSettings(
    podIP: string,
    map: string,
    settings: MapSettings,
    token: string | undefined,
  ): Promise<void>;
}

export interface ReconcileOutcome {
  result: 'success' | 'requeue' | 'error' | 'gone';
  /** When to look again although nothing changed (a rollout step, a retry). */
  requeueAfterMs?: number;
  error?: Error;
}

export interface ReconcilerOptions {
  port: ClusterPort;
  now: () => Date;
  randomBytes: RandomBytes;
  /** Re-check period while a rollout or scale step is in flight. */
  progressRequeueMs?: number;
  /** Re-check period while a wanted ServiceMonitor waits for its CRD. */
  monitorRecheckMs?: number;
}

/** API errors carry the HTTP status in `code` (client-node ApiException). */
export function apiStatusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function describeError(err: unknown): { reason: string; message: string } {
  if (err instanceof InvalidSpecError) return { reason: 'InvalidSpec', message: err.message };
  const status = apiStatusOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (status === 403) return { reason: 'Forbidden', message };
  if (status === 422) return { reason: 'Rejected', message };
  return { reason: 'ApplyFailed', message: message.slice(0, 1000) };
}

export class Reconciler {
  private readonly port: ClusterPort;
  private readonly progressRequeueMs: number;
  private readonly monitorRecheckMs: number;
  /** Caches already reported as waiting for the ServiceMonitor CRD (namespace/name/uid). */
  private readonly waitingForMonitorCrd = new Set<string>();

  constructor(private readonly options: ReconcilerOptions) {
    this.port = options.port;
    this.progressRequeueMs = options.progressRequeueMs ?? 5000;
    this.monitorRecheckMs = options.monitorRecheckMs ?? 60_000;
  }

  /**
   * A Warning event once, when the ServiceMonitor starts waiting for its CRD (not every look).
   * Remembered here too: the observed status may not show the previous reconcile's write yet.
   */
  private async reportMissingMonitorCrd(cache: MetadataCache, p: Plan): Promise<void> {
    const key = `${cache.metadata.namespace}/${cache.metadata.name}/${cache.metadata.uid ?? ''}`;
    if (p.serviceMonitor !== 'crdMissing') {
      this.waitingForMonitorCrd.delete(key);
      return;
    }
    const previous = cache.status?.conditions?.find((c) => c.type === 'ServiceMonitorReady');
    if (previous?.reason === 'CRDNotInstalled' || this.waitingForMonitorCrd.has(key)) return;
    this.waitingForMonitorCrd.add(key);
    await this.port.event(
      cache,
      'Warning',
      'ServiceMonitorSkipped',
      serviceMonitorCondition(false).message,
    );
  }

  async reconcile(namespace: string, name: string): Promise<ReconcileOutcome> {
    const resource = this.port.getCache(namespace, name);
    // Deleted: the garbage collector removes the children through their ownerReferences.
    if (!resource || resource.metadata.deletionTimestamp) return { result: 'gone' };
    let cache: MetadataCache;
    try {
      cache = normalize(resource);
    } catch (err) {
      const shell = { metadata: { ...resource.metadata, name, namespace }, spec: {} };
      return this.fail(shell as MetadataCache, resource.status, err, undefined);
    }
    let p: Plan | undefined;
    try {
      p = await this.decide(cache);
      if (!(await this.act(cache, p))) return { result: 'requeue', requeueAfterMs: 0 };
      const liveHash = await this.pushLiveSettings(cache, p);
      await this.reportMissingMonitorCrd(cache, p);
      await this.writeStatus(cache, p, liveHash, undefined);
      if (p.progress) return { result: 'requeue', requeueAfterMs: this.progressRequeueMs };
      // No watch on CRDs (RBAC: get by name only): look again until it is installed.
      return p.serviceMonitor === 'crdMissing'
        ? { result: 'requeue', requeueAfterMs: this.monitorRecheckMs }
        : { result: 'success' };
    } catch (err) {
      return this.fail(cache, cache.status, err, p);
    }
  }

  private async decide(cache: MetadataCache): Promise<Plan> {
    const { namespace, name } = cache.metadata;
    const names = childNames(name);
    // Read every time: a deleted generated Secret is created again, and changed credentials
    // (new ones after that, or a named Secret edited) roll the members (auth checksum).
    const secretName = authSecretName(cache);
    const authSecretData = secretName
      ? await this.port.readSecret(namespace, secretName)
      : undefined;
    return plan(
      {
        cache,
        statefulSet: this.port.getStatefulSet(namespace, names.statefulSet),
        pods: this.port.listPods(namespace, name),
        authSecretData,
        serviceMonitorCrdInstalled: cache.spec.monitoring.serviceMonitor.enabled
          ? await this.port.serviceMonitorCrdInstalled()
          : false,
      },
      this.options.randomBytes,
    );
  }

  /** False when the plan is outdated (the Secret it would create appeared): decide again. */
  private async act(cache: MetadataCache, p: Plan): Promise<boolean> {
    for (const obj of p.createIfAbsent) {
      // Someone else's credentials: the pod template's auth checksum must be of those.
      if (!(await this.port.createIfAbsent(obj))) return false;
      await this.port.event(
        cache,
        'Normal',
        'CredentialsGenerated',
        `created Secret ${obj.metadata?.name}`,
      );
    }
    // Children are independent under server-side apply: write them concurrently (the Secret,
    // which pods read at start, was created above), then report the changes in one event.
    const results = await Promise.allSettled(p.apply.map((obj) => this.port.apply(obj)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const applied = p.apply.filter((_, i) => {
      const r = results[i];
      return r?.status === 'fulfilled' && r.value === 'applied';
    });
    if (applied.length > 0) {
      const what = applied.map((o) => `${o.kind} ${o.metadata?.name}`).join(', ');
      const sts = applied.some((o) => o.kind === 'StatefulSet');
      const why = sts && p.progress ? ` (${p.progress})` : '';
      await this.port.event(cache, 'Normal', 'Applied', `applied ${what}${why}`);
    }
    if (failed) throw failed.reason;
    for (const ref of p.delete) {
      if (await this.port.deleteIfPresent(ref)) {
        await this.port.event(
          cache,
          'Normal',
          'Deleted',
          `deleted ${ref.kind} ${ref.name} (disabled)`,
        );
      }
    }
    return true;
  }

  /** Pushes changed map settings to every ready member; returns the hash to record. */
  private async pushLiveSettings(cache: MetadataCache, p: Plan): Promise<string | undefined> {
    const recorded = cache.status?.liveSettingsHash;
    if (recorded === undefined) return p.live.hash;
    if (!p.live.push) return recorded;
    const token = p.authSecretData?.[SECRET_KEYS.token];
    const targets = p.pods.filter((pod) => pod.ready && pod.podIP);
    for (const pod of targets) {
      for (const [map, settings] of Object.entries(p.live.settings)) {
        await this.port.pushMapSettings(pod.podIP!, map, settings, token);
      }
    }
    await this.port.event(
      cache,
      'Normal',
      'LiveSettingsPushed',
      `pushed settings of ${Object.keys(p.live.settings).length} maps to ${targets.length} members without a restart`,
    );
    return p.live.hash;
  }

  private async writeStatus(
    cache: MetadataCache,
    p: Plan | undefined,
    liveHash: string | undefined,
    error: { reason: string; message: string } | undefined,
  ): Promise<void> {
    const sts = this.port.getStatefulSet(
      cache.metadata.namespace,
      childNames(cache.metadata.name).statefulSet,
    );
    const status = buildStatus({
      cache,
      plan: p,
      updateRevision: sts?.status?.updateRevision,
      liveSettingsHash: liveHash,
      error,
      now: this.options.now(),
    });
    if (statusChanged(cache.status, status)) await this.port.writeStatus(cache, status);
  }

  private async fail(
    cache: MetadataCache,
    previous: MetadataCacheStatus | undefined,
    err: unknown,
    p: Plan | undefined,
  ): Promise<ReconcileOutcome> {
    const error = describeError(err);
    const withStatus = { ...cache, ...(previous ? { status: previous } : {}) };
    try {
      await this.port.event(withStatus, 'Warning', error.reason, error.message);
      if (!(err instanceof InvalidSpecError)) {
        await this.writeStatus(withStatus, p, previous?.liveSettingsHash, error);
      } else {
        await this.writeInvalidStatus(withStatus, previous, error);
      }
    } catch {
      // Reporting failed too (apiserver down?): the retry will report again.
    }
    // An invalid spec stays invalid until the user edits it (which triggers a reconcile).
    return err instanceof InvalidSpecError
      ? { result: 'success' }
      : { result: 'error', error: err instanceof Error ? err : new Error(String(err)) };
  }

  private async writeInvalidStatus(
    cache: MetadataCache,
    previous: MetadataCacheStatus | undefined,
    error: { reason: string; message: string },
  ): Promise<void> {
    const conditions = mergeConditions(
      previous?.conditions,
      [
        { type: 'Degraded', status: 'True', ...error },
        { type: 'Progressing', status: 'False', reason: 'ReconcileFailed', message: error.message },
        ...(previous?.conditions ?? [])
          .filter((c) => c.type === 'Available')
          .map(({ type, status, reason, message }) => ({ type, status, reason, message })),
      ],
      cache.metadata.generation,
      this.options.now(),
    );
    const status = { ...previous, conditions, observedGeneration: cache.metadata.generation ?? 0 };
    if (statusChanged(previous, status)) await this.port.writeStatus(cache, status);
  }
}
