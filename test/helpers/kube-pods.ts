// What a kubelet would do for a pod, done by hand for tests on a control plane without kubelets:
// a Node object to bind to, the binding, and a Running/Ready status with a pod IP. The
// EndpointSlice controller ignores pods whose Node does not exist or that have no IP.
//
// Note: the apiserver refuses loopback addresses (127.0.0.0/8) in EndpointSlices, so a pod marked
// with a 127.0.0.x IP is Ready but its EndpointSlice write fails; use `testPodIP` inside
// scripts/kube/netns-run.sh (docs/testing.md).
import * as k8s from '@kubernetes/client-node';

export const TEST_NODE_NAME = 'mdc-test-node';

/**
 * The address for the n-th test pod (n from 0). Inside scripts/kube/netns-run.sh the pod network
 * ($MDC_POD_NETWORK, a /24 whose addresses are all local) is used, so the address is accepted in
 * EndpointSlices; elsewhere a loopback address (fine for Pod status, refused in EndpointSlices).
 */
export function testPodIP(n: number, podNetwork = process.env.MDC_POD_NETWORK): string {
  if (!Number.isInteger(n) || n < 0 || n > 239) throw new RangeError(`pod index ${n} not in 0-239`);
  const match = podNetwork ? /^(\d+\.\d+\.\d+)\.0\/24$/.exec(podNetwork) : null;
  if (podNetwork && !match)
    throw new Error(`MDC_POD_NETWORK must be an IPv4 /24, got ${podNetwork}`);
  return `${match ? match[1] : '127.0.0'}.${n + 10}`;
}

/**
 * The address for the n-th pod that runs no process (n from 0, up to 62,499): from the idle pod
 * network ($MDC_IDLE_POD_NETWORK, a /16 that scripts/kube/netns-run.sh makes local, so nothing
 * sent there could leave the namespace) when set, else loopback (accepted in a Pod's status,
 * refused in EndpointSlices). Nothing connects to these addresses; they only need to be valid.
 */
export function idlePodIP(n: number, idleNetwork = process.env.MDC_IDLE_POD_NETWORK): string {
  if (!Number.isInteger(n) || n < 0 || n >= 250 * 250) {
    throw new RangeError(`idle pod index ${n} not in 0-62499`);
  }
  const match = idleNetwork ? /^(\d+\.\d+)\.0\.0\/16$/.exec(idleNetwork) : null;
  if (idleNetwork && !match) {
    throw new Error(`MDC_IDLE_POD_NETWORK must be an IPv4 /16, got ${idleNetwork}`);
  }
  return `${match ? match[1] : '127.1'}.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

function isStatus(error: unknown, code: number): boolean {
  return error instanceof k8s.ApiException && error.code === code;
}

/** Creates the Node that test pods are bound to, if it does not exist yet. */
export async function ensureTestNode(
  core: k8s.CoreV1Api,
  name = TEST_NODE_NAME,
  zone = 'zone-a',
): Promise<void> {
  try {
    await core.createNode({
      body: {
        metadata: {
          name,
          labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone },
        },
      },
    });
  } catch (error) {
    if (!isStatus(error, 409)) throw error;
  }
}

export interface PodRunningOptions {
  podIP: string;
  nodeName?: string;
  ready?: boolean;
  /** Time written into the status; injected so callers control it. */
  now?: Date;
}

/** A Running pod status with every container started and the given readiness. */
export function runningPodStatus(pod: k8s.V1Pod, options: PodRunningOptions): k8s.V1PodStatus {
  const now = options.now ?? new Date();
  const ready = options.ready ?? true;
  const flag = ready ? 'True' : 'False';
  const condition = (type: string, status: string): k8s.V1PodCondition => ({
    type,
    status,
    lastTransitionTime: now,
  });
  return {
    ...pod.status,
    phase: 'Running',
    podIP: options.podIP,
    podIPs: [{ ip: options.podIP }],
    hostIP: options.podIP,
    startTime: pod.status?.startTime ?? now,
    conditions: [
      condition('PodScheduled', 'True'),
      condition('Initialized', 'True'),
      condition('ContainersReady', flag),
      condition('Ready', flag),
    ],
    containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
      name: c.name,
      image: c.image ?? '',
      imageID: '',
      ready,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
    })),
  };
}

/** Binds the pod to the test Node (unless already bound) and writes a Running status. */
export async function markPodRunning(
  core: k8s.CoreV1Api,
  namespace: string,
  name: string,
  options: PodRunningOptions,
): Promise<k8s.V1Pod> {
  const nodeName = options.nodeName ?? TEST_NODE_NAME;
  await ensureTestNode(core, nodeName);
  let pod = await core.readNamespacedPod({ name, namespace });
  if (!pod.spec?.nodeName) {
    await core.createNamespacedPodBinding({
      name,
      namespace,
      body: { metadata: { name }, target: { kind: 'Node', name: nodeName } },
    });
    pod = await core.readNamespacedPod({ name, namespace });
  }
  pod.status = runningPodStatus(pod, options);
  return core.replaceNamespacedPodStatus({ name, namespace, body: pod });
}

/**
 * The same as markPodRunning for a pod already read (from a list or an informer), in at most two
 * calls: a binding when the pod is not bound yet, then a merge patch of the status (no read, no
 * resourceVersion conflict). The test Node must exist (ensureTestNode). Test kubelets use this to
 * keep up with bursts of hundreds of pods.
 */
export async function reportPodRunning(
  core: k8s.CoreV1Api,
  pod: k8s.V1Pod,
  options: PodRunningOptions,
): Promise<void> {
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace ?? '';
  if (!pod.spec?.nodeName) {
    await core.createNamespacedPodBinding({
      name,
      namespace,
      body: {
        metadata: { name },
        target: { kind: 'Node', name: options.nodeName ?? TEST_NODE_NAME },
      },
    });
  }
  // A JSON merge patch replaces the lists (conditions, containerStatuses) as a whole.
  await core.patchNamespacedPodStatus(
    { name, namespace, body: { status: runningPodStatus(pod, options) } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
}

/**
 * Finishes a graceful pod deletion as the kubelet would once the containers stopped. A pod bound
 * to a node is only marked terminating by the apiserver; without a kubelet it would stay forever.
 */
export async function completePodTermination(
  core: k8s.CoreV1Api,
  namespace: string,
  name: string,
): Promise<void> {
  try {
    await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
  } catch (error) {
    if (!isStatus(error, 404)) throw error;
  }
}
