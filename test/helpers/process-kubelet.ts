/**
 * A test-only kubelet for a control plane without one. It watches the member pods of a namespace
 * (an informer, so a burst of pods costs no repeated lists), binds new ones to the test Node and
 * reports them Running with an address of their own, and finishes the deletion of terminating
 * pods (no kubelet would otherwise). Pods are handled concurrently, each by at most one task.
 *
 * With `runProcesses` it also starts a real cache-node process per pod, as the pod's container
 * would run: the pod's ConfigMap config bound to the pod's address, the downward-API env
 * (POD_NAME, POD_NAMESPACE, POD_IP) and the credentials from the pod's Secret. Readiness comes
 * from the node's /readyz; a deleted pod's process gets SIGTERM (graceful hand-off) and the pod
 * is removed once it exited. Those pods get `testPodIP` addresses: inside
 * scripts/kube/netns-run.sh they are non-loopback, so the EndpointSlice controller publishes them
 * and kubernetes discovery works. Without processes, pods get `idlePodIP` addresses.
 *
 * It records a timeline (ready and deleted, per pod uid) so tests can check rollout order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { repoRoot } from './kube-control-plane.js';
import {
  ensureTestNode,
  idlePodIP,
  reportPodRunning,
  TEST_NODE_NAME,
  testPodIP,
} from './kube-pods.js';

export interface TimelineEntry {
  at: number;
  pod: string;
  uid: string;
  event: 'ready' | 'deleted';
}

export interface KubeletOptions {
  kubeConfig: k8s.KubeConfig;
  namespace: string;
  /** Index of the first pod address handed out (`testPodIP` / `idlePodIP`). */
  firstPod?: number;
  runProcesses?: boolean;
  /** Env for cache-node processes (KUBECONFIG for kubernetes discovery). */
  env?: NodeJS.ProcessEnv;
  /** How often pods are looked at again (readiness probes, retries). */
  pollMs?: number;
  /** Pods handled at the same time. */
  concurrency?: number;
}

interface Member {
  uid: string;
  ip: string;
  proc?: ChildProcess;
  /** The readiness last written to the pod's status, undefined before the first write. */
  reported?: boolean;
}

/** The cache-node HTTP port (operator/src/api/constants.ts HTTP_PORT). */
const HTTP_PORT = 8080;
const MEMBER_PODS = 'app.kubernetes.io/name=metadatacache';
const LOG_LINES_KEPT = 20_000;

export class ProcessKubelet {
  readonly timeline: TimelineEntry[] = [];
  readonly logs: string[] = [];
  private readonly core: k8s.CoreV1Api;
  private readonly informer: k8s.Informer<k8s.V1Pod> & k8s.ObjectCache<k8s.V1Pod>;
  private readonly members = new Map<string, Member>();
  private readonly ips = new Map<string, string>();
  private readonly inFlight = new Set<string>();
  private nextPod: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly dir = mkdtempSync(join(tmpdir(), 'mdc-kubelet-'));

  constructor(private readonly o: KubeletOptions) {
    this.core = o.kubeConfig.makeApiClient(k8s.CoreV1Api);
    this.nextPod = o.firstPod ?? 10;
    const namespace = o.namespace;
    this.informer = k8s.makeInformer<k8s.V1Pod>(
      o.kubeConfig,
      `/api/v1/namespaces/${namespace}/pods`,
      () => this.core.listNamespacedPod({ namespace, labelSelector: MEMBER_PODS }),
      MEMBER_PODS,
    );
    this.informer.on('error', (err) => {
      this.log(`kubelet: pod watch failed (${String(err)}), restarting it`);
      setTimeout(() => void this.startInformer(), 1000);
    });
  }

  /** Resolves once the pod watch is running (pods created afterwards are all seen). */
  async start(): Promise<void> {
    await ensureTestNode(this.core);
    await this.startInformer();
    this.timer = setInterval(() => this.tick(), this.o.pollMs ?? 200);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.informer.stop();
    await Promise.all([...this.members.values()].map((m) => stopProcess(m.proc)));
    this.members.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Address of a pod (stable per pod name, like a StatefulSet pod's DNS name). */
  ipOf(podName: string): string {
    let ip = this.ips.get(podName);
    if (!ip) {
      const n = this.nextPod++;
      ip = this.o.runProcesses ? testPodIP(n) : idlePodIP(n);
      this.ips.set(podName, ip);
    }
    return ip;
  }

  /** The running cache-node process of a pod, if any. */
  processOf(podName: string): ChildProcess | undefined {
    return this.members.get(podName)?.proc;
  }

  private async startInformer(): Promise<void> {
    if (this.stopped) return;
    await this.informer.start().catch((err: unknown) => {
      this.log(`kubelet: pod watch did not start (${String(err)}), retrying`);
      setTimeout(() => void this.startInformer(), 1000);
    });
  }

  private log(line: string): void {
    this.logs.push(line);
    if (this.logs.length > LOG_LINES_KEPT) this.logs.splice(0, this.logs.length - LOG_LINES_KEPT);
  }

  /** Starts a task for every pod that needs one and has none running, up to the concurrency. */
  private tick(): void {
    const limit = this.o.concurrency ?? 16;
    for (const pod of this.informer.list()) {
      if (this.inFlight.size >= limit) return;
      const name = pod.metadata?.name;
      if (!name || this.inFlight.has(name) || !this.needsWork(pod)) continue;
      this.inFlight.add(name);
      void this.sync(pod)
        .catch((err: unknown) => this.log(`kubelet ${name}: ${errorText(err)}`))
        .finally(() => this.inFlight.delete(name));
    }
  }

  /** Without processes a reported pod needs nothing until it is deleted or replaced. */
  private needsWork(pod: k8s.V1Pod): boolean {
    if (this.o.runProcesses || pod.metadata?.deletionTimestamp) return true;
    const member = this.members.get(pod.metadata!.name!);
    if (!member || member.uid !== pod.metadata?.uid) return true;
    return member.reported !== true;
  }

  private async sync(pod: k8s.V1Pod): Promise<void> {
    const name = pod.metadata!.name!;
    const uid = pod.metadata!.uid!;
    let member = this.members.get(name);
    if (pod.metadata?.deletionTimestamp) {
      // As the kubelet: stop the container (SIGTERM, SIGKILL after the grace period), then the
      // pod may go. (The preStop sleep is left out: nothing here needs the delay.)
      if (member?.uid === uid) {
        const graceMs = (pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
        await stopProcess(member.proc, graceMs);
        this.members.delete(name);
      }
      await this.core
        .deleteNamespacedPod({ name, namespace: this.o.namespace, gracePeriodSeconds: 0 })
        .catch(() => undefined);
      this.timeline.push({ at: Date.now(), pod: name, uid, event: 'deleted' });
      return;
    }
    if (member && member.uid !== uid) {
      await stopProcess(member.proc);
      member = undefined;
    }
    if (!member) {
      member = { uid, ip: this.ipOf(name) };
      this.members.set(name, member);
      if (this.o.runProcesses) {
        // As a kubelet: the pod has its IP (Running, not ready) before its container starts, so
        // the EndpointSlice (publishNotReadyAddresses) already lists it when the member looks.
        await reportPodRunning(this.core, pod, { podIP: member.ip, ready: false });
        member.reported = false;
        pod = { ...pod, spec: { ...pod.spec!, nodeName: pod.spec?.nodeName ?? TEST_NODE_NAME } };
        member.proc = await this.startNode(pod, member.ip);
      }
    }
    const ready = this.o.runProcesses ? await probe(member.ip, member.proc) : true;
    if (ready !== member.reported || !pod.spec?.nodeName) {
      await reportPodRunning(this.core, pod, { podIP: member.ip, ready });
      if (ready && member.reported !== true) {
        this.timeline.push({ at: Date.now(), pod: name, uid, event: 'ready' });
      }
      member.reported = ready;
    }
  }

  private async startNode(pod: k8s.V1Pod, ip: string): Promise<ChildProcess> {
    const name = pod.metadata!.name!;
    const namespace = this.o.namespace;
    const volume = pod.spec?.volumes?.find((v) => v.name === 'config');
    const configMap = volume?.configMap?.name;
    if (!configMap) throw new Error(`pod ${name} has no config volume`);
    const cm = await this.core.readNamespacedConfigMap({ name: configMap, namespace });
    const config = parse(cm.data?.['config.yaml'] ?? '') as Record<string, unknown>;
    // Each pod has its own address here (one host for all), so the node binds it, not 0.0.0.0.
    config.member = { ...(config.member as Record<string, unknown>), host: ip };
    const file = join(this.dir, `${name}-${pod.metadata!.uid}.yaml`);
    writeFileSync(file, stringify(config));
    const env: NodeJS.ProcessEnv = {
      ...(this.o.env ?? process.env),
      POD_NAME: name,
      POD_NAMESPACE: namespace,
      POD_IP: ip,
    };
    for (const e of pod.spec?.containers[0]?.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (!ref?.name || !ref.key) continue;
      const secret = await this.core.readNamespacedSecret({ name: ref.name, namespace });
      const value = secret.data?.[ref.key];
      if (value) env[e.name] = Buffer.from(value, 'base64').toString('utf8');
    }
    const proc = spawn(
      process.execPath,
      [join(repoRoot, 'cache-node', 'dist', 'main.js'), '--config', file],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const tag = (d: Buffer) => this.log(`[${name}] ${d.toString().trimEnd()}`);
    proc.stdout?.on('data', tag);
    proc.stderr?.on('data', tag);
    proc.once('exit', (code, signal) => this.log(`[${name}] exited (${code ?? signal})`));
    return proc;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The node's /readyz; a process that exited is not ready (and is not restarted). */
async function probe(ip: string, proc: ChildProcess | undefined): Promise<boolean> {
  if (proc && (proc.exitCode !== null || proc.signalCode !== null)) return false;
  try {
    const res = await fetch(`http://${ip}:${HTTP_PORT}/readyz`, {
      signal: AbortSignal.timeout(1000),
    });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** SIGTERM, SIGKILL after `graceMs`; resolves when the process exited. */
async function stopProcess(proc: ChildProcess | undefined, graceMs = 30_000): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
