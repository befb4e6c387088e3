/** The pinned helm (scripts/tools/helm.sh builds or finds it) and chart rendering helpers. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
export { crdEstablished } from '../../helpers/kube.js';

const exec = promisify(execFile);
export const root = join(import.meta.dirname, '..', '..', '..');
export const CHART = join(root, 'charts/metadata-cache-operator');
/** Helm built with `go install` reports Kubernetes 1.20 for `template`; render for the pinned 1.33. */
export const KUBE_VERSION = '1.33.0';

let helmPath: string | undefined;

export async function helmBin(): Promise<string> {
  if (!helmPath) {
    const { stdout } = await exec('bash', [join(root, 'scripts/tools/helm.sh')], {
      timeout: 600_000,
    });
    helmPath = join(stdout.trim().split('\n').pop() ?? '', 'helm');
  }
  return helmPath;
}

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export async function helm(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Result> {
  try {
    const { stdout, stderr } = await exec(await helmBin(), args, {
      env,
      timeout: 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? String(e) };
  }
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: unknown;
}

export async function template(release: string, namespace: string, args: string[] = []) {
  const r = await helm([
    'template',
    release,
    CHART,
    '--namespace',
    namespace,
    '--kube-version',
    KUBE_VERSION,
    ...args,
  ]);
  if (r.code !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  const objects = parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
  return { yaml: r.stdout, objects };
}
