/**
 * Kubernetes discovery: watch the EndpointSlices of the headless Service; ready endpoints are
 * members. The informer is injected (tests pass a fake); the default one lists and watches
 * `discovery.k8s.io/v1` EndpointSlices labelled `kubernetes.io/service-name=<service>` with
 * @kubernetes/client-node, and is restarted after an error (informers can stop silently).
 *
 * A member only needs to find some peers here: peers that connect to it are added by the
 * membership itself, so a new pod that is not ready yet still joins.
 */
import * as k8s from '@kubernetes/client-node';
import { changeFilter, type DiscoveredAddress, type Discovery } from './types.js';

export interface SliceInformer {
  on(verb: 'add' | 'update' | 'delete', cb: (obj: k8s.V1EndpointSlice) => void): void;
  on(verb: 'error', cb: (err?: unknown) => void): void;
  list(): ReadonlyArray<k8s.V1EndpointSlice>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface KubernetesDiscoveryOptions {
  namespace: string;
  service: string;
  port: number;
  onError?: (err: Error) => void;
  /** Defaults to an informer built from the in-cluster (or KUBECONFIG) configuration. */
  informer?: SliceInformer;
  restartDelayMs?: number;
}

/** Addresses of the ready endpoints across all slices (pure). */
export function readyEndpoints(
  slices: ReadonlyArray<k8s.V1EndpointSlice>,
  port: number,
): DiscoveredAddress[] {
  const out: DiscoveredAddress[] = [];
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    for (const ep of slice.endpoints ?? []) {
      // Kubernetes: a nil `ready` must be interpreted as ready.
      if (ep.conditions?.ready === false) continue;
      const host = ep.addresses[0];
      if (host) out.push({ host, port });
    }
  }
  return out;
}

export function defaultSliceInformer(namespace: string, service: string): SliceInformer {
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const api = kc.makeApiClient(k8s.DiscoveryV1Api);
  const labelSelector = `kubernetes.io/service-name=${service}`;
  return k8s.makeInformer<k8s.V1EndpointSlice>(
    kc,
    `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
    () => api.listNamespacedEndpointSlice({ namespace, labelSelector }),
    labelSelector,
  );
}

export function kubernetesDiscovery(opts: KubernetesDiscoveryOptions): Discovery {
  const informer = opts.informer ?? defaultSliceInformer(opts.namespace, opts.service);
  const restartDelayMs = opts.restartDelayMs ?? 2000;
  let stopped = false;
  let restartTimer: NodeJS.Timeout | undefined;
  const start = () =>
    informer.start().catch((err: unknown) => {
      opts.onError?.(err instanceof Error ? err : new Error(String(err)));
      scheduleRestart();
    });
  const scheduleRestart = () => {
    if (stopped) return;
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => void start(), restartDelayMs);
    restartTimer.unref();
  };
  return {
    start(onChange) {
      const report = changeFilter(onChange);
      const refresh = () => report(readyEndpoints(informer.list(), opts.port));
      informer.on('add', refresh);
      informer.on('update', refresh);
      informer.on('delete', refresh);
      informer.on('error', (err) => {
        opts.onError?.(err instanceof Error ? err : new Error(String(err)));
        scheduleRestart();
      });
      void start().then(refresh);
    },
    stop() {
      stopped = true;
      clearTimeout(restartTimer);
      void informer.stop();
    },
  };
}
