/**
 * The whole product as a user runs it on Kubernetes: `kubectl apply` of a MetadataCache → the
 * operator process builds the children → the test kubelet starts a real cache-node process per
 * pod → the members find each other through the EndpointSlices of the headless Service
 * (discovery mode "kubernetes", written by the real EndpointSlice controller, watched through the
 * real apiserver) and form one cluster → the real `hazelcast-client` reads and writes through it
 * → status reports the ready members → scale 3 → 4 and a deleted pod lose nothing acknowledged
 * → deleting the resource stops everything.
 *
 * Pods need non-loopback addresses (the apiserver refuses 127/8 in EndpointSlices), so the tier
 * runs inside scripts/kube/netns-run.sh (`npm run test:e2e` does); elsewhere this file fails.
 */
import { jest } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import hz from 'hazelcast-client';
import { ProcessKubelet } from '../../helpers/process-kubelet.js';
import { waitFor, type Kube } from '../../helpers/kube.js';
import type { MetadataCacheResource } from '../../../operator/src/api/types.js';
import {
  cacheYaml,
  getJson,
  maybeGet,
  setUpOperatorTest,
  type OperatorProcess,
  type OperatorTest,
} from './harness.js';

type Client = Awaited<ReturnType<typeof hz.Client.newHazelcastClient>>;

jest.setTimeout(90_000);

const NAME = 'shop';
const PARTITIONS = 271;
const SPEC = {
  replicas: 3,
  clusterName: 'shop',
  partitionCount: PARTITIONS,
  backupCount: 1,
  handoffTimeoutSeconds: 10,
  maps: [{ name: 'products', maxEntries: 100_000 }],
};

let t: OperatorTest | undefined;
let kube: Kube;
let ns: string;
let op: OperatorProcess | undefined;
let kubelet: ProcessKubelet | undefined;
let client: Client | undefined;
let credentials: { username: string; password: string; token: string };

function requirePodNetwork(): void {
  if (process.env.MDC_IN_TEST_NETNS !== '1' || !process.env.MDC_POD_NETWORK) {
    throw new Error(
      'this test needs non-loopback pod addresses (the apiserver refuses 127.0.0.0/8 in ' +
        'EndpointSlices): run the e2e tier inside `bash scripts/kube/netns-run.sh` (as ' +
        '`npm run test:e2e` does); it needs root or user namespaces (`unshare --net`)',
    );
  }
}

beforeAll(async () => {
  requirePodNetwork();
  t = await setUpOperatorTest('mdc-e2e');
  ({ kube, ns, op } = t);
  kubelet = new ProcessKubelet({
    kubeConfig: kube.kubeConfig,
    namespace: ns,
    runProcesses: true,
    env: kube.env, // KUBECONFIG: the members watch EndpointSlices through the test apiserver
    pollMs: 250,
  });
  await kubelet.start();
}, 180_000);

afterAll(async () => {
  await client?.shutdown().catch(() => undefined);
  await kubelet?.stop();
  await t?.stop();
}, 90_000);

/** On failure: every member and operator log line goes to a file; the last few go in the error. */
function diagnostics(): string {
  const file = join(tmpdir(), `mdc-e2e-${ns}.log`);
  writeFileSync(
    file,
    `${kubelet?.logs.join('\n') ?? ''}\n--- operator ---\n${op?.logs.join('') ?? ''}`,
  );
  const members = kubelet?.logs.slice(-10).join('\n').slice(-4000) ?? '';
  const operator = op?.logs.join('').split('\n').slice(-15).join('\n') ?? '';
  return `\n(full logs in ${file})\n--- members ---\n${members}\n--- operator ---\n${operator}`;
}

const getCache = () => getJson<MetadataCacheResource>(kube, ['-n', ns, 'get', 'mdc', NAME]);

async function pods(): Promise<k8s.V1Pod[]> {
  const list = await getJson<{ items: k8s.V1Pod[] }>(kube, [
    '-n',
    ns,
    'get',
    'pods',
    '-l',
    `app.kubernetes.io/instance=${NAME}`,
  ]);
  return list.items.filter((p) => !p.metadata?.deletionTimestamp);
}

/** Status says `n` members ready and Available=True with every member ready. */
async function waitForReadyMembers(n: number, timeoutMs = 60_000): Promise<MetadataCacheResource> {
  return waitFor(
    `${n} ready members in status`,
    async () => {
      const c = await getCache();
      const available = c.status?.conditions?.find((x) => x.type === 'Available');
      const ok =
        c.status?.readyReplicas === n &&
        c.status.replicas === n &&
        available?.status === 'True' &&
        available.reason === 'AllMembersReady';
      return ok ? c : undefined;
    },
    { timeoutMs },
  ).catch((err: Error) => Promise.reject(new Error(err.message + diagnostics())));
}

async function metrics(ip: string): Promise<Map<string, number>> {
  const text = await (
    await fetch(`http://${ip}:8080/metrics`, { signal: AbortSignal.timeout(3000) })
  ).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m =
      /^(metadatacache_(?:cluster_members|partition_table_version|partitions_owned)) (\S+)$/.exec(
        line,
      );
    if (m) out.set(m[1], Number(m[2]));
  }
  return out;
}

interface ClusterView {
  ip: string;
  members: number;
  version: number;
  owned: number;
}

/**
 * Every pod's member sees `n` members, and the members own every partition exactly once between
 * them: one cluster, not several. (Table versions are per member, so they are not compared.)
 */
async function waitForOneCluster(n: number): Promise<ClusterView[]> {
  let last: ClusterView[] = [];
  return waitFor(
    `one cluster of ${n} members`,
    async () => {
      const ips = (await pods()).map((p) => p.status?.podIP).filter((ip): ip is string => !!ip);
      last = await Promise.all(
        ips.map(async (ip) => {
          const m = await metrics(ip).catch(() => new Map<string, number>());
          return {
            ip,
            members: m.get('metadatacache_cluster_members') ?? -1,
            version: m.get('metadatacache_partition_table_version') ?? -1,
            owned: m.get('metadatacache_partitions_owned') ?? -1,
          };
        }),
      );
      const one =
        last.length === n &&
        last.every((v) => v.members === n) &&
        last.reduce((sum, v) => sum + v.owned, 0) === PARTITIONS &&
        last.every((v) => v.owned > 0);
      return one ? last : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  ).catch((err: Error) =>
    Promise.reject(new Error(`${err.message}; last view ${JSON.stringify(last)}${diagnostics()}`)),
  );
}

/**
 * Writers that own disjoint keys and write increasing numbers through the client; the last
 * acknowledged value of every key is known, so a lost write shows as an older value.
 */
class Writers {
  readonly acked = new Map<string, number>();
  /** Writes acknowledged so far. */
  acks = 0;
  failures = 0;
  lastFailure = '';
  private stopping = false;
  private loops: Promise<void>[] = [];

  constructor(
    private readonly map: Awaited<ReturnType<Client['getMap']>>,
    private readonly keys = 200,
    private readonly writers = 4,
  ) {}

  start(): void {
    this.loops = Array.from({ length: this.writers }, (_, w) => this.loop(w));
  }

  private async loop(w: number): Promise<void> {
    for (let round = 1; !this.stopping; round++) {
      for (let i = w; i < this.keys && !this.stopping; i += this.writers) {
        const key = `load-${i}`;
        try {
          await this.map.put(key, round);
          this.acked.set(key, round);
          this.acks++;
        } catch (err) {
          // Not acknowledged: the member may or may not have applied it.
          this.failures++;
          this.lastFailure = err instanceof Error ? err.message : String(err);
        }
      }
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.loops);
  }

  /** Keys whose value is older than the last acknowledged write (or gone). */
  async lost(): Promise<string[]> {
    const lost: string[] = [];
    for (const [key, acked] of this.acked) {
      const value = (await this.map.get(key)) as number | null;
      if (value === null || value < acked) lost.push(`${key}: ${value} < ${acked}`);
    }
    return lost;
  }
}

async function waitForAcks(writers: Writers, more: number, what: string): Promise<void> {
  const target = writers.acks + more;
  await waitFor(what, () => Promise.resolve(writers.acks >= target ? true : undefined), {
    timeoutMs: 30_000,
  }).catch((err: Error) =>
    Promise.reject(new Error(`${err.message} (last failure: ${writers.lastFailure})`)),
  );
}

function exitOf(proc: ChildProcess): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve(proc.exitCode);
  return new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
}

test('kubectl apply: three pods run real members that form one cluster through EndpointSlices', async () => {
  await kube.kubectl(['-n', ns, 'apply', '-f', '-'], { input: cacheYaml(NAME, SPEC) });
  const cache = await waitForReadyMembers(3, 90_000);

  // The members discover each other through the Kubernetes API, nothing else.
  const cm = await getJson<k8s.V1ConfigMap>(kube, ['-n', ns, 'get', 'configmap', `${NAME}-config`]);
  expect(cm.data?.['config.yaml']).toMatch(/mode: kubernetes/);
  const ips = (await pods()).map((p) => p.status!.podIP!).sort();
  expect(ips).toHaveLength(3);
  for (const ip of ips) expect(ip.startsWith('127.')).toBe(false);
  // The EndpointSlice controller published exactly the pods' addresses.
  const slices = await getJson<{ items: k8s.V1EndpointSlice[] }>(kube, [
    '-n',
    ns,
    'get',
    'endpointslices',
    '-l',
    `kubernetes.io/service-name=${NAME}-hl`,
  ]);
  const published = slices.items.flatMap((s) => s.endpoints.flatMap((e) => e.addresses)).sort();
  expect(published).toEqual(ips);
  // Status names the members honestly.
  expect(cache.status?.members?.map((m) => [m.podIP, m.ready]).sort()).toEqual(
    ips.map((ip) => [ip, true]),
  );

  await waitForOneCluster(3);
  // Ordinal 0 founded the cluster and the others joined it: nobody formed a cluster alone (it
  // would report Ready, take writes, and drop them when the groups merge).
  const memberLogs = kubelet!.logs.join('\n');
  expect(memberLogs.match(/formed the cluster/g)).toHaveLength(1);
  expect(memberLogs).toMatch(new RegExp(`formed the cluster[^\\n]*"member":"${NAME}-0"`));
  expect(memberLogs).not.toMatch(/merging into it/);

  // The official client, with the credentials of the Secret the operator generated.
  const secret = await getJson<k8s.V1Secret>(kube, ['-n', ns, 'get', 'secret', `${NAME}-auth`]);
  const field = (k: string) => Buffer.from(secret.data?.[k] ?? '', 'base64').toString('utf8');
  credentials = { username: field('username'), password: field('password'), token: field('token') };
  client = await hz.Client.newHazelcastClient({
    clusterName: SPEC.clusterName,
    network: { clusterMembers: ips.map((ip) => `${ip}:5701`) },
    security: {
      usernamePassword: { username: credentials.username, password: credentials.password },
    },
    properties: { 'hazelcast.logging.level': 'OFF' },
  });
  expect(client.getCluster().getMembers()).toHaveLength(3);
  const products = await client.getMap<string, string>('products');
  for (let i = 0; i < 100; i++) await products.put(`sku-${i}`, `product ${i}`);
  for (let i = 0; i < 100; i++) expect(await products.get(`sku-${i}`)).toBe(`product ${i}`);

  // The same data through every member's HTTP API (the cluster routes to the owner).
  for (const ip of ips) {
    const res = await fetch(`http://${ip}:8080/v1/maps/products/entries/sku-7`, {
      headers: { authorization: `Bearer ${credentials.token}` },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('product 7');
  }
}, 150_000);

test('kubectl scale 3 → 4: the new member joins, partitions rebalance, nothing acknowledged is lost', async () => {
  const map = await client!.getMap<string, number>('products');
  const writers = new Writers(map);
  writers.start();
  try {
    await waitForAcks(writers, 200, 'writes before the scale-out');
    const before = await waitForOneCluster(3);
    await kube.kubectl(['-n', ns, 'scale', `mdc/${NAME}`, '--replicas=4']);
    await waitForReadyMembers(4);
    const after = await waitForOneCluster(4);
    // Partitions moved to the new member: the old members own fewer and their tables moved on.
    for (const b of before) {
      const a = after.find((x) => x.ip === b.ip)!;
      expect(a.owned).toBeLessThan(b.owned);
      expect(a.version).toBeGreaterThan(b.version);
    }
    await waitFor('the client sees 4 members', () =>
      Promise.resolve(client!.getCluster().getMembers().length === 4 ? true : undefined),
    );
    await waitForAcks(writers, 200, 'writes after the scale-out');
  } finally {
    await writers.stop();
  }
  expect(await writers.lost()).toEqual([]);
}, 150_000);

test('a deleted pod: its member hands off on SIGTERM, the StatefulSet recreates it, it rejoins', async () => {
  const map = await client!.getMap<string, number>('products');
  const writers = new Writers(map);
  writers.start();
  try {
    await waitForAcks(writers, 200, 'writes before the pod deletion');
    const victim = (await pods()).find((p) => p.metadata?.name === `${NAME}-1`)!;
    const proc = kubelet!.processOf(`${NAME}-1`)!;
    expect(proc).toBeDefined();
    await kube.kubectl(['-n', ns, 'delete', 'pod', `${NAME}-1`, '--wait=false']);
    // The kubelet stops the process with SIGTERM: a graceful exit after the hand-off.
    expect(await exitOf(proc)).toBe(0);
    const replaced = await waitFor(
      'the pod recreated',
      async () => {
        const p = (await pods()).find((x) => x.metadata?.name === `${NAME}-1`);
        return p && p.metadata?.uid !== victim.metadata?.uid ? p : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(replaced.status?.podIP ?? victim.status?.podIP).toBe(victim.status?.podIP);
    await waitForReadyMembers(4);
    await waitForOneCluster(4);
    expect(kubelet!.processOf(`${NAME}-1`)).not.toBe(proc);
    await waitForAcks(writers, 200, 'writes after the member rejoined');
  } finally {
    await writers.stop();
  }
  expect(await writers.lost()).toEqual([]);
  expect(kubelet!.logs.join('\n')).not.toMatch(/hand-off timed out/);
}, 150_000);

test('kubectl delete: the children are garbage-collected and every member process stops', async () => {
  const procs = [0, 1, 2, 3].map((i) => kubelet!.processOf(`${NAME}-${i}`)!);
  expect(procs.every((p) => p !== undefined)).toBe(true);
  await client!.shutdown();
  client = undefined;
  await kube.kubectl(['-n', ns, 'delete', 'mdc', NAME, '--wait=true']);
  const codes = await Promise.all(procs.map(exitOf));
  expect(codes).toEqual([0, 0, 0, 0]);
  await waitFor(
    'children collected',
    async () => {
      const left = await Promise.all(
        [
          `statefulset/${NAME}`,
          `service/${NAME}-hl`,
          `service/${NAME}`,
          `configmap/${NAME}-config`,
          `secret/${NAME}-auth`,
        ].map((k) => maybeGet(kube, ['-n', ns, 'get', k])),
      );
      return left.every((x) => x === undefined) && (await pods()).length === 0 ? true : undefined;
    },
    { timeoutMs: 60_000 },
  );
}, 120_000);
