/**
 * Remote throughput: hazelcast-client against a MetadataCache node vs ioredis against a local
 * redis-server (and hazelcast-client against a real Hazelcast 5.5.0 member when java and the jar
 * are present), same concurrency, key and value sizes, 90% get / 10% set. Every server is a
 * separate process on loopback started by this benchmark; measurement is interleaved in short
 * rounds across targets. Prints one JSON line per target and one with the ratios.
 *
 *   npm run bench -- protocol-throughput [--seconds 10] [--concurrency 64] [--keys 10000]
 *                                        [--value-bytes 100] [--get-ratio 0.9] [--warmup 3] [--rounds 5]
 *                                        [--no-hazelcast] [--baseline PATH/main.js]
 *
 * `--baseline` adds a second MetadataCache node run from another build (e.g. the previous
 * commit's `cache-node/dist/main.js` built elsewhere), measured in the same interleaved rounds,
 * so a change is compared with what it replaces under the same machine load.
 *
 * Each target also reports the CPU its server process used per operation (`serverCpuUsPerOp`,
 * all threads, from /proc/PID/stat on Linux): under load from other work, ops/s mostly measures
 * scheduling, while CPU per operation measures the server's own cost.
 */
import { readFileSync } from 'node:fs';
import hz from 'hazelcast-client';
import { Redis } from 'ioredis';
import {
  hazelcastUnavailable,
  redisUnavailable,
  startHazelcast,
  startMetadataCache,
  startRedis,
  type Target,
} from '../integration/conformance/support/targets.js';
import { percentile } from './lib/cli.js';

export const defaultArgs = ['--seconds', '5'];

interface Options {
  seconds: number;
  concurrency: number;
  keys: number;
  valueBytes: number;
  getRatio: number;
  /** Unmeasured run first (the JVM member needs it to JIT-compile its hot paths). */
  warmupSeconds: number;
  /** Measurement slices per target, interleaved across targets. */
  rounds: number;
  hazelcast: boolean;
  /** main.js of another build to measure side by side ("metadatacache-baseline"). */
  baseline: string | undefined;
}

function parse(argv: string[]): Options {
  const get = (name: string, dflt: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : dflt;
  };
  return {
    seconds: get('seconds', 10),
    concurrency: get('concurrency', 64),
    keys: get('keys', 10_000),
    valueBytes: get('value-bytes', 100),
    getRatio: get('get-ratio', 0.9),
    warmupSeconds: get('warmup', 3),
    rounds: get('rounds', 5),
    hazelcast: !argv.includes('--no-hazelcast'),
    baseline: argv.includes('--baseline') ? argv[argv.indexOf('--baseline') + 1] : undefined,
  };
}

/** The two operations every target offers, as promises. */
interface Ops {
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  close(): Promise<void>;
}

export interface LoadResult {
  ops: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Server CPU (user + system, every thread) per operation; absent without /proc. */
  serverCpuUsPerOp?: number;
  /**
   * This process's CPU per operation (the client library) and its share of one core: at 64 in
   * flight the single-threaded client is usually the ceiling, so these say whether a target's
   * ops/s moved because of the server or because the client worked more per reply.
   */
  clientCpuUsPerOp: number;
  clientCores: number;
}

/** CPU seconds used so far by process `pid` (utime + stime), or undefined without /proc. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;

/** Fill every key, then an unmeasured run (the JVM member needs it to JIT-compile). */
async function warm(ops: Ops, o: Options): Promise<void> {
  const value = 'v'.repeat(o.valueBytes);
  for (let i = 0; i < o.keys; i += o.concurrency) {
    await Promise.all(
      Array.from({ length: Math.min(o.concurrency, o.keys - i) }, (_, j) =>
        ops.set(`key-${i + j}`, value),
      ),
    );
  }
  await slice(ops, o, o.warmupSeconds * 1000, []);
}

/** `concurrency` loops issuing requests back to back for `ms`; latencies appended; returns the count. */
async function slice(ops: Ops, o: Options, ms: number, latencies: number[]): Promise<number> {
  const value = 'v'.repeat(o.valueBytes);
  const end = performance.now() + ms;
  let count = 0;
  const worker = async () => {
    while (performance.now() < end) {
      const key = `key-${Math.floor(Math.random() * o.keys)}`;
      const t = performance.now();
      if (Math.random() < o.getRatio) await ops.get(key);
      else await ops.set(key, value);
      latencies.push(performance.now() - t);
      count++;
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return count;
}

async function hazelcastOps(t: Target): Promise<Ops> {
  const client = await hz.Client.newHazelcastClient({
    network: { clusterMembers: [`${t.host}:${t.port}`] },
    properties: { 'hazelcast.logging.level': 'ERROR' },
  });
  const map = await client.getMap<string, string>('bench');
  return {
    get: (k) => map.get(k),
    set: (k, v) => map.set(k, v),
    close: () => client.shutdown(),
  };
}

function redisOps(t: Target): Ops {
  const redis = new Redis({ host: t.host, port: t.port, lazyConnect: false });
  return {
    get: (k) => redis.get(k),
    set: (k, v) => redis.set(k, v),
    close: async () => {
      redis.disconnect();
      return Promise.resolve();
    },
  };
}

interface Running {
  name: string;
  target: Target;
  ops: Ops;
  count: number;
  ms: number;
  latencies: number[];
  /** Server CPU seconds during the measured slices (NaN once unreadable). */
  cpu: number;
  /** This process's CPU microseconds during the measured slices. */
  clientCpuUs: number;
}

/**
 * Every target runs at once (idle while not measured); measurement is interleaved in `rounds`
 * short slices, rotating the order, so a burst of unrelated load on the machine hits all targets
 * alike instead of skewing one of them.
 */
export async function run(argv: string[]): Promise<void> {
  const o = parse(argv);
  const running: Running[] = [];
  const add = async (
    name: string,
    start: () => Promise<Target>,
    connect: (t: Target) => Promise<Ops> | Ops,
  ) => {
    const target = await start();
    try {
      const ops = await connect(target);
      running.push({ name, target, ops, count: 0, ms: 0, latencies: [], cpu: 0, clientCpuUs: 0 });
    } catch (err) {
      await target.stop();
      throw err;
    }
  };
  try {
    await add('metadatacache', () => startMetadataCache(), hazelcastOps);
    const baseline = o.baseline;
    if (baseline)
      await add('metadatacache-baseline', () => startMetadataCache({}, baseline), hazelcastOps);
    const noRedis = redisUnavailable();
    if (noRedis)
      console.log(
        JSON.stringify({ bench: 'protocol-throughput', skipped: 'redis', reason: noRedis }),
      );
    else await add('redis', startRedis, redisOps);
    const noHz = o.hazelcast ? hazelcastUnavailable() : 'disabled with --no-hazelcast';
    if (noHz)
      console.log(
        JSON.stringify({ bench: 'protocol-throughput', skipped: 'hazelcast', reason: noHz }),
      );
    else await add('hazelcast', () => startHazelcast(), hazelcastOps);

    for (const r of running) await warm(r.ops, o);
    const rounds = Math.max(1, o.rounds);
    const sliceMs = (o.seconds * 1000) / rounds;
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < running.length; i++) {
        const r = running[(round + i) % running.length];
        const t = performance.now();
        const cpu = cpuSeconds(r.target.pid) ?? NaN;
        const own = process.cpuUsage();
        r.count += await slice(r.ops, o, sliceMs, r.latencies);
        const used = process.cpuUsage(own);
        r.clientCpuUs += used.user + used.system;
        r.ms += performance.now() - t;
        r.cpu += (cpuSeconds(r.target.pid) ?? NaN) - cpu;
      }
    }
    const results = new Map<string, LoadResult>();
    for (const r of running) {
      const sorted = Float64Array.from(r.latencies).sort();
      const result: LoadResult = {
        ops: r.count,
        opsPerSec: Math.round((r.count / r.ms) * 1000),
        p50Ms: Number(percentile(sorted, 0.5).toFixed(3)),
        p99Ms: Number(percentile(sorted, 0.99).toFixed(3)),
        ...(Number.isFinite(r.cpu) && r.count > 0
          ? { serverCpuUsPerOp: Number(((r.cpu / r.count) * 1e6).toFixed(2)) }
          : {}),
        clientCpuUsPerOp: Number((r.clientCpuUs / Math.max(1, r.count)).toFixed(2)),
        clientCores: Number((r.clientCpuUs / 1000 / r.ms).toFixed(2)),
      };
      results.set(r.name, result);
      console.log(
        JSON.stringify({
          bench: 'protocol-throughput',
          target: r.name,
          ...result,
          concurrency: o.concurrency,
          valueBytes: o.valueBytes,
          getRatio: o.getRatio,
          rounds,
        }),
      );
    }
    /** `subject` against Redis, the member and (for this build) the baseline build. */
    const ratiosOf = (subject: LoadResult, others: (readonly [string, string])[]) => {
      const ratios: Record<string, number> = {};
      for (const [name, label] of others) {
        const other = results.get(name);
        if (!other) continue;
        ratios[`opsVs${label}`] = Number((subject.opsPerSec / other.opsPerSec).toFixed(3));
        ratios[`p50Vs${label}`] = Number((subject.p50Ms / other.p50Ms).toFixed(3));
        ratios[`p99Vs${label}`] = Number((subject.p99Ms / other.p99Ms).toFixed(3));
        if (subject.serverCpuUsPerOp !== undefined && other.serverCpuUsPerOp !== undefined)
          ratios[`cpuPerOpVs${label}`] = Number(
            (subject.serverCpuUsPerOp / other.serverCpuUsPerOp).toFixed(3),
          );
      }
      return ratios;
    };
    const servers = [
      ['redis', 'Redis'],
      ['hazelcast', 'Hazelcast'],
    ] as const;
    const ratios = ratiosOf(results.get('metadatacache')!, [
      ...servers,
      ['metadatacache-baseline', 'Baseline'],
    ]);
    console.log(JSON.stringify({ bench: 'protocol-throughput', ratios }));
    const base = results.get('metadatacache-baseline');
    if (base) {
      const baselineRatios = ratiosOf(base, [...servers]);
      console.log(JSON.stringify({ bench: 'protocol-throughput', baselineRatios }));
    }
  } finally {
    for (const r of running) {
      await r.ops.close().catch(() => undefined);
      await r.target.stop();
    }
  }
}
