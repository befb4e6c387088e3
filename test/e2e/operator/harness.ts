/**
 * Operator e2e helpers: install the generated CRD, run the built operator (operator/dist/main.js)
 * as a real process against the test apiserver, read its metrics, and apply YAML.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { repoRoot } from '../../helpers/kube-control-plane.js';
import { crdEstablished, startKube, waitFor, type Kube } from '../../helpers/kube.js';

export const CRD_FILE = join(repoRoot, 'crds', 'metadatacache.yaml');
const OPERATOR_MAIN = join(repoRoot, 'operator', 'dist', 'main.js');

export async function installCrd(kube: Kube): Promise<void> {
  await kube.kubectl(['apply', '--server-side', '--force-conflicts', '-f', CRD_FILE]);
  await crdEstablished(kube, 'metadatacaches.metadatacache.io');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export interface OperatorProcess {
  id: string;
  port: number;
  proc: ChildProcess;
  logs: string[];
  metric(name: string): Promise<number | undefined>;
  /** SIGTERM, then SIGKILL after 10 s; resolves when it exited. */
  stop(): Promise<void>;
}

export async function startOperator(
  kube: Kube,
  namespace: string,
  opts: { id?: string; leaderElect?: boolean; extraArgs?: string[]; nodeArgs?: string[] } = {},
): Promise<OperatorProcess> {
  const port = await freePort();
  const id = opts.id ?? `op-${port}`;
  const args = [
    ...(opts.nodeArgs ?? []),
    OPERATOR_MAIN,
    '--http-host',
    '127.0.0.1',
    '--http-port',
    String(port),
    '--watch-namespace',
    namespace,
    '--leader-elect',
    String(opts.leaderElect ?? false),
    '--lease-namespace',
    namespace,
    '--lease-seconds',
    '4',
    '--retry-ms',
    '500',
    '--id',
    id,
    ...(opts.extraArgs ?? []),
  ];
  const proc = spawn(process.execPath, args, { env: kube.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  proc.stdout.on('data', (d: Buffer) => logs.push(d.toString()));
  proc.stderr.on('data', (d: Buffer) => logs.push(d.toString()));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  /** Sum of every series of the metric, or undefined when it has none. */
  const metric = async (name: string) => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const values = text
      .split('\n')
      .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
      .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
    return values.length ? values.reduce((a, b) => a + b, 0) : undefined;
  };
  const op: OperatorProcess = {
    id,
    port,
    proc,
    logs,
    metric,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  await waitFor(
    `operator ${id} /healthz`,
    async () => {
      if (proc.exitCode !== null) throw new Error(`operator exited: ${logs.join('')}`);
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      return res.ok ? true : undefined;
    },
    { timeoutMs: 40_000 },
  );
  return op;
}

export type OperatorOptions = NonNullable<Parameters<typeof startOperator>[2]>;

export interface OperatorTest {
  kube: Kube;
  /** A fresh namespace, deleted by stop() on a shared control plane. */
  ns: string;
  /** The operator watching `ns`, unless the file asked for none. */
  op: OperatorProcess | undefined;
  /** Stops the operator, then the control plane (or leaves the shared one clean). */
  stop(): Promise<void>;
}

/**
 * The preamble of every operator e2e file: a control plane (the tier's shared one, or a private
 * one for files that restart components or install cluster-wide CRDs), the MetadataCache CRD, a
 * fresh namespace and an operator process watching it (`operator: false` for none). Whatever was
 * started is stopped again if a later step fails.
 */
export async function setUpOperatorTest(
  namespacePrefix: string,
  options: { dedicated?: boolean; operator?: false | OperatorOptions } = {},
): Promise<OperatorTest> {
  const kube = await startKube(options.dedicated ? { dedicated: true } : {});
  try {
    await installCrd(kube);
    const ns = await kube.createNamespace(namespacePrefix);
    const op =
      options.operator === false ? undefined : await startOperator(kube, ns, options.operator);
    return {
      kube,
      ns,
      op,
      stop: async () => {
        await op?.stop();
        await kube.stop();
      },
    };
  } catch (err) {
    await kube.stop();
    throw err;
  }
}

export const cacheYaml = (name: string, spec: Record<string, unknown>): string =>
  stringify({
    apiVersion: 'metadatacache.io/v1alpha1',
    kind: 'MetadataCache',
    metadata: { name },
    spec,
  });

export async function getJson<T>(kube: Kube, args: string[]): Promise<T> {
  const r = await kube.kubectl([...args, '-o', 'json']);
  return JSON.parse(r.stdout) as T;
}

/** Resolves the JSON of an object, or undefined when it does not exist. */
export async function maybeGet<T>(kube: Kube, args: string[]): Promise<T | undefined> {
  const r = await kube.kubectl([...args, '-o', 'json', '--ignore-not-found'], {
    allowFailure: true,
  });
  return r.code === 0 && r.stdout.trim() ? (JSON.parse(r.stdout) as T) : undefined;
}
