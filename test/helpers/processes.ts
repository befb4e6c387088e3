/**
 * Launcher for real cache-node processes (built dist/: run `npm run build` first): free loopback
 * ports, start, wait for the "ready" log line, stop gracefully or kill. Every process started
 * through a `ProcessGroup` is killed by `group.cleanup()`, which tests call in afterEach/afterAll
 * so nothing outlives a failing test.
 *
 *   const group = new ProcessGroup();
 *   afterAll(() => group.cleanup());
 *   const node = await group.startNode({ maps: [{ name: 'users' }] });
 *   await fetch(`${node.httpUrl}/v1/maps/users/entries/k`);
 *   expect(await node.stop()).toEqual({ code: 0, signal: null });
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const NODE_MAIN = fileURLToPath(new URL('../../cache-node/dist/main.js', import.meta.url));
export const LOCAL_CLUSTER = fileURLToPath(
  new URL('../../cache-node/dist/local-cluster.js', import.meta.url),
);

/** A port the OS reports free on `host` right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** The first of `count` consecutive free ports (for `npm start --port P`, which uses P..P+n-1). */
export async function freePortRange(count: number, host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20000 + Math.floor(Math.random() * (40000 - count));
    let free = true;
    for (let i = 0; i < count && free; i++) free = await canBind(host, base + i);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports on ${host}`);
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process whose output lines are kept (for assertions and failure messages). */
export class ManagedProcess {
  /** stdout and stderr lines, in arrival order (stderr prefixed with "! "). */
  readonly lines: string[] = [];
  readonly exited: Promise<Exit>;
  private readonly waiters = new Set<(line: string) => void>();

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    const keep = (line: string) => {
      this.lines.push(line);
      for (const waiter of this.waiters) waiter(line);
    };
    if (child.stdout) createInterface({ input: child.stdout }).on('line', keep);
    if (child.stderr) createInterface({ input: child.stderr }).on('line', (l) => keep(`! ${l}`));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines of output, for error messages. */
  tail(n = 15): string {
    return this.lines.slice(-n).join('\n');
  }

  /** Resolves with the first line (already seen or coming) that matches; rejects on exit or timeout. */
  waitForLine(match: (line: string) => boolean, timeoutMs = 30_000): Promise<string> {
    const seen = this.lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        fn();
      };
      const waiter = (line: string) => {
        if (match(line)) done(() => resolve(line));
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(new Error(`${this.name}: no matching line in ${timeoutMs} ms\n${this.tail()}`)),
          ),
        timeoutMs,
      );
      this.waiters.add(waiter);
      void this.exited.then((exit) => {
        if (this.waiters.has(waiter)) {
          done(() =>
            reject(new Error(`${this.name} exited (${JSON.stringify(exit)})\n${this.tail()}`)),
          );
        }
      });
    });
  }

  /** Sends `signal`, waits up to `graceMs`, then SIGKILL. Resolves with how it exited. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<Exit> {
    if (!this.running) return this.exited;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}

/** A ready node process. */
export interface NodeProcess extends ManagedProcess {
  readonly httpUrl: string;
  readonly configFile: string;
}

/** A ready `npm start` local cluster and the nodes it reported. */
export interface LocalClusterProcess extends ManagedProcess {
  readonly nodes: { name: string; httpUrl: string; hazelcast: string; pid: number }[];
}

export interface StartNodeOptions {
  /** Loopback address to listen on (any 127.x.y.z); default 127.0.0.1. */
  host?: string;
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
  /** Reuse a config file path (e.g. to restart a node with the same settings). */
  configFile?: string;
}

interface ReadyLine {
  msg?: string;
  http?: string;
}

const parseJson = (line: string): ReadyLine => {
  try {
    return JSON.parse(line) as ReadyLine;
  } catch {
    return {};
  }
};

/** Starts and tracks processes; `cleanup()` kills whatever is still running and removes temp dirs. */
export class ProcessGroup {
  private readonly processes: ManagedProcess[] = [];
  /** Node pids of each local cluster: its nodes run in their own process group. */
  private readonly clusterPids = new Map<ManagedProcess, number[]>();
  private readonly dirs: string[] = [];

  /** A fresh temp directory removed by cleanup(). */
  async tempDir(prefix = 'mdc-test-'): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  spawn(name: string, args: string[], env: NodeJS.ProcessEnv = {}): ManagedProcess {
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    const proc = new ManagedProcess(name, child);
    this.processes.push(proc);
    return proc;
  }

  /**
   * Writes `config` (free ports filled in unless given in `config.member`) and starts main.js.
   * Resolves once the node logged "ready"; rejects (after killing it) if it exits or times out.
   */
  async startNode(
    config: Record<string, unknown> = {},
    opts: StartNodeOptions = {},
  ): Promise<NodeProcess> {
    const host = opts.host ?? '127.0.0.1';
    let configFile = opts.configFile;
    if (configFile === undefined) {
      const member = (config.member ?? {}) as Record<string, unknown>;
      const full = {
        ...config,
        member: {
          host,
          port: await freePort(host),
          httpPort: await freePort(host),
          ...member,
        },
      };
      configFile = join(await this.tempDir('mdc-node-'), 'node.yaml');
      await writeFile(configFile, JSON.stringify(full, null, 2));
    }
    const proc = this.spawn(`node ${configFile}`, [NODE_MAIN, '--config', configFile], opts.env);
    try {
      const line = await proc.waitForLine((l) => parseJson(l).msg === 'ready', opts.readyTimeoutMs);
      return Object.assign(proc, { httpUrl: String(parseJson(line).http), configFile });
    } catch (err) {
      await proc.stop('SIGKILL');
      throw err;
    }
  }

  /** Runs `npm start`'s entry with flags; resolves when every node reported ready. */
  async startLocalCluster(args: string[], readyTimeoutMs = 45_000): Promise<LocalClusterProcess> {
    const proc = this.spawn('local-cluster', [LOCAL_CLUSTER, ...args]);
    try {
      await proc.waitForLine(
        (l) => /^local cluster of \d+ node\(s\) ready/.test(l),
        readyTimeoutMs,
      );
    } catch (err) {
      await proc.stop('SIGKILL');
      throw err;
    }
    const nodes = proc.lines.flatMap((line) => {
      const m = /^(node-\d+) ready\s+http=(\S+)\s+hazelcast=(\S+)\s+pid=(\d+)/.exec(line);
      return m ? [{ name: m[1], httpUrl: m[2], hazelcast: m[3], pid: Number(m[4]) }] : [];
    });
    // The nodes run in their own process group: remember them so cleanup() can kill them too.
    this.clusterPids.set(
      proc,
      nodes.map((n) => n.pid),
    );
    return Object.assign(proc, { nodes });
  }

  /** Kills every process still running (and the nodes of local clusters), removes temp dirs. */
  async cleanup(): Promise<void> {
    // A local cluster that exited 0 stopped its nodes itself; only then are their pids not ours
    // to kill (they may have been reused since).
    const orphans = [...this.clusterPids]
      .filter(([proc]) => proc.running || proc.child.exitCode !== 0)
      .flatMap(([, pids]) => pids);
    await Promise.all(this.processes.map((p) => p.stop('SIGKILL', 5_000)));
    for (const pid of orphans) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await Promise.all(this.dirs.map((d) => rm(d, { recursive: true, force: true })));
    this.processes.length = 0;
    this.clusterPids.clear();
    this.dirs.length = 0;
  }
}

/** Whether a process id is still alive (signal 0 probes without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
