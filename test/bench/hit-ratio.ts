/**
 * Hit ratio of the store's eviction policies on a trace, against exact LRU and Bélády's OPT:
 *
 *   npm run bench -- hit-ratio --trace FILE --capacity N [--policies lru,opt,tinylfu,lfu]
 *
 * Each policy other than `opt` drives a real store map (createStore, maxEntries = capacity): a
 * request is a `get`, and a miss is followed by a `set`, the code path a node runs. Prints one
 * JSON line per policy. Traces: ARC `.lis` (Megiddo and Modha, FAST 2003) or one key per line.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EvictionPolicyName } from '../../cache-node/src/config/schema.js';
import { createStore, type StoreInternals } from '../../cache-node/src/store/index.js';
import { readTrace, type TraceKey } from './lib/trace.js';
import { optHits } from './lib/opt.js';

/** The shared traces sit beside the checkout (../shared/traces). */
const SHARED_OLTP = fileURLToPath(new URL('../../../shared/traces/OLTP.lis.gz', import.meta.url));

export const defaultArgs = ['--trace', SHARED_OLTP, '--capacity', '1000'];

const POLICIES = ['lru', 'opt', 'tinylfu', 'lfu'] as const;
type BenchPolicy = (typeof POLICIES)[number];

export interface HitRatioArgs {
  trace: string;
  capacity: number;
  policies: BenchPolicy[];
}

export function parseArgs(argv: string[]): HitRatioArgs {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const trace = get('--trace');
  const capacity = Number(get('--capacity'));
  if (!trace) throw new Error('--trace FILE is required');
  if (!Number.isSafeInteger(capacity) || capacity < 1) {
    throw new Error('--capacity must be a positive integer');
  }
  const policies = (get('--policies') ?? 'lru,opt,tinylfu').split(',') as BenchPolicy[];
  for (const p of policies) {
    if (!POLICIES.includes(p)) throw new Error(`unknown policy "${p}" (${POLICIES.join(', ')})`);
  }
  return { trace, capacity, policies };
}

/** A Data-encoded key: LONG for numbers, STRING otherwise (as a Hazelcast client would send). */
export function traceKeyToData(k: TraceKey): Buffer {
  if (typeof k === 'number') {
    const b = Buffer.allocUnsafe(16);
    b.writeInt32BE(0, 0);
    b.writeInt32BE(-8, 4);
    b.writeBigInt64BE(BigInt(k), 8);
    return b;
  }
  const len = Buffer.byteLength(k);
  const b = Buffer.allocUnsafe(12 + len);
  b.writeInt32BE(0, 0);
  b.writeInt32BE(-11, 4);
  b.writeInt32BE(len, 8);
  b.write(k, 12);
  return b;
}

/** Hits of a store map with `policy` replaying the trace (get, then set on a miss). */
export function storeHits(
  trace: readonly TraceKey[],
  capacity: number,
  policy: EvictionPolicyName,
  internals?: StoreInternals,
): number {
  let t = 0;
  const store = createStore(
    {
      clock: { now: () => t },
      partitionCount: 271,
      maps: [
        { name: 'bench', maxEntries: capacity, eviction: policy, ttlSeconds: 0, maxIdleSeconds: 0 },
      ],
      defaultMap: { eviction: policy, ttlSeconds: 0, maxIdleSeconds: 0 },
      undeclaredMaps: 'reject',
      hotKeys: { topK: 0, halfLifeSeconds: 60 },
      maintenance: {
        expirySweepIntervalSeconds: 5,
        sketchAgingIntervalSeconds: 0,
        statsWindowSeconds: 300,
        statsBuckets: 30,
      },
    },
    internals,
  );
  const map = store.map('bench')!;
  const value = Buffer.alloc(0);
  let hits = 0;
  for (const k of trace) {
    t++;
    const key = traceKeyToData(k);
    if (map.get(key) !== undefined) hits++;
    else map.set(key, value);
  }
  return hits;
}

export async function run(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  if (!existsSync(args.trace)) {
    console.error(`hit-ratio: trace file not found: ${args.trace}`);
    process.exitCode = 1;
    return;
  }
  const trace = await readTrace(args.trace);
  const name = args.trace.split('/').pop()!;
  for (const policy of args.policies) {
    const started = performance.now();
    const hits =
      policy === 'opt' ? optHits(trace, args.capacity) : storeHits(trace, args.capacity, policy);
    console.log(
      JSON.stringify({
        policy,
        trace: name,
        capacity: args.capacity,
        hits,
        requests: trace.length,
        hitRatio: Number((hits / trace.length).toFixed(6)),
        seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      }),
    );
  }
}
