// Starts, finds and stops the test control plane of scripts/kube/*.sh. Node built-ins only, so the
// jest global setup can load it without the (ESM-only) Kubernetes client.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const kubeScripts = join(repoRoot, 'scripts', 'kube');

/** What scripts/kube/up.sh writes to `<stateDir>/state.json`. */
export interface KubeState {
  version: string;
  stateDir: string;
  kubeconfig: string;
  unprivilegedKubeconfig: string;
  apiserverUrl: string;
  caFile: string;
  adminToken: string;
  unprivilegedToken: string;
  binDir: string;
  etcdUrl: string;
}

/** The env var through which a running control plane is handed to tests (set by the global setup). */
export const KUBE_DIR_ENV = 'METADATACACHE_KUBE_DIR';
/** Where `npm run kube:up` puts its control plane when the env var is not set. */
export const DEFAULT_KUBE_DIR = '/tmp/metadatacache-kube';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  timeoutMs?: number;
}

/** Runs a program to completion and collects its output; never throws for a non-zero exit. */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr }),
    );
    child.stdin.end(options.input ?? '');
  });
}

function readState(stateDir: string): KubeState | undefined {
  const file = join(stateDir, 'state.json');
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as KubeState;
}

async function apiserverReady(state: KubeState): Promise<boolean> {
  const result = await run(
    'curl',
    ['-sf', '--max-time', '3', '--cacert', state.caFile, `${state.apiserverUrl}/readyz`],
    { timeoutMs: 5_000 },
  );
  return result.code === 0;
}

async function runScript(script: string, stateDir: string, args: string[] = []): Promise<void> {
  const result = await run('bash', [join(kubeScripts, script), ...args], {
    env: { ...process.env, [KUBE_DIR_ENV]: stateDir },
    timeoutMs: 60 * 60_000, // a cold cache builds Kubernetes first
  });
  if (result.code !== 0) {
    throw new Error(
      `scripts/kube/${script} ${args.join(' ')} failed (${result.code}):\n${result.stderr}`,
    );
  }
}

export interface ControlPlaneHandle {
  state: KubeState;
  /** True when this handle started the control plane (and so stop() tears it down). */
  owned: boolean;
  stop(): Promise<void>;
  /** Restarts one component with the same flags and waits until the apiserver is ready again. */
  restart(component: 'apiserver' | 'controller-manager' | 'etcd'): Promise<void>;
}

export interface StartOptions {
  /**
   * Start a private control plane even if one is shared through the env. Use it for tests that
   * disturb the control plane (restarting the apiserver) so that other test files are unaffected.
   */
  dedicated?: boolean;
  /** State dir for a newly started control plane; defaults to a fresh one under the temp dir. */
  stateDir?: string;
}

const stateDirPrefix = 'metadatacache-kube-';

/** The pid that started a control plane in a temp state dir, from the dir's name. */
export function ownerPid(dirName: string): number | undefined {
  const match = /^metadatacache-kube-(\d+)-[a-z0-9]+$/.exec(dirName);
  return match ? Number(match[1]) : undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Stops control planes left behind by test processes that died without stopping them. */
async function sweepOrphans(): Promise<void> {
  const orphans = readdirSync(tmpdir()).filter((name) => {
    const pid = ownerPid(name);
    return pid !== undefined && !processAlive(pid);
  });
  for (const name of orphans) await runScript('down.sh', join(tmpdir(), name));
}

/**
 * Reuses the control plane in $METADATACACHE_KUBE_DIR (or the default dir of `npm run kube:up`)
 * when it is up, else starts a new one in a fresh state dir that stop() removes.
 */
export async function startOrReuseControlPlane(
  options: StartOptions = {},
): Promise<ControlPlaneHandle> {
  if (!options.dedicated) {
    const state = readState(process.env[KUBE_DIR_ENV] ?? DEFAULT_KUBE_DIR);
    if (state && (await apiserverReady(state))) return handleFor(state, false);
  }
  await sweepOrphans();
  const stateDir =
    options.stateDir ??
    join(tmpdir(), `${stateDirPrefix}${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  await runScript('up.sh', stateDir);
  const state = readState(stateDir);
  if (!state) throw new Error(`scripts/kube/up.sh wrote no state.json in ${stateDir}`);
  return handleFor(state, true);
}

function handleFor(state: KubeState, owned: boolean): ControlPlaneHandle {
  return {
    state,
    owned,
    stop: async () => {
      if (owned) await runScript('down.sh', state.stateDir);
    },
    restart: (component) => runScript('restart.sh', state.stateDir, [component]),
  };
}
