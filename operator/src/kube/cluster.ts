/**
 * The ClusterPort on a real apiserver: informer caches for reads, server-side apply with one
 * field manager (skipped when the observed object already carries the desired hash), events,
 * status through the status subresource, and the members' admin API for live settings.
 */
import * as k8s from '@kubernetes/client-node';
import {
  API_VERSION,
  ANNOTATIONS,
  FIELD_MANAGER,
  HTTP_PORT,
  KIND,
  PLURAL,
  GROUP,
  VERSION,
} from '../api/constants.js';
import type {
  MapSettings,
  MetadataCache,
  MetadataCacheResource,
  MetadataCacheStatus,
} from '../api/types.js';
import { SERVICE_MONITOR_CRD } from '../build/servicemonitor.js';
import type { ObjectRef } from '../reconcile/desired.js';
import {
  apiStatusOf,
  type ApplyResult,
  type ClusterPort,
  type EventType,
} from '../reconcile/reconciler.js';
import type { ObjectCache } from '@kubernetes/client-node';

export interface Caches {
  caches: ObjectCache<MetadataCacheResource & k8s.KubernetesObject>;
  statefulSets: ObjectCache<k8s.V1StatefulSet>;
  pods: ObjectCache<k8s.V1Pod>;
  /** Other owned kinds with an informer, by kind. */
  owned: Map<string, ObjectCache<k8s.KubernetesObject>>;
}

export interface WriteCounter {
  (kind: string, result: 'applied' | 'unchanged' | 'error'): void;
}

/** The object's controller ownerReference points at this uid. */
export const isControlledBy = (obj: k8s.KubernetesObject, ownerUid: string): boolean =>
  obj.metadata?.ownerReferences?.some((r) => r.controller && r.uid === ownerUid) ?? false;

const keyOf = (kind: string, ns: string | undefined, name: string | undefined) =>
  `${kind}/${ns ?? ''}/${name ?? ''}`;

export class KubeCluster implements ClusterPort {
  private readonly objects: k8s.KubernetesObjectApi;
  private readonly core: k8s.CoreV1Api;
  private readonly custom: k8s.CustomObjectsApi;
  private readonly crds: k8s.ApiextensionsV1Api;
  /** Desired hash last applied, for kinds without an informer. */
  private readonly appliedHash = new Map<string, string>();

  constructor(
    kc: k8s.KubeConfig,
    private readonly c: Caches,
    private readonly countWrite: WriteCounter = () => {},
    private readonly fetchFn: typeof fetch = fetch,
  ) {
    this.objects = k8s.KubernetesObjectApi.makeApiClient(kc);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.custom = kc.makeApiClient(k8s.CustomObjectsApi);
    this.crds = kc.makeApiClient(k8s.ApiextensionsV1Api);
  }

  getCache(namespace: string, name: string): MetadataCacheResource | undefined {
    return this.c.caches.get(name, namespace);
  }

  getStatefulSet(namespace: string, name: string): k8s.V1StatefulSet | undefined {
    return this.c.statefulSets.get(name, namespace);
  }

  listPods(namespace: string, cacheName: string): readonly k8s.V1Pod[] {
    return this.c.pods
      .list(namespace)
      .filter((p) => p.metadata?.labels?.['app.kubernetes.io/instance'] === cacheName);
  }

  async readSecret(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    try {
      const s = await this.core.readNamespacedSecret({ namespace, name });
      return Object.fromEntries(
        Object.entries(s.data ?? {}).map(([k, v]) => [
          k,
          Buffer.from(v, 'base64').toString('utf8'),
        ]),
      );
    } catch (err) {
      if (apiStatusOf(err) === 404) return undefined;
      throw err;
    }
  }

  async serviceMonitorCrdInstalled(): Promise<boolean> {
    try {
      await this.crds.readCustomResourceDefinition({ name: SERVICE_MONITOR_CRD });
      return true;
    } catch (err) {
      if (apiStatusOf(err) === 404) return false;
      throw err;
    }
  }

  private observedHash(obj: k8s.KubernetesObject): string | undefined {
    const { kind, metadata } = obj;
    const cache =
      kind === 'StatefulSet' ? this.c.statefulSets : kind ? this.c.owned.get(kind) : undefined;
    const memo = this.appliedHash.get(keyOf(kind ?? '', metadata?.namespace, metadata?.name));
    // The informer may not have seen our own write yet: then what we applied last counts.
    const seen = cache?.get(metadata?.name ?? '', metadata?.namespace);
    return seen ? seen.metadata?.annotations?.[ANNOTATIONS.desiredHash] : memo;
  }

  /** An owned object was deleted: the next reconcile must apply it again. */
  forget(obj: k8s.KubernetesObject): void {
    this.appliedHash.delete(keyOf(obj.kind ?? '', obj.metadata?.namespace, obj.metadata?.name));
  }

  async apply(obj: k8s.KubernetesObject): Promise<ApplyResult> {
    const kind = obj.kind ?? 'Unknown';
    const desired = obj.metadata?.annotations?.[ANNOTATIONS.desiredHash];
    if (desired && this.observedHash(obj) === desired) {
      this.countWrite(kind, 'unchanged');
      return 'unchanged';
    }
    try {
      await this.objects.patch(
        obj,
        undefined,
        undefined,
        FIELD_MANAGER,
        true,
        k8s.PatchStrategy.ServerSideApply,
      );
    } catch (err) {
      this.countWrite(kind, 'error');
      throw err;
    }
    if (desired)
      this.appliedHash.set(keyOf(kind, obj.metadata?.namespace, obj.metadata?.name), desired);
    this.countWrite(kind, 'applied');
    return 'applied';
  }

  async createIfAbsent(obj: k8s.KubernetesObject): Promise<boolean> {
    try {
      await this.objects.create(obj, undefined, undefined, FIELD_MANAGER);
      this.countWrite(obj.kind ?? 'Unknown', 'applied');
      return true;
    } catch (err) {
      if (apiStatusOf(err) === 409) return false;
      this.countWrite(obj.kind ?? 'Unknown', 'error');
      throw err;
    }
  }

  async deleteIfPresent(ref: ObjectRef): Promise<boolean> {
    const cache = this.c.owned.get(ref.kind);
    if (cache && !cache.get(ref.name, ref.namespace)) return false;
    const header = {
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, namespace: ref.namespace },
    };
    try {
      let uid: string | undefined;
      if (ref.ownerUid) {
        // Not watched: read it, and leave alone one that someone else made under that name.
        const found = await this.objects.read(header);
        if (!isControlledBy(found, ref.ownerUid)) return false;
        uid = found.metadata?.uid;
      }
      // The uid precondition: never delete an object recreated since it was read.
      await this.objects.delete(
        header,
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        uid ? { preconditions: { uid } } : undefined,
      );
      this.countWrite(`${ref.kind}/delete`, 'applied');
      return true;
    } catch (err) {
      if (apiStatusOf(err) === 404) return false;
      this.countWrite(`${ref.kind}/delete`, 'error');
      throw err;
    }
  }

  async writeStatus(cache: MetadataCache, status: MetadataCacheStatus): Promise<void> {
    const body = {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { name: cache.metadata.name, namespace: cache.metadata.namespace },
      status,
    };
    try {
      await this.custom.patchNamespacedCustomObjectStatus(
        {
          group: GROUP,
          version: VERSION,
          plural: PLURAL,
          namespace: cache.metadata.namespace,
          name: cache.metadata.name,
          body,
          fieldManager: FIELD_MANAGER,
          force: true,
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply),
      );
      this.countWrite('MetadataCache/status', 'applied');
    } catch (err) {
      this.countWrite('MetadataCache/status', 'error');
      throw err;
    }
  }

  /** Fire and forget: a reconcile never waits for (or fails on) its events. */
  event(cache: MetadataCache, type: EventType, reason: string, message: string): Promise<void> {
    const now = new Date();
    const { name, namespace, uid } = cache.metadata;
    this.core
      .createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${name}.`, namespace },
          involvedObject: {
            apiVersion: API_VERSION,
            kind: KIND,
            name,
            namespace,
            ...(uid ? { uid } : {}),
          },
          type,
          reason,
          message: message.slice(0, 1024),
          source: { component: FIELD_MANAGER },
          reportingComponent: FIELD_MANAGER,
          reportingInstance: process.env.POD_NAME ?? 'local',
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      })
      .then(
        () => this.countWrite('Event', 'applied'),
        // Events are best effort: losing one must not fail a reconcile.
        () => this.countWrite('Event', 'error'),
      );
    return Promise.resolve();
  }

  async pushMapSettings(
    podIP: string,
    map: string,
    settings: MapSettings,
    token: string | undefined,
  ): Promise<void> {
    const url = `http://${podIP}:${HTTP_PORT}/v1/admin/maps/${encodeURIComponent(map)}/settings`;
    const res = await this.fetchFn(url, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(settings),
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) {
      throw new Error(
        `member ${podIP} refused settings of map ${map}: HTTP ${res.status} ${await res.text()}`,
      );
    }
  }
}
