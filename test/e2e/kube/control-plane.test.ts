// Proves the test control plane is a real, working Kubernetes: the pinned server version, the
// controllers the operator relies on, namespace finalization, and RBAC enforcement.
import * as k8s from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, run } from '../../helpers/kube-control-plane.js';
import { completePodTermination, markPodRunning } from '../../helpers/kube-pods.js';
import { startKube, waitFor, type Kube } from '../../helpers/kube.js';

// Each test polls a real control plane; generous limits because two cores are shared.
const TEST_TIMEOUT_MS = 120_000;

/** The version pinned in scripts/tools/common.sh (unless overridden for this run). */
function pinnedKubeVersion(): string {
  const common = readFileSync(join(repoRoot, 'scripts', 'tools', 'common.sh'), 'utf8');
  const match = /MDC_KUBE_VERSION="\$\{MDC_KUBE_VERSION:-(v[0-9.]+)\}"/.exec(common);
  if (!match) throw new Error('no MDC_KUBE_VERSION pin in scripts/tools/common.sh');
  return process.env.MDC_KUBE_VERSION ?? match[1];
}

function statusCode(error: unknown): number | undefined {
  return error instanceof k8s.ApiException ? error.code : undefined;
}

function statefulSet(name: string, replicas: number): k8s.V1StatefulSet {
  const labels = { app: name };
  return {
    metadata: { name, labels },
    spec: {
      replicas,
      podManagementPolicy: 'Parallel', // OrderedReady would wait forever for pod 0 (no kubelet)
      serviceName: name,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'main', image: 'example.invalid/never-pulled:1' }] },
      },
    },
  };
}

describe('test control plane (scripts/kube)', () => {
  let kube: Kube;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let discovery: k8s.DiscoveryV1Api;

  beforeAll(async () => {
    kube = await startKube();
    core = kube.kubeConfig.makeApiClient(k8s.CoreV1Api);
    apps = kube.kubeConfig.makeApiClient(k8s.AppsV1Api);
    discovery = kube.kubeConfig.makeApiClient(k8s.DiscoveryV1Api);
  }, 30 * 60_000); // a cold tool cache builds Kubernetes first

  afterAll(async () => {
    await kube?.stop();
  }, TEST_TIMEOUT_MS);

  test(
    'kubectl and the apiserver report the pinned Kubernetes version',
    async () => {
      const { stdout } = await kube.kubectl(['version', '-o', 'json']);
      const versions = JSON.parse(stdout) as {
        clientVersion: { gitVersion: string };
        serverVersion: { gitVersion: string };
      };
      expect(versions.serverVersion.gitVersion).toBe(pinnedKubeVersion());
      expect(versions.clientVersion.gitVersion).toBe(pinnedKubeVersion());
      expect(kube.version).toBe(pinnedKubeVersion());
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'the controller-manager creates StatefulSet pods, EndpointSlices, and collects garbage',
    async () => {
      const namespace = await kube.createNamespace('cp');
      await apps.createNamespacedStatefulSet({ namespace, body: statefulSet('web', 3) });
      await core.createNamespacedService({
        namespace,
        body: {
          metadata: { name: 'web' },
          spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80 }] },
        },
      });

      const pods = await waitFor('3 StatefulSet pods', async () => {
        const list = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
        return list.items.length === 3 ? list.items : undefined;
      });
      expect(pods.map((p) => p.metadata!.name).sort()).toEqual(['web-0', 'web-1', 'web-2']);
      for (const pod of pods) {
        expect(pod.metadata!.ownerReferences?.[0]).toMatchObject({
          kind: 'StatefulSet',
          name: 'web',
        });
        expect(pod.status?.phase).toBe('Pending'); // no kubelet runs here
      }

      const slices = await waitFor('an EndpointSlice for the Service', async () => {
        const list = await discovery.listNamespacedEndpointSlice({
          namespace,
          labelSelector: 'kubernetes.io/service-name=web',
        });
        return list.items.length > 0 ? list.items : undefined;
      });
      expect(slices[0].addressType).toBe('IPv4');

      // Acting as the kubelet for web-0 puts it into the EndpointSlice. The address comes from
      // the pod network of scripts/kube/netns-run.sh (loopback would be refused in the slice).
      await markPodRunning(core, namespace, 'web-0', { podIP: '198.18.0.10' });
      const endpoint = await waitFor('web-0 in the EndpointSlice', async () => {
        const list = await discovery.listNamespacedEndpointSlice({
          namespace,
          labelSelector: 'kubernetes.io/service-name=web',
        });
        const endpoints = list.items.flatMap((slice) => slice.endpoints ?? []);
        return endpoints.find((e) => e.addresses.includes('198.18.0.10'));
      });
      expect(endpoint.conditions?.ready).toBe(true);
      expect(endpoint.targetRef?.name).toBe('web-0');

      // Background deletion: the garbage collector deletes the pods the StatefulSet owned. Unbound
      // pods go at once; the bound one waits for its (absent) kubelet, which the test plays.
      await apps.deleteNamespacedStatefulSet({ name: 'web', namespace });
      await waitFor('web-0 to be terminating', async () => {
        const pod = await core.readNamespacedPod({ name: 'web-0', namespace });
        return pod.metadata?.deletionTimestamp ? true : undefined;
      });
      await completePodTermination(core, namespace, 'web-0');
      await waitFor('the StatefulSet pods to be garbage-collected', async () => {
        const list = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
        return list.items.length === 0 ? true : undefined;
      });
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'deleting a namespace removes it and everything in it',
    async () => {
      const namespace = `cp-delete-${Date.now().toString(36)}`;
      await core.createNamespace({ body: { metadata: { name: namespace } } });
      await apps.createNamespacedStatefulSet({ namespace, body: statefulSet('db', 2) });
      await waitFor('2 pods', async () => {
        const list = await core.listNamespacedPod({ namespace });
        return list.items.length === 2 ? true : undefined;
      });

      await core.deleteNamespace({ name: namespace });
      await waitFor(
        'the namespace to be finalized',
        async () => {
          try {
            await core.readNamespace({ name: namespace });
            return undefined;
          } catch (error) {
            if (statusCode(error) === 404) return true;
            throw error;
          }
        },
        { timeoutMs: 60_000 },
      );
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'RBAC is enforced: an authenticated user without bindings is forbidden',
    async () => {
      const refused = await kube.kubectl(['get', 'pods', '-n', 'default'], {
        kubeconfig: kube.unprivilegedKubeconfigPath,
        allowFailure: true,
      });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/forbidden.*User "unprivileged"/i);

      const canI = await kube.kubectl(
        ['auth', 'can-i', 'create', 'statefulsets', '-n', 'default'],
        {
          kubeconfig: kube.unprivilegedKubeconfigPath,
          allowFailure: true,
        },
      );
      expect(canI.stdout.trim()).toBe('no');

      const unprivileged = new k8s.KubeConfig();
      unprivileged.loadFromFile(kube.unprivilegedKubeconfigPath);
      const error = await unprivileged
        .makeApiClient(k8s.CoreV1Api)
        .listNamespace()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(statusCode(error)).toBe(403);
    },
    TEST_TIMEOUT_MS,
  );

  test(
    'an unknown token is not authenticated',
    async () => {
      const cluster = kube.kubeConfig.getCurrentCluster()!;
      const stranger = new k8s.KubeConfig();
      stranger.loadFromOptions({
        clusters: [cluster],
        users: [{ name: 'stranger', token: 'not-a-valid-token' }],
        contexts: [{ name: 'stranger', cluster: cluster.name, user: 'stranger' }],
        currentContext: 'stranger',
      });
      const error = await stranger
        .makeApiClient(k8s.CoreV1Api)
        .listNamespace()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(statusCode(error)).toBe(401);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('scripts/kube/netns-run.sh', () => {
  test('gives a private network namespace whose pod network addresses serve and connect', async () => {
    // Listens on the first pod address inside the namespace and connects to it from there.
    const probe = `
      const net = require('node:net');
      const ip = process.env.MDC_POD_NETWORK.replace(/0\\/24$/, '10');
      const server = net.createServer((c) => c.end('pong ' + c.localAddress));
      server.listen(0, ip, () => {
        net.connect(server.address().port, ip).on('data', (d) => {
          console.log(String(d));
          server.close();
        });
      });`;
    const result = await run(
      'bash',
      [join(repoRoot, 'scripts/kube/netns-run.sh'), 'node', '-e', probe],
      { timeoutMs: 30_000 },
    );
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('pong 198.18.0.10');
  }, 60_000);
});
