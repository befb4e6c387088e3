/**
 * A test-only kubelet for a control plane without one. It polls the member pods of a namespace,
 * binds new ones to a test Node and reports them Running with their own 127.0.0.x address, and
 * finishes the deletion of terminating pods (no kubelet would otherwise). With `runProcesses` it
 * also starts a real cache-node process per pod (the pod's ConfigMap config, this pod's address
 * and id, credentials from the pod's Secret) and reports readiness from the node's /readyz, and
 * stops it with SIGTERM (graceful hand-off) before the pod is removed.
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
import { markPodRunning } from './kube-pods.js';

export interface TimelineEntry {
  at: number;
  pod: string;
  uid: string;
  event: 'ready' | 'deleted';
}

export interface KubeletOptions {
  kubeConfig: k8s.KubeConfig;
  namespace: string;
  /** First host number of the 127.0.0.x addresses handed out. */
  firstHost?: number;
  runProcesses?: boolean;
  /** Env for cache-node processes (KUBECONFIG for kubernetes discovery). */
  env?: NodeJS.ProcessEnv;
  pollMs?: number;
}

interface Member {
  uid: string;
  ip: string;
  proc?: ChildProcess;
  ready: boolean;
}

export class ProcessKubelet {
  readonly timeline: TimelineEntry[] = [];
  readonly logs: string[] = [];
  private readonly core: k8s.CoreV1Api;
  private readonly members = new Map<string, Member>();
  private readonly ips = new Map<string, string>();
  private nextHost: number;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private readonly dir = mkdtempSync(join(tmpdir(), 'mdc-kubelet-'));

  constructor(private readonly o: KubeletOptions) {
    this.core = o.kubeConfig.makeApiClient(k8s.CoreV1Api);
    this.nextHost = o.firstHost ?? 20;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.o.pollMs ?? 200);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.members.values()].map((m) => stopProcess(m.proc)));
    this.members.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Address of a pod (stable per pod name, like a StatefulSet's DNS name). */
  ipOf(podName: string): string {
    let ip = this.ips.get(podName);
    if (!ip) {
      ip = `127.0.0.${this.nextHost++}`;
      this.ips.set(podName, ip);
    }
    return ip;
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const pods = await this.core.listNamespacedPod({
        namespace: this.o.namespace,
        labelSelector: 'app.kubernetes.io/name=metadatacache',
      });
      for (const pod of pods.items) await this.sync(pod);
    } catch (err) {
      this.logs.push(`kubelet: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.busy = false;
    }
  }

  private async sync(pod: k8s.V1Pod): Promise<void> {
    const name = pod.metadata!.name!;
    const uid = pod.metadata!.uid!;
    let member = this.members.get(name);
    if (pod.metadata?.deletionTimestamp) {
      if (member) await stopProcess(member.proc);
      this.members.delete(name);
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
      member = { uid, ip: this.ipOf(name), ready: false };
      this.members.set(name, member);
      if (this.o.runProcesses) member.proc = await this.startNode(pod, member.ip);
    }
    const ready = this.o.runProcesses ? await probe(member.ip) : true;
    if (ready !== member.ready || !pod.spec?.nodeName) {
      await markPodRunning(this.core, this.o.namespace, name, { podIP: member.ip, ready });
      if (ready && !member.ready)
        this.timeline.push({ at: Date.now(), pod: name, uid, event: 'ready' });
      member.ready = ready;
    }
  }

  private async startNode(pod: k8s.V1Pod, ip: string): Promise<ChildProcess> {
    const name = pod.metadata!.name!;
    const volume = pod.spec?.volumes?.find((v) => v.name === 'config');
    const cm = await this.core.readNamespacedConfigMap({
      name: volume!.configMap!.name!,
      namespace: this.o.namespace,
    });
    const config = parse(cm.data!['config.yaml']) as Record<string, Record<string, unknown>>;
    config.member = { ...config.member, host: ip, id: name };
    const file = join(this.dir, `${name}-${Date.now()}.yaml`);
    writeFileSync(file, stringify(config));
    const env: NodeJS.ProcessEnv = { ...(this.o.env ?? process.env) };
    for (const e of pod.spec?.containers[0]?.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (!ref?.name || !ref.key) continue;
      const secret = await this.core
        .readNamespacedSecret({ name: ref.name, namespace: this.o.namespace })
        .catch(() => undefined);
      const value = secret?.data?.[ref.key];
      if (value) env[e.name] = Buffer.from(value, 'base64').toString('utf8');
    }
    const proc = spawn(
      process.execPath,
      [join(repoRoot, 'cache-node', 'dist', 'main.js'), '--config', file],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const tag = (d: Buffer) => this.logs.push(`[${name}] ${d.toString()}`);
    proc.stdout?.on('data', tag);
    proc.stderr?.on('data', tag);
    return proc;
  }
}

async function probe(ip: string): Promise<boolean> {
  try {
    const res = await fetch(`http://${ip}:8080/readyz`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function stopProcess(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}
