/**
 * Starts real cache-node processes (cache-node/dist/main.js) as one cluster on loopback: each
 * member on its own 127.x.y.z address, client port P (member transport P + 10000) and HTTP port.
 * Every process is killed by `stopAll()`, which tests call in afterAll/afterEach even on failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { MemberTransport } from '../../../cache-node/src/cluster/transport.js';

/**
 * The member program; benchmarks may point MDC_MEMBER_MAIN at another build (before/after runs
 * side by side) and pass node flags in MDC_MEMBER_NODE_ARGS (e.g. `--cpu-prof`), space-separated.
 */
const memberMain = () =>
  process.env.MDC_MEMBER_MAIN ??
  fileURLToPath(new URL('../../../cache-node/dist/main.js', import.meta.url));
const nodeArgs = () => (process.env.MDC_MEMBER_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');

export interface Member {
  name: string;
  host: string;
  port: number;
  httpUrl: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  logs: string[];
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

/** A client port free on `host`, whose member port (+10000) and HTTP port (+20000) are free too. */
async function freePorts(host: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20000 + Math.floor(Math.random() * 25000);
    if (
      (await canBind(host, port)) &&
      (await canBind(host, port + 10000)) &&
      (await canBind(host, port - 10000))
    ) {
      return port;
    }
  }
  throw new Error(`no free ports on ${host}`);
}

export interface ClusterOptions {
  /** Extra config merged into every member's config (JSON is valid YAML). */
  settings?: Record<string, unknown>;
  /** Extra keys of every member's `member` section (next to its host, ports and id). */
  memberSettings?: Record<string, unknown>;
  readyTimeoutMs?: number;
}

export class TestCluster {
  readonly members: Member[] = [];
  private dir = '';
  private readonly subnet = `127.${10 + Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250)}`;
  private nextHost = 2;
  private addresses: string[] = [];

  constructor(private readonly opts: ClusterOptions = {}) {}

  /** Plans `n` members (their addresses go into every static member list) and starts them. */
  async start(n: number): Promise<Member[]> {
    this.dir = await mkdtemp(join(tmpdir(), 'mdc-cluster-'));
    const planned: { host: string; port: number }[] = [];
    for (let i = 0; i < n; i++) planned.push(await this.plan());
    return Promise.all(planned.map((p) => this.launch(p.host, p.port)));
  }

  /** Adds a member (scale-out): it lists everyone; existing members learn of it by its hello. */
  async add(): Promise<Member> {
    const p = await this.plan();
    return this.launch(p.host, p.port);
  }

  private async plan(): Promise<{ host: string; port: number }> {
    const host = `${this.subnet}.${this.nextHost++}`;
    const port = await freePorts(host);
    this.addresses.push(`${host}:${port}`);
    return { host, port };
  }

  private async launch(host: string, port: number): Promise<Member> {
    const name = `${host}:${port}`;
    const config = {
      member: { host, port, httpPort: port - 10000, id: name, ...this.opts.memberSettings },
      discovery: { mode: 'static', members: this.addresses },
      logLevel: 'info',
      ...this.opts.settings,
    };
    const file = join(this.dir, `${host}-${port}.yaml`);
    await writeFile(file, JSON.stringify(config));
    const child = spawn(process.execPath, [...nodeArgs(), memberMain(), '--config', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    const logs: string[] = [];
    const member: Member = { name, host, port, httpUrl: '', child, exited, logs };
    this.members.push(member);
    createInterface({ input: child.stderr }).on('line', (l) => logs.push(l));
    member.httpUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${name} not ready: ${logs.slice(-5).join('\n')}`)),
        this.opts.readyTimeoutMs ?? 30_000,
      );
      void exited.then((code) =>
        reject(new Error(`${name} exited with ${code}: ${logs.slice(-5).join('\n')}`)),
      );
      createInterface({ input: child.stdout }).on('line', (line) => {
        logs.push(line);
        try {
          const rec = JSON.parse(line) as { msg?: string; http?: string };
          if (rec.msg === 'ready' && rec.http) {
            clearTimeout(timer);
            resolve(rec.http);
          }
        } catch {
          // not JSON
        }
      });
    });
    return member;
  }

  private readonly paused = new Set<Member>();

  /** Members that are up, ready and not stopped with SIGSTOP. */
  running(): Member[] {
    return this.members.filter(
      (m) =>
        m.httpUrl !== '' &&
        !this.paused.has(m) &&
        m.child.exitCode === null &&
        m.child.signalCode === null,
    );
  }

  /** SIGSTOP: the member is cut off (no heartbeats, no answers) but keeps its sockets. */
  pause(m: Member): void {
    this.paused.add(m);
    m.child.kill('SIGSTOP');
  }

  resume(m: Member): void {
    m.child.kill('SIGCONT');
    this.paused.delete(m);
  }

  kill9(m: Member): Promise<number | null> {
    m.child.kill('SIGKILL');
    return m.exited;
  }

  /** SIGTERM (graceful hand-off), resolved when the process exited. */
  terminate(m: Member): Promise<number | null> {
    m.child.kill('SIGTERM');
    return m.exited;
  }

  async stopAll(): Promise<void> {
    for (const m of this.members) {
      if (this.paused.has(m)) m.child.kill('SIGCONT');
      if (m.child.exitCode === null && m.child.signalCode === null) m.child.kill('SIGKILL');
    }
    await Promise.all(this.members.map((m) => m.exited));
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

/** Polls `check` until it returns true or the time is up. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string | (() => string),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function httpPut(m: Member, map: string, key: string, value: string): Promise<number> {
  const res = await fetch(`${m.httpUrl}/v1/maps/${map}/entries/${encodeURIComponent(key)}`, {
    method: 'PUT',
    headers: { 'content-type': 'text/plain' },
    body: value,
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  return res.status;
}

export async function httpGet(
  m: Member,
  map: string,
  key: string,
): Promise<{ status: number; body: string }> {
  const res = await fetch(`${m.httpUrl}/v1/maps/${map}/entries/${encodeURIComponent(key)}`, {
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.text() };
}

export interface MemberState {
  self: string;
  established: boolean;
  ready: boolean;
  epoch: number;
  members: string[];
  owned: number;
  pendingMigrations: number;
  converged: boolean;
}

const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined };

/**
 * The member's cluster diagnostics, asked over the member transport (as a peer would, with the
 * cluster's credentials), or undefined when it does not answer.
 */
export async function memberState(
  m: Member,
  clusterName = 'dev',
): Promise<MemberState | undefined> {
  const header = await ask(m, 'describe', clusterName);
  return header as unknown as MemberState | undefined;
}

/** The partition table a member serves: member ids per partition, owner first. */
export async function memberTable(m: Member, clusterName = 'dev'): Promise<string[][]> {
  const header = await ask(m, 'table', clusterName);
  if (!Array.isArray(header?.replicas)) throw new Error(`${m.name} sent no partition table`);
  return header.replicas as string[][];
}

/** One request to a member over the member transport, as a peer; undefined when it does not answer. */
async function ask(
  m: Member,
  op: string,
  clusterName: string,
): Promise<Record<string, unknown> | undefined> {
  const transport = new MemberTransport(
    {
      self: { id: 'test-probe', uuid: randomUUID(), host: '127.0.0.1', port: 1, memberPort: 1 },
      clusterName,
      connectTimeoutMs: 2000,
      maxFrameBytes: 1 << 24,
      maxQueuedBytes: 1 << 24,
      requestTimeoutMs: 2000,
      log: quiet,
    },
    {
      onRequest: () => Promise.reject(new Error('probe serves nothing')),
      onOneWay: () => undefined,
    },
  );
  try {
    const { channel } = await transport.connect(m.host, m.port + 10000);
    try {
      return (await channel.request({ op })).header;
    } finally {
      channel.close();
    }
  } catch {
    return undefined;
  }
}

let lastStates: string[] = [];
/** What the last `converged` call saw, for failure messages. */
export const describeStates = (): string => lastStates.join('; ');

/** Every running member sees `n` members, serves, and has finished migrating. */
export async function converged(
  cluster: Pick<TestCluster, 'running'>,
  n: number,
): Promise<boolean> {
  const states = await Promise.all(cluster.running().map((m) => memberState(m)));
  lastStates = states.map((s) =>
    s
      ? `${s.self} e${s.epoch} m${s.members.length} ready=${s.ready} conv=${s.converged} own=${s.owned} pend=${s.pendingMigrations}`
      : 'no answer',
  );
  return states.every((s) => s !== undefined && s.ready && s.members.length === n && s.converged);
}
