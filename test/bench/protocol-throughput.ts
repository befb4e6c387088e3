/**
 * Remote throughput: hazelcast-client against a MetadataCache node vs ioredis against a local
 * redis-server (and hazelcast-client against a real Hazelcast 5.5.0 member when java and the jar
 * are present), same concurrency, key and value sizes, 90% get / 10% set. Every server is a
 * separate process on loopback started by this benchmark. Prints one JSON line per target and
 * one with the ratios.
 *
 *   npm run bench -- protocol-throughput [--seconds 10] [--concurrency 64] [--keys 10000]
 *                                        [--value-bytes 100] [--get-ratio 0.9] [--warmup 3]
 *                                        [--no-hazelcast]
 */
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

export const defaultArgs = ['--seconds', '5'];

interface Options {
  seconds: number;
  concurrency: number;
  keys: number;
  valueBytes: number;
  getRatio: number;
  /** Unmeasured run first (the JVM member needs it to JIT-compile its hot paths). */
  warmupSeconds: number;
  hazelcast: boolean;
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
    hazelcast: !argv.includes('--no-hazelcast'),
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
}

export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** `concurrency` loops issuing requests back to back for `seconds`; latency of every request. */
async function load(ops: Ops, o: Options): Promise<LoadResult> {
  const value = 'v'.repeat(o.valueBytes);
  // Warm-up: fill every key, then a short unmeasured run.
  for (let i = 0; i < o.keys; i += o.concurrency) {
    await Promise.all(
      Array.from({ length: Math.min(o.concurrency, o.keys - i) }, (_, j) =>
        ops.set(`key-${i + j}`, value),
      ),
    );
  }
  const run = async (ms: number, record: boolean) => {
    const latencies: number[] = [];
    const end = performance.now() + ms;
    let count = 0;
    const worker = async () => {
      while (performance.now() < end) {
        const key = `key-${Math.floor(Math.random() * o.keys)}`;
        const t = performance.now();
        if (Math.random() < o.getRatio) await ops.get(key);
        else await ops.set(key, value);
        if (record) latencies.push(performance.now() - t);
        count++;
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: o.concurrency }, worker));
    return { count, elapsed: performance.now() - start, latencies };
  };
  await run(o.warmupSeconds * 1000, false);
  const { count, elapsed, latencies } = await run(o.seconds * 1000, true);
  const sorted = Float64Array.from(latencies).sort();
  return {
    ops: count,
    opsPerSec: Math.round((count / elapsed) * 1000),
    p50Ms: Number(percentile(sorted, 0.5).toFixed(3)),
    p99Ms: Number(percentile(sorted, 0.99).toFixed(3)),
  };
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

async function measure(
  name: string,
  start: () => Promise<Target>,
  connect: (t: Target) => Promise<Ops> | Ops,
  o: Options,
): Promise<LoadResult> {
  const target = await start();
  try {
    const ops = await connect(target);
    try {
      const r = await load(ops, o);
      console.log(
        JSON.stringify({
          bench: 'protocol-throughput',
          target: name,
          ...r,
          concurrency: o.concurrency,
          valueBytes: o.valueBytes,
          getRatio: o.getRatio,
        }),
      );
      return r;
    } finally {
      await ops.close();
    }
  } finally {
    await target.stop();
  }
}

export async function run(argv: string[]): Promise<void> {
  const o = parse(argv);
  const ours = await measure('metadatacache', () => startMetadataCache(), hazelcastOps, o);
  const ratios: Record<string, number> = {};
  const noRedis = redisUnavailable();
  if (noRedis)
    console.log(
      JSON.stringify({ bench: 'protocol-throughput', skipped: 'redis', reason: noRedis }),
    );
  else {
    const redis = await measure('redis', startRedis, redisOps, o);
    ratios.opsVsRedis = Number((ours.opsPerSec / redis.opsPerSec).toFixed(3));
    ratios.p50VsRedis = Number((ours.p50Ms / redis.p50Ms).toFixed(3));
    ratios.p99VsRedis = Number((ours.p99Ms / redis.p99Ms).toFixed(3));
  }
  const noHz = o.hazelcast ? hazelcastUnavailable() : 'disabled with --no-hazelcast';
  if (noHz)
    console.log(
      JSON.stringify({ bench: 'protocol-throughput', skipped: 'hazelcast', reason: noHz }),
    );
  else {
    const member = await measure('hazelcast', () => startHazelcast(), hazelcastOps, o);
    ratios.opsVsHazelcast = Number((ours.opsPerSec / member.opsPerSec).toFixed(3));
    ratios.p50VsHazelcast = Number((ours.p50Ms / member.p50Ms).toFixed(3));
    ratios.p99VsHazelcast = Number((ours.p99Ms / member.p99Ms).toFixed(3));
  }
  console.log(JSON.stringify({ bench: 'protocol-throughput', ratios }));
}
