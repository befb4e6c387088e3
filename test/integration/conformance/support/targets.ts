/**
 * Servers that conformance tests and protocol benchmarks run against, each a real process on a
 * free loopback port: a MetadataCache node (cache-node/dist/main.js; run `npm run build` first),
 * a reference Hazelcast 5.5.0 member (when java and the jar from scripts/tools/hazelcast.sh are
 * present), and redis-server. Each `start*` returns a handle whose `stop()` kills the process
 * and removes its temp files, and is safe to call twice.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_MAIN = fileURLToPath(
  new URL('../../../../cache-node/dist/main.js', import.meta.url),
);

export interface Target {
  name: 'metadatacache' | 'hazelcast' | 'redis';
  host: string;
  port: number;
  pid: number | undefined;
  /** HTTP API of a MetadataCache node (metrics, entries). */
  httpUrl?: string;
  stop(): Promise<void>;
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function waitForOutput(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs: number,
  what: string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (b: Buffer) => {
      seen = (seen + b.toString()).slice(-20_000);
      if (pattern.test(seen)) done(undefined);
    };
    const onExit = (code: number | null) =>
      done(new Error(`${what} exited (${code}) before ready:\n${seen.slice(-2000)}`));
    const timer = setTimeout(
      () => done(new Error(`${what} not ready after ${timeoutMs} ms:\n${seen.slice(-2000)}`)),
      timeoutMs,
    );
    const done = (err: Error | undefined) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Port open = ready, for servers that print nothing reliable. */
async function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, host, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`${host}:${port} not listening after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function handle(
  name: Target['name'],
  child: ChildProcess,
  host: string,
  port: number,
  dir: string,
): Target {
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    })());
  return { name, host, port, pid: child.pid, stop };
}

/** `main`: another build's main.js (benchmarks compare builds side by side); default NODE_MAIN. */
export async function startMetadataCache(
  config: Record<string, unknown> = {},
  main: string = NODE_MAIN,
): Promise<Target> {
  const host = '127.0.0.1';
  const port = await freePort();
  const httpPort = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'mdc-conf-'));
  const file = join(dir, 'node.yaml');
  await writeFile(
    file,
    JSON.stringify({
      ...config,
      member: { host, port, httpPort },
    }),
  );
  const child = spawn(process.execPath, [main, '--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const t = handle('metadatacache', child, host, port, dir);
  try {
    await waitForOutput(child, /"msg":"ready"/, 30_000, 'metadatacache node');
  } catch (err) {
    await t.stop();
    throw err;
  }
  return { ...t, httpUrl: `http://${host}:${httpPort}` };
}

/** Where scripts/tools/hazelcast.sh puts the jar. */
export function hazelcastJar(): string {
  const cache = process.env.METADATACACHE_TOOLS_CACHE ?? join(homedir(), '.cache', 'metadatacache');
  return join(cache, 'hazelcast', '5.5.0', 'hazelcast-5.5.0.jar');
}

/** Why a real member cannot run here, or undefined when it can. */
export function hazelcastUnavailable(): string | undefined {
  const java = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (java.error || java.status !== 0) return 'java is not installed';
  if (!existsSync(hazelcastJar()))
    return `${hazelcastJar()} is missing (run scripts/tools/hazelcast.sh)`;
  return undefined;
}

/**
 * A Hazelcast 5.5.0 member alone on loopback: multicast and auto-detection off, tcp-ip member
 * 127.0.0.1, phone-home off, and near-cache invalidations sent immediately (batching off) so
 * its behaviour compares with ours.
 */
export async function startHazelcast(opts: { partitionCount?: number } = {}): Promise<Target> {
  const [member] = await startHazelcastCluster(1, opts);
  return member;
}

/**
 * `size` Hazelcast 5.5.0 members forming one cluster on 127.0.0.1 (tcp-ip join over their own
 * ports, same settings as `startHazelcast`, maps with the default one synchronous backup): the
 * reference for the cluster benchmarks. Resolves once every member lists `size` members.
 */
export async function startHazelcastCluster(
  size: number,
  opts: { partitionCount?: number } = {},
): Promise<Target[]> {
  const host = '127.0.0.1';
  const ports: number[] = [];
  while (ports.length < size) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const members = await Promise.allSettled(
    ports.map(async (port) => {
      const dir = await mkdtemp(join(tmpdir(), 'mdc-hz-'));
      const file = join(dir, 'hazelcast.yaml');
      await writeFile(file, hazelcastConfig(port, ports, opts.partitionCount ?? 271));
      const child = spawn(
        'java',
        [
          '-Xmx1g',
          '-XX:+UseParallelGC',
          `-Dhazelcast.config=${file}`,
          '-cp',
          hazelcastJar(),
          'com.hazelcast.core.server.HazelcastMemberStarter',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const t = handle('hazelcast', child, host, port, dir);
      // "is STARTED" comes first; the member list of the whole cluster after the join.
      const ready = size === 1 ? /is STARTED/ : new RegExp(`Members \\{size:${size},`);
      try {
        await waitForOutput(child, ready, 120_000, `hazelcast member on port ${port}`);
      } catch (err) {
        await t.stop();
        throw err;
      }
      return t;
    }),
  );
  const started = members.flatMap((m) => (m.status === 'fulfilled' ? [m.value] : []));
  const failed = members.find((m) => m.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((t) => t.stop()));
    throw failed.reason;
  }
  return started;
}

function hazelcastConfig(port: number, all: readonly number[], partitionCount: number): string {
  return [
    'hazelcast:',
    '  cluster-name: dev',
    '  properties:',
    '    hazelcast.phone.home.enabled: false',
    '    hazelcast.map.invalidation.batch.enabled: false',
    `    hazelcast.partition.count: ${partitionCount}`,
    '    hazelcast.logging.type: jdk',
    '  network:',
    '    port:',
    `      port: ${port}`,
    '      auto-increment: false',
    '    interfaces:',
    '      enabled: true',
    '      interfaces: [127.0.0.1]',
    '    join:',
    '      auto-detection: { enabled: false }',
    '      multicast: { enabled: false }',
    `      tcp-ip: { enabled: true, member-list: [${all.map((p) => `"127.0.0.1:${p}"`).join(', ')}] }`,
    '',
  ].join('\n');
}

export function redisUnavailable(): string | undefined {
  const r = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  return r.error || r.status !== 0
    ? 'redis-server is not installed (run scripts/tools/redis.sh)'
    : undefined;
}

/** redis-server on a free loopback port, no persistence. */
export async function startRedis(): Promise<Target> {
  const host = '127.0.0.1';
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'mdc-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', host, '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const t = handle('redis', child, host, port, dir);
  try {
    await waitForPort(host, port, 10_000);
  } catch (err) {
    await t.stop();
    throw err;
  }
  return t;
}
