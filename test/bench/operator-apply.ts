/**
 * Operator latency on the real apiserver: time from creating a MetadataCache to its StatefulSet
 * existing and to Available=True (pods made ready by the test kubelet), for bursts of 1, 100, 1000
 * resources; the operator's memory after each burst. The reference, measured in the same run, is
 * the apiserver's own latency to create a ConfigMap. Run it inside the test network namespace so
 * the process-less pods get addresses that EndpointSlices accept:
 *
 *   bash scripts/kube/netns-run.sh npm run bench -- operator-apply --counts 1,100,1000
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { startKube, waitFor } from '../helpers/kube.js';
import { ProcessKubelet } from '../helpers/process-kubelet.js';
import { installCrd, startOperator } from '../e2e/operator/harness.js';

export const defaultArgs = ['--counts', '1,100'];

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};
const round = (x: number) => Math.round(x * 10) / 10;

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE', 'DELETECOLLECTION']);

/** Sums a Prometheus counter's series by the value of one label (text exposition format). */
export function sumByLabel(
  text: string,
  name: string,
  keyOf: (labels: Record<string, string>) => string | undefined,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.lastIndexOf('}');
    const labels: Record<string, string> = {};
    for (const m of line.slice(name.length + 1, close).matchAll(/(\w+)="([^"]*)"/g)) {
      labels[m[1]] = m[2]!;
    }
    const key = keyOf(labels);
    if (key === undefined) continue;
    out.set(key, (out.get(key) ?? 0) + Number(line.slice(close + 1).trim()));
  }
  return out;
}

/** Per resource (kind/subresource): mutating requests the apiserver served, by every client. */
const apiserverWrites = (text: string) =>
  sumByLabel(text, 'apiserver_request_total', (l) =>
    l.verb && MUTATING.has(l.verb)
      ? `${l.resource ?? '?'}${l.subresource ? `/${l.subresource}` : ''}`
      : undefined,
  );

/**
 * CPU seconds used so far by each control-plane process (Linux /proc; user + system). Per resource
 * they say what a burst cost the apiserver, independently of how busy the machine was.
 */
function controlPlaneCpu(stateDir: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of ['apiserver', 'etcd', 'controller-manager']) {
    try {
      const pid = readFileSync(join(stateDir, `${name}.pid`), 'utf8').trim();
      // Fields after the command name (which may contain spaces): utime and stime are 14 and 15.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(name, (Number(fields[11]) + Number(fields[12])) / 100); // USER_HZ is 100 on Linux
    } catch {
      // Not Linux, or the process is gone: reported as missing.
    }
  }
  return out;
}

/** The difference of two counter snapshots, divided by `per`, largest first. */
function perResource(before: Map<string, number>, after: Map<string, number>, per: number) {
  const rows = [...after]
    .map(([k, v]) => [k, (v - (before.get(k) ?? 0)) / per] as const)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1]);
  return Object.fromEntries(rows.map(([k, v]) => [k, Math.round(v * 100) / 100]));
}
const total = (o: Record<string, number>) =>
  Math.round(Object.values(o).reduce((a, b) => a + b, 0) * 100) / 100;

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      counts: { type: 'string', default: '1,100' },
      // false: no test kubelet, measure only apply -> StatefulSet (large bursts).
      available: { type: 'string', default: 'true' },
      // A directory: the operator writes a V8 CPU profile there when it stops.
      'cpu-prof': { type: 'string' },
    },
  });
  const measureAvailable = values.available !== 'false';
  if (measureAvailable && !process.env.MDC_IDLE_POD_NETWORK) {
    // Loopback pod IPs are refused in EndpointSlices: the controller-manager retries each one,
    // which loads the control plane and distorts the figures.
    console.error(
      'operator-apply: not inside scripts/kube/netns-run.sh; pods get loopback IPs that ' +
        'EndpointSlices refuse (run: bash scripts/kube/netns-run.sh npm run bench -- operator-apply)',
    );
  }
  const counts = values.counts.split(',').map(Number);
  const kube = await startKube();
  await installCrd(kube);
  const ns = await kube.createNamespace('mdc-bench');
  const op = await startOperator(kube, ns, {
    extraArgs: ['--concurrency', '8'],
    ...(values['cpu-prof']
      ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] }
      : {}),
  });
  const kubelet = new ProcessKubelet({
    kubeConfig: kube.kubeConfig,
    namespace: ns,
    pollMs: 200,
    concurrency: 32,
  });
  if (measureAvailable) await kubelet.start();
  const kc = kube.kubeConfig;
  const apiserverMetrics = async () => (await kube.kubectl(['get', '--raw', '/metrics'])).stdout;
  const operatorMetrics = async () => (await fetch(`http://127.0.0.1:${op.port}/metrics`)).text();
  const operatorWrites = (text: string) =>
    sumByLabel(text, 'metadatacache_operator_writes_total', (l) =>
      l.result === 'applied' ? (l.kind ?? '?') : undefined,
    );
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const apps = kc.makeApiClient(k8s.AppsV1Api);

  const created = new Map<string, number>();
  const stsAt = new Map<string, number>();
  const availableAt = new Map<string, number>();
  // The operator's job done: children applied and a status for the current generation written
  // (status is written only after every apply succeeded; Degraded=True would mean one failed).
  const reconciledAt = new Map<string, number>();
  const stsWatch = new k8s.ListWatch<k8s.V1StatefulSet>(
    `/apis/apps/v1/namespaces/${ns}/statefulsets`,
    new k8s.Watch(kc),
    () => apps.listNamespacedStatefulSet({ namespace: ns }),
    false,
  );
  stsWatch.on('add', (s) => stsAt.set(s.metadata!.name!, performance.now()));
  type Cache = k8s.KubernetesObject & {
    status?: {
      observedGeneration?: number;
      conditions?: { type: string; status: string; reason?: string }[];
    };
  };
  const cacheWatch = new k8s.ListWatch<Cache>(
    `/apis/metadatacache.io/v1alpha1/namespaces/${ns}/metadatacaches`,
    new k8s.Watch(kc),
    () =>
      custom.listNamespacedCustomObject({
        group: 'metadatacache.io',
        version: 'v1alpha1',
        namespace: ns,
        plural: 'metadatacaches',
      }) as Promise<k8s.KubernetesListObject<Cache>>,
    false,
  );
  const onCache = (c: Cache) => {
    const name = c.metadata!.name!;
    const failed = c.status?.conditions?.some(
      (x) => x.type === 'Degraded' && x.status === 'True' && x.reason !== 'MembersNotReady',
    );
    if (
      !reconciledAt.has(name) &&
      c.status?.observedGeneration === c.metadata?.generation &&
      !failed
    ) {
      reconciledAt.set(name, performance.now());
    }
    const ok = c.status?.conditions?.some((x) => x.type === 'Available' && x.status === 'True');
    if (ok && !availableAt.has(c.metadata!.name!))
      availableAt.set(c.metadata!.name!, performance.now());
  };
  cacheWatch.on('add', onCache);
  cacheWatch.on('update', onCache);
  await stsWatch.start();
  await cacheWatch.start();

  try {
    // Reference: the apiserver's own create latency, 50 ConfigMaps one after another.
    const ref: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: `ref-${i}` } },
      });
      ref.push(performance.now() - t);
    }
    const refP50 = quantile(ref, 0.5);
    let batch = 0;
    for (const n of counts) {
      batch++;
      const names = Array.from({ length: n }, (_, i) => `b${batch}-${i}`);
      const apiBefore = apiserverWrites(await apiserverMetrics());
      const opBefore = operatorWrites(await operatorMetrics());
      const cpuBefore = controlPlaneCpu(kube.state.stateDir);
      const t0 = performance.now();
      await inBatches(names, 50, async (name) => {
        created.set(name, performance.now());
        await custom.createNamespacedCustomObject({
          group: 'metadatacache.io',
          version: 'v1alpha1',
          namespace: ns,
          plural: 'metadatacaches',
          body: {
            apiVersion: 'metadatacache.io/v1alpha1',
            kind: 'MetadataCache',
            metadata: { name },
            spec: { replicas: 1, auth: { enabled: false } },
          },
        });
      });
      await waitFor(
        `${n} StatefulSets`,
        () => Promise.resolve(names.every((x) => stsAt.has(x)) ? true : undefined),
        { timeoutMs: 300_000, intervalMs: 100 },
      );
      const allSts = performance.now() - t0;
      const allReconciled = await waitFor(
        `${n} reconciled`,
        () => Promise.resolve(names.every((x) => reconciledAt.has(x)) ? true : undefined),
        { timeoutMs: 300_000, intervalMs: 100 },
      ).then(() => Math.max(...names.map((x) => reconciledAt.get(x)!)) - t0);
      const toReconciled = names.map((x) => reconciledAt.get(x)! - created.get(x)!);
      const toSts = names.map((x) => stsAt.get(x)! - created.get(x)!);
      let allAvailable: number | null = null;
      if (measureAvailable) {
        allAvailable = await waitFor(
          `${n} Available`,
          () => Promise.resolve(names.every((x) => availableAt.has(x)) ? true : undefined),
          { timeoutMs: 600_000, intervalMs: 200 },
        )
          .then(() => performance.now() - t0)
          .catch(() => null); // reported as null: the test kubelet could not keep up
      }
      const toAvail = names
        .filter((x) => availableAt.has(x))
        .map((x) => availableAt.get(x)! - created.get(x)!);
      // Writes per resource: settled counters after the burst (the operator may still be writing
      // the last statuses while the last Available arrives).
      const apiWrites = perResource(apiBefore, apiserverWrites(await apiserverMetrics()), n);
      const opWrites = perResource(opBefore, operatorWrites(await operatorMetrics()), n);
      const cpuMsPerResource = perResource(
        cpuBefore,
        controlPlaneCpu(kube.state.stateDir),
        n / 1000,
      );
      const rss = await op.metric('process_resident_memory_bytes');
      const heap = await op.metric('nodejs_heap_size_used_bytes');
      // CPU seconds next to the wall time show whether the operator (or this process, which also
      // plays the kubelet) was the limit, or the apiserver it waits on.
      const cpu = await op.metric('process_cpu_seconds_total');
      const ownCpu = process.cpuUsage();
      const reconciles = await op.metric('metadatacache_operator_reconciles_total');
      console.log(
        JSON.stringify({
          bench: 'operator-apply',
          resources: n,
          sts_p50_ms: round(quantile(toSts, 0.5)),
          sts_p99_ms: round(quantile(toSts, 0.99)),
          available_p50_ms: round(quantile(toAvail, 0.5)),
          available_p99_ms: round(quantile(toAvail, 0.99)),
          reconciled_p50_ms: round(quantile(toReconciled, 0.5)),
          reconciled_p99_ms: round(quantile(toReconciled, 0.99)),
          all_sts_ms: round(allSts),
          all_reconciled_ms: round(allReconciled),
          all_available_ms: allAvailable === null ? null : round(allAvailable),
          available_count: toAvail.length,
          operator_rss_mib: rss ? round(rss / 1048576) : null,
          operator_heap_used_mib: heap ? round(heap / 1048576) : null,
          operator_cpu_s_so_far: cpu ? round(cpu) : null,
          bench_process_cpu_s_so_far: round((ownCpu.user + ownCpu.system) / 1e6),
          operator_reconciles_so_far: reconciles ?? 0,
          operator_writes_per_resource: total(opWrites),
          operator_writes_by_kind: opWrites,
          apiserver_writes_per_resource: total(apiWrites),
          apiserver_writes_by_resource: apiWrites,
          control_plane_cpu_ms_per_resource: cpuMsPerResource,
          ref_create_p50_ms: round(refP50),
          sts_p50_vs_ref_create: round(quantile(toSts, 0.5) / refP50),
        }),
      );
    }
  } finally {
    await stsWatch.stop();
    await cacheWatch.stop();
    await kubelet.stop();
    await op.stop();
    await kube.stop();
  }
}
