/**
 * Invalidation visibility across a 3-member cluster: from a write acknowledged to the writer
 * until every reader returns the new value. Readers: one smart client and one non-smart client
 * per member (each with a near cache holding the old value; the non-smart ones receive the owner's
 * invalidation relayed by their member), plus an HTTP read on every member (member near cache).
 * p50/p99 of the slowest reader per write, at several write rates; the single-client figure of
 * `invalidation-latency` is the reference.
 *
 * Exactness: a reader is polled once per event-loop turn (setImmediate, not a timer), so the
 * polling adds microseconds, not a timer tick. The per-reader breakdown (`byReader`) time-stamps
 * the invalidation event's arrival in each client (a hook on the client's near cache) relative to
 * the ack, and the re-read after it (`refetch`: visible − max(ack, event)), which locates the tail.
 *
 * Writes are paced in batches: each timer tick sends every write whose scheduled time has passed,
 * so 1000/s is reached (`achievedRate`; `sendLagMs` says how late sampled writes left). Per phase,
 * `processes` gives each member's and the benchmark's CPU share, main-thread wake-ups (context
 * switches) and read/write syscalls per write from /proc; `--probe` adds each process's event-loop
 * delay and GC pauses (cluster-member-probe.js preloaded); `--cpu-prof DIR` also writes a CPU
 * profile of each member per phase; `--member-main PATH` runs another build's main.js (before/after side by side).
 *
 * `--hazelcast` runs the same phases against a 3-member Hazelcast 5.5.0 cluster (the reference;
 * invalidation batching off, one synchronous backup) started beside ours, alternating with it,
 * and prints their ratios; Hazelcast has no HTTP API, so only client readers are checked there.
 *
 *   npm run bench -- cluster-invalidation [--rates 100,1000] [--seconds 3] [--keys 100]
 *     [--hazelcast] [--probe] [--cpu-prof DIR] [--member-main PATH]
 *   (members' node flags: MDC_MEMBER_NODE_ARGS='--single-threaded-gc' npm run bench -- ...)
 */
import { readFileSync } from 'node:fs';
import { Agent, get as httpRequest } from 'node:http';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import hz from 'hazelcast-client';
import { converged, TestCluster, waitFor, type Member } from '../integration/cluster/harness.js';
import {
  hazelcastUnavailable,
  startHazelcastCluster,
} from '../integration/conformance/support/targets.js';
import { flag as arg, percentile, sleepUntil, tick } from './lib/cli.js';

export const defaultArgs = ['--seconds', '2'];

const TARGET_MS = 5;

type Client = Awaited<ReturnType<typeof hz.Client.newHazelcastClient>>;

/** The client's near cache, as far as the hook needs it (not public API of hazelcast-client). */
interface NearCacheInternals {
  nearCache: { invalidate(key: { toBuffer(): Buffer }): void };
}

/** When each key's latest invalidation reached the client (performance.now()). */
function hookInvalidations(map: object): Map<string, number> {
  const seen = new Map<string, number>();
  const nc = (map as NearCacheInternals).nearCache;
  const original = nc.invalidate.bind(nc);
  nc.invalidate = (key) => {
    // Data: partition hash (4) | type id (4) | string length (4) | UTF-8.
    seen.set(key.toBuffer().toString('utf8', 12), performance.now());
    original(key);
  };
  return seen;
}

/** CPU time, main-thread context switches (wake-ups) and read/write syscalls of a process. */
interface ProcCounters {
  cpuMs: number;
  kernelMs: number;
  wakeups: number;
  syscalls: number;
}

/** Linux /proc counters of `pid`; undefined elsewhere or once the process is gone. */
function procCounters(pid: number | undefined): ProcCounters | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const ctxt = [...status.matchAll(/ctxt_switches:\s+(\d+)/g)].reduce((s, m) => s + +m[1], 0);
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const sys = [...io.matchAll(/^sysc[rw]:\s+(\d+)/gm)].reduce((s, m) => s + +m[1], 0);
    return {
      cpuMs: (ticks * 1000) / CLOCK_TICKS_PER_SECOND,
      kernelMs: (Number(f[12]) * 1000) / CLOCK_TICKS_PER_SECOND,
      wakeups: ctxt,
      syscalls: sys,
    };
  } catch {
    return undefined;
  }
}
/** USER_HZ: 100 on every Linux platform Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Per process over one phase: share of one core, wake-ups and syscalls per write. */
function processFigures(
  before: ProcCounters | undefined,
  after: ProcCounters | undefined,
  wallMs: number,
  writes: number,
) {
  if (!before || !after) return undefined;
  return {
    cpuShare: Number(((after.cpuMs - before.cpuMs) / wallMs).toFixed(2)),
    cpuMsPerWrite: Number(((after.cpuMs - before.cpuMs) / writes).toFixed(3)),
    // Of which in the kernel (loopback TCP, epoll): what fewer messages and wake-ups save.
    kernelMsPerWrite: Number(((after.kernelMs - before.kernelMs) / writes).toFixed(3)),
    wakeupsPerWrite: Number(((after.wakeups - before.wakeups) / writes).toFixed(1)),
    syscallsPerWrite: Number(((after.syscalls - before.syscalls) / writes).toFixed(1)),
  };
}

/**
 * Sends write i at start + i/rate, whatever the earlier writes' progress (an open loop: a slow
 * write does not lower the rate): every write whose time has passed goes out in one timer tick,
 * since a timer per write cannot pace 1000/s (timers fire at ≥ 1 ms granularity and fall behind).
 */
async function pace(
  rate: number,
  writes: number,
  send: (i: number, lagMs: number) => Promise<void>,
): Promise<void> {
  const start = performance.now();
  const due = (i: number) => start + (i * 1000) / rate;
  const pending: Promise<void>[] = [];
  let i = 0;
  while (i < writes) {
    const now = performance.now();
    while (i < writes && due(i) <= now) {
      pending.push(send(i, now - due(i)));
      i++;
    }
    if (i < writes) await sleepUntil(due(i));
  }
  await Promise.all(pending);
}

const stats = (xs: number[]) => {
  const sorted = Float64Array.from(xs).sort();
  return {
    p50: Number(percentile(sorted, 0.5).toFixed(3)),
    p99: Number(percentile(sorted, 0.99).toFixed(3)),
  };
};

/**
 * An entry's body over HTTP with kept-alive connections: `fetch` (the harness's httpGet) costs the
 * benchmark process about a millisecond of CPU per call, which delayed the readers of other
 * writes sharing the process.
 */
function httpGetBody(agent: Agent, m: Member, map: string, key: string): Promise<string> {
  const url = `${m.httpUrl}/v1/maps/${map}/entries/${encodeURIComponent(key)}`;
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    })
      .on('timeout', function (this: { destroy(e: Error): void }) {
        this.destroy(new Error(`HTTP GET ${url} timed out`));
      })
      .on('error', reject);
  });
}

/** The benchmark process's own event-loop delay and GC pauses (as the member probe reports). */
function selfProbe() {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let pauses: number[] = [];
  let major = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      pauses.push(e.duration);
      const kind = (e as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  const ms = (ns: number) => Number((ns / 1e6).toFixed(3));
  return {
    /** Figures since the last call, then reset. */
    read() {
      const out = {
        loopDelayMs: {
          p50: ms(delay.percentile(50)),
          p99: ms(delay.percentile(99)),
          max: ms(delay.max),
        },
        gc: {
          count: pauses.length,
          major,
          totalMs: Number(pauses.reduce((s, d) => s + d, 0).toFixed(2)),
          maxMs: Number(Math.max(0, ...pauses).toFixed(2)),
        },
      };
      delay.reset();
      pauses = [];
      major = 0;
      return out;
    },
    stop() {
      delay.disable();
      gc.disconnect();
    },
  };
}

/** Asks every member's probe (cluster-member-probe.js) for its figures since the last ask. */
async function readProbes(members: Member[]): Promise<unknown[]> {
  const seen = members.map((m) => m.logs.length);
  for (const m of members) m.child.kill('SIGUSR2');
  const lines: unknown[] = members.map(() => undefined);
  await waitFor(
    () =>
      members.every((m, n) => {
        const line = m.logs.slice(seen[n]).find((l) => l.includes('"probe":"member"'));
        if (line) lines[n] = JSON.parse(line) as unknown;
        return line !== undefined;
      }),
    5000,
    'the member probes',
  );
  return lines;
}

/**
 * Waits (at most `maxMs`) until the processes together use under `cores` of CPU over 500 ms: a
 * JVM keeps compiling and collecting for a while after a busy phase, which would otherwise land
 * on the next subject's phase.
 */
async function settle(pids: (number | undefined)[], cores = 0.1, maxMs = 15_000): Promise<void> {
  const deadline = performance.now() + maxMs;
  while (performance.now() < deadline) {
    const before = pids.map(procCounters);
    const t = performance.now();
    await new Promise((r) => setTimeout(r, 500));
    const after = pids.map(procCounters);
    const used = after.reduce((s, a, n) => s + (a && before[n] ? a.cpuMs - before[n].cpuMs : 0), 0);
    if (used / (performance.now() - t) < cores) return;
  }
}

/** A 3-member cluster under test: ours (with HTTP and probes) or the Hazelcast reference. */
interface Subject {
  name: 'metadatacache' | 'hazelcast';
  addrs: string[];
  pids: (number | undefined)[];
  /** Our members: their HTTP API is read after each sampled write. */
  http?: Member[];
  stop(): Promise<void>;
}

/** Writer and near-cached readers connected to one subject, with the keys written once. */
interface Rig {
  subject: Subject;
  writer: hz.IMap<string, number>;
  readers: hz.IMap<string, number>[];
  readerNames: string[];
  arrivals: Map<string, number>[];
  version: number;
}

async function rig(subject: Subject, keys: number, clients: Client[]): Promise<Rig> {
  const client = async (addrs: string[], smart: boolean, nearCache: boolean) => {
    const c = await hz.Client.newHazelcastClient({
      network: { clusterMembers: addrs, smartRouting: smart },
      ...(nearCache ? { nearCaches: { nc: { invalidateOnChange: true } } } : {}),
      properties: { 'hazelcast.logging.level': 'ERROR' },
    });
    clients.push(c);
    return c.getMap<string, number>('nc');
  };
  const writer = await client(subject.addrs, true, false);
  const readers = [
    await client(subject.addrs, true, true),
    ...(await Promise.all(subject.addrs.map((a) => client([a], false, true)))),
  ];
  const readerNames = ['smart', ...subject.addrs.map((_, n) => `non-smart@member${n + 1}`)];
  const arrivals = readers.map((r) => hookInvalidations(r));
  for (let i = 0; i < keys; i++) await writer.set(`k${i}`, -1);
  for (let i = 0; i < keys; i++) for (const r of readers) await r.get(`k${i}`);
  return { subject, writer, readers, readerNames, arrivals, version: 0 };
}

interface PhaseOptions {
  rate: number;
  seconds: number;
  keys: number;
  probe: boolean;
  agent: Agent;
  own: ReturnType<typeof selfProbe> | undefined;
}

/** One rate against one subject: paced writes, every sampled write's visibility at all readers. */
async function phase(r: Rig, o: PhaseOptions) {
  const { rate, seconds, keys } = o;
  const members = r.subject.http;
  const probe = o.probe && members !== undefined;
  const latencies: number[] = [];
  const slowest: string[] = [];
  const ackMs: number[] = [];
  const lagMs: number[] = [];
  const seen = r.readers.map(() => ({
    visible: [] as number[],
    event: [] as number[],
    refetch: [] as number[],
  }));
  const httpLate: number[] = [];
  const writes = Math.max(1, Math.round(rate * seconds));
  // Every write is checked at low rates; a sample of 100/s at high ones (the pollers cost CPU).
  const every = Math.max(1, Math.round(rate / 100));
  if (probe) await readProbes(members);
  o.own?.read();
  const pids = [...r.subject.pids, process.pid];
  const processNames = [...r.subject.pids.map((_, n) => `member${n + 1}`), 'bench'];
  const countersBefore = pids.map(procCounters);
  const start = performance.now();
  await pace(rate, writes, async (i, lag) => {
    const key = `k${i % keys}`;
    const value = ++r.version;
    const sampled = i % every === 0;
    const sent = performance.now();
    await r.writer.set(key, value);
    if (!sampled) return;
    const acked = performance.now();
    ackMs.push(acked - sent);
    lagMs.push(lag);
    const visibleAt = await Promise.all(
      r.readers.map(async (reader, n) => {
        // A later write to the same key also satisfies the check (>=).
        while ((await reader.get(key)) < value) await tick();
        const visible = performance.now();
        const event = r.arrivals[n].get(key) ?? acked;
        seen[n].visible.push(visible - acked);
        seen[n].event.push(event - acked);
        seen[n].refetch.push(visible - Math.max(acked, event));
        return visible;
      }),
    );
    const last = Math.max(...visibleAt);
    latencies.push(last - acked);
    slowest.push(r.readerNames[visibleAt.indexOf(last)]);
    if (!members) return;
    // HTTP on a member: the owner waited for members' invalidation acks before acking.
    const m = members[i % members.length];
    const body = await httpGetBody(o.agent, m, 'nc', key);
    if (!(Number(body) >= value)) httpLate.push(value);
  });
  const wallMs = performance.now() - start;
  const countersAfter = pids.map(procCounters);
  const probes: unknown[] = probe ? [...(await readProbes(members)), o.own?.read()] : [];
  const processes = processNames.map((name, n) => ({
    name,
    ...processFigures(countersBefore[n], countersAfter[n], wallMs, writes),
    ...(probes[n] ? { probe: probes[n] } : {}),
  }));
  const sorted = Float64Array.from(latencies).sort();
  const tail = latencies.map((l, n) => [l, n]).filter(([l]) => l > TARGET_MS);
  const tailBy: Record<string, number> = {};
  for (const [, n] of tail) tailBy[slowest[n]] = (tailBy[slowest[n]] ?? 0) + 1;
  return {
    bench: 'cluster-invalidation',
    target: r.subject.name,
    members: r.subject.addrs.length,
    readers: r.readers.length,
    targetRate: rate,
    achievedRate: Math.round(writes / (wallMs / 1000)),
    samples: latencies.length,
    p50Ms: Number(percentile(sorted, 0.5).toFixed(3)),
    p99Ms: Number(percentile(sorted, 0.99).toFixed(3)),
    maxMs: Number(sorted[sorted.length - 1].toFixed(3)),
    p99VsTarget5Ms: Number((percentile(sorted, 0.99) / TARGET_MS).toFixed(2)),
    ...(members ? { httpStaleAfterAck: httpLate.length } : {}),
    writeAckMs: stats(ackMs),
    // How late sampled writes left against their schedule (the pacer falling behind).
    sendLagMs: stats(lagMs),
    // Samples over the target, by the reader that saw the value last.
    over5Ms: tail.length,
    over5MsBySlowestReader: tailBy,
    byReader: r.readerNames.map((reader, n) => ({
      reader,
      visibleMs: stats(seen[n].visible),
      eventAfterAckMs: stats(seen[n].event),
      refetchMs: stats(seen[n].refetch),
    })),
    // Cores used by all four processes (2 = this machine saturated by them alone).
    coresUsed: Number(
      processes.reduce((s, p) => s + ('cpuShare' in p ? (p.cpuShare ?? 0) : 0), 0).toFixed(2),
    ),
    processes,
  };
}

export async function run(argv: string[]): Promise<void> {
  const rates = arg(argv, 'rates', '100,1000').split(',').map(Number);
  const seconds = Number(arg(argv, 'seconds', '3'));
  const keys = Number(arg(argv, 'keys', '100'));
  const probe = argv.includes('--probe') || arg(argv, 'cpu-prof', '') !== '';
  const profileDir = arg(argv, 'cpu-prof', '');
  const memberMain = arg(argv, 'member-main', '');
  const withHazelcast = argv.includes('--hazelcast');
  if (memberMain) process.env.MDC_MEMBER_MAIN = memberMain;
  if (profileDir) process.env.MDC_PROBE_PROFILE_DIR = profileDir;
  if (probe) {
    const preload = fileURLToPath(new URL('cluster-member-probe.js', import.meta.url));
    // Appended: node flags already given in MDC_MEMBER_NODE_ARGS (e.g. GC settings) stay.
    process.env.MDC_MEMBER_NODE_ARGS = `${process.env.MDC_MEMBER_NODE_ARGS ?? ''} --import ${preload}`;
  }
  const cluster = new TestCluster();
  const clients: Client[] = [];
  const subjects: Subject[] = [];
  const agent = new Agent({ keepAlive: true });
  const own = probe ? selfProbe() : undefined;
  try {
    const members = await cluster.start(3);
    await waitFor(() => converged(cluster, 3), 30_000, 'the cluster to converge');
    subjects.push({
      name: 'metadatacache',
      addrs: members.map((m) => `${m.host}:${m.port}`),
      pids: members.map((m) => m.child.pid),
      http: members,
      stop: () => cluster.stopAll(),
    });
    if (withHazelcast) {
      const why = hazelcastUnavailable();
      if (why) {
        console.log(
          JSON.stringify({ bench: 'cluster-invalidation', hazelcast: `skipped: ${why}` }),
        );
      } else {
        const hzMembers = await startHazelcastCluster(3);
        subjects.push({
          name: 'hazelcast',
          addrs: hzMembers.map((t) => `${t.host}:${t.port}`),
          pids: hzMembers.map((t) => t.pid),
          stop: async () => {
            await Promise.all(hzMembers.map((t) => t.stop()));
          },
        });
      }
    }
    const rigs: Rig[] = [];
    for (const subject of subjects) rigs.push(await rig(subject, keys, clients));
    for (const [n, rate] of rates.entries()) {
      // Both clusters stay up; their phases alternate in order from one rate to the next.
      const order = n % 2 === 0 ? rigs : [...rigs].reverse();
      const results = new Map<string, Awaited<ReturnType<typeof phase>>>();
      for (const r of order) {
        if (rigs.length > 1) await settle(rigs.flatMap((x) => x.subject.pids));
        const result = await phase(r, { rate, seconds, keys, probe, agent, own });
        results.set(r.subject.name, result);
        console.log(JSON.stringify(result));
      }
      const ours = results.get('metadatacache');
      const ref = results.get('hazelcast');
      if (ours && ref) {
        const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
        console.log(
          JSON.stringify({
            bench: 'cluster-invalidation',
            targetRate: rate,
            ratios: {
              p50VsHazelcast: ratio(ours.p50Ms, ref.p50Ms),
              p99VsHazelcast: ratio(ours.p99Ms, ref.p99Ms),
              writeAckP99VsHazelcast: ratio(ours.writeAckMs.p99, ref.writeAckMs.p99),
              coresVsHazelcast: ratio(ours.coresUsed, ref.coresUsed),
            },
          }),
        );
      }
    }
  } finally {
    agent.destroy();
    own?.stop();
    await Promise.all(clients.map((c) => c.shutdown().catch(() => undefined)));
    await Promise.all(subjects.map((s) => s.stop().catch(() => undefined)));
    await cluster.stopAll();
  }
}
