// The real control plane for e2e tests: a KubeConfig for @kubernetes/client-node, a kubectl runner,
// fresh namespaces, and restarts. Reuses the tier's shared control plane (test/e2e/setup) when
// there is one, so a test file costs no start-up; `dedicated: true` gives a private one.
//
//   const kube = await startKube();               // beforeAll
//   const ns = await kube.createNamespace('op');  // a fresh namespace per test file
//   await kube.kubectl(['-n', ns, 'apply', '-f', '-'], { input: yaml });
//   await kube.stop();                            // afterAll: deletes what it created
import * as k8s from '@kubernetes/client-node';
import { join } from 'node:path';
import {
  run,
  startOrReuseControlPlane,
  type KubeState,
  type RunResult,
  type StartOptions,
} from './kube-control-plane.js';

export type { KubeState, RunResult, StartOptions } from './kube-control-plane.js';

export interface KubectlOptions {
  /** Written to kubectl's stdin (for `apply -f -`). */
  input?: string;
  /** Resolve with the result instead of rejecting on a non-zero exit. */
  allowFailure?: boolean;
  /** Another kubeconfig, e.g. `kube.unprivilegedKubeconfigPath`. */
  kubeconfig?: string;
  timeoutMs?: number;
}

export interface Kube {
  version: string;
  kubeconfigPath: string;
  /** A kubeconfig whose user authenticates but has no RBAC rights at all. */
  unprivilegedKubeconfigPath: string;
  kubeConfig: k8s.KubeConfig;
  state: KubeState;
  /** Absolute path of the pinned kubectl (and kube-apiserver, ... in the same dir). */
  kubectlPath: string;
  /** Env for child processes (operator, kubectl) that should talk to this apiserver. */
  env: NodeJS.ProcessEnv;
  kubectl(args: string[], options?: KubectlOptions): Promise<RunResult>;
  /** Creates `<prefix>-<random>` and deletes it on stop() (pods need no ServiceAccount here). */
  createNamespace(prefix: string): Promise<string>;
  /** Stops the apiserver and starts it again with the same flags; resolves once it is ready. */
  restartApiserver(): Promise<void>;
  restartControllerManager(): Promise<void>;
  /** Deletes the namespaces it created; stops the control plane if this call started it. */
  stop(): Promise<void>;
}

function randomSuffix(): string {
  return Math.random().toString(36).slice(2, 8);
}

export async function startKube(options: StartOptions = {}): Promise<Kube> {
  const handle = await startOrReuseControlPlane(options);
  const { state } = handle;
  const kubectlPath = join(state.binDir, 'kubectl');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KUBECONFIG: state.kubeconfig,
    PATH: `${state.binDir}:${process.env.PATH ?? ''}`,
  };
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(state.kubeconfig);
  const namespaces: string[] = [];

  const kubectl = async (args: string[], opts: KubectlOptions = {}): Promise<RunResult> => {
    const full = [`--kubeconfig=${opts.kubeconfig ?? state.kubeconfig}`, ...args];
    const result = await run(kubectlPath, full, {
      env,
      input: opts.input,
      timeoutMs: opts.timeoutMs ?? 60_000,
    });
    if (result.code !== 0 && !opts.allowFailure) {
      throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`);
    }
    return result;
  };

  const createNamespace = async (prefix: string): Promise<string> => {
    const name = `${prefix}-${randomSuffix()}`;
    await kubectl(['create', 'namespace', name]);
    namespaces.push(name);
    return name;
  };

  return {
    version: state.version,
    kubeconfigPath: state.kubeconfig,
    unprivilegedKubeconfigPath: state.unprivilegedKubeconfig,
    kubeConfig,
    state,
    kubectlPath,
    env,
    kubectl,
    createNamespace,
    restartApiserver: () => handle.restart('apiserver'),
    restartControllerManager: () => handle.restart('controller-manager'),
    stop: async () => {
      if (!handle.owned && namespaces.length > 0) {
        // Shared control plane: leave it clean for the next file; don't wait for finalization.
        await kubectl(
          ['delete', 'namespace', '--wait=false', '--ignore-not-found', ...namespaces],
          {
            allowFailure: true,
          },
        );
      }
      await handle.stop();
    },
  };
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Waits for a CRD to be served. (`kubectl wait --for=condition=Established` fails at once, rather
 * than waiting, while a new CRD has no status conditions yet.)
 */
export async function crdEstablished(kube: Kube, name: string): Promise<void> {
  const established = `jsonpath={.status.conditions[?(@.type=="Established")].status}`;
  await waitFor(`CRD ${name} established`, async () => {
    const r = await kube.kubectl(['get', 'crd', name, '-o', established], { allowFailure: true });
    return r.stdout.trim() === 'True' ? true : undefined;
  });
}
