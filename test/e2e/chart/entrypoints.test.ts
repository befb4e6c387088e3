/**
 * The images' entrypoints, run from the built output exactly as the images run them (WORKDIR /app
 * is the repository root here): the cache node with the config the operator builds (addresses moved
 * to loopback) answers /readyz and passes the chart's `helm test` script; the operator with the
 * chart's flags answers /readyz against the real apiserver.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { normalize } from '../../../operator/src/api/defaults.js';
import { buildNodeConfig } from '../../../operator/src/build/node-config.js';
import { startKube, waitFor, type Kube } from '../../helpers/kube.js';
import { freePortRange } from '../dashboards/ports.js';
import { CHART, root, template } from './helm.js';

const exec = promisify(execFile);
const TIMEOUT_MS = 120_000;
const TOKEN = 'entrypoint-test-token-0123456789';

/** ENTRYPOINT and CMD (exec form) of an image's final stage, without the init process. */
function imageCommand(dockerfile: string): { command: string[]; args: string[] } {
  const text = readFileSync(join(root, dockerfile), 'utf8');
  const last = (name: string) =>
    [...text.matchAll(new RegExp(`^${name} (\\[.*\\])$`, 'gm'))].pop()?.[1];
  const entrypoint = JSON.parse(last('ENTRYPOINT') ?? '[]') as string[];
  const command = entrypoint.slice(entrypoint.indexOf('--') + 1);
  return { command, args: JSON.parse(last('CMD') ?? '[]') as string[] };
}

/** Runs `node ...` from the repository root, as the image runs it from /app. */
function run(command: string[], args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  expect(command[0]).toBe('node');
  return spawn(process.execPath, [...command.slice(1), ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stopProcess(child: ChildProcess | undefined) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(killer);
}

const ready = (url: string) => async () =>
  (await fetch(`${url}/readyz`).then(
    (r) => r.ok,
    () => false,
  ))
    ? true
    : undefined;

describe('cache-node image command', () => {
  let dir = '';
  let node: ChildProcess | undefined;
  let url = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mdc-entrypoint-'));
    const cache = normalize({
      apiVersion: 'metadatacache.io/v1alpha1',
      kind: 'MetadataCache',
      metadata: { name: 'sample', namespace: 'default', uid: 'u' },
      spec: { replicas: 1, maps: [{ name: 'default', maxEntries: 1000 }] },
    });
    const port = await freePortRange(2);
    const config = {
      ...buildNodeConfig(cache),
      // What the pod gets from Kubernetes, on loopback instead: its address, a static member list.
      member: { host: '127.0.0.1', port, httpPort: port + 1 },
      discovery: { mode: 'static', members: [`127.0.0.1:${port}`] },
    };
    const configFile = join(dir, 'config.yaml');
    await writeFile(configFile, stringify(config));
    const { command, args } = imageCommand('images/cache-node.Dockerfile');
    // The image's CMD names the ConfigMap mount; point the same flag at the local file.
    expect(args).toEqual(['--config', '/etc/metadatacache/config.yaml']);
    node = run(command, ['--config', configFile], { ...process.env, METADATACACHE_TOKEN: TOKEN });
    url = `http://127.0.0.1:${port + 1}`;
    await waitFor('cache node /readyz', ready(url), { timeoutMs: 30_000 });
  }, TIMEOUT_MS);

  afterAll(async () => {
    await stopProcess(node);
    if (dir) await rm(dir, { recursive: true, force: true });
  }, TIMEOUT_MS);

  it('answers /readyz', async () => {
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it(
    "passes the chart's helm test script (put, get, delete with the token)",
    async () => {
      const { stdout } = await exec('sh', [join(CHART, 'files/put-get.sh')], {
        env: { ...process.env, CACHE_URL: url, CACHE_MAP: 'default', CACHE_TOKEN: TOKEN },
      });
      expect(stdout).toContain(`put/get OK on ${url} map default`);
    },
    TIMEOUT_MS,
  );

  it(
    'the helm test script fails without the token (it can fail)',
    async () => {
      await expect(
        exec('sh', [join(CHART, 'files/put-get.sh')], {
          env: { ...process.env, CACHE_URL: url, CACHE_MAP: 'default', CACHE_TOKEN: '' },
        }),
      ).rejects.toThrow();
    },
    TIMEOUT_MS,
  );
});

describe('operator image command', () => {
  let kube: Kube | undefined;
  let operator: ChildProcess | undefined;

  afterAll(async () => {
    await stopProcess(operator);
    await kube?.stop();
  }, TIMEOUT_MS);

  it(
    "runs with the chart's flags and answers /readyz",
    async () => {
      kube = await startKube();
      const ns = await kube.createNamespace('entry');
      const httpPort = await freePortRange(1);
      const { objects } = await template('entry', ns, [
        '--set',
        `operator.metricsPort=${httpPort}`,
        // Loopback only in tests; in the cluster it listens on the pod IP.
        '--set',
        'operator.extraArgs[0]=--http-host=127.0.0.1',
      ]);
      const deployment = objects.find((o) => o.kind === 'Deployment')!;
      const container = (
        deployment.spec as {
          template: { spec: { containers: { command?: string[]; args: string[] }[] } };
        }
      ).template.spec.containers[0];
      const { command, args } = imageCommand('images/operator.Dockerfile');
      expect(container.command).toBeUndefined();
      operator = run(command, [...args, ...container.args], {
        ...kube.env,
        POD_NAME: 'entry-operator-0',
        POD_NAMESPACE: ns,
      });
      await waitFor('operator /readyz', ready(`http://127.0.0.1:${httpPort}`), {
        timeoutMs: 60_000,
      });
    },
    TIMEOUT_MS,
  );
});
