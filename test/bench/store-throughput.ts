/**
 * In-process throughput and memory of a store map against `lru-cache` on the same key stream:
 *
 *   npm run bench -- store-throughput [--entries N] [--ops M] [--zipf S] [--value-bytes B] [--policy P]
 *                                     [--rounds R]
 *
 * Keys follow a Zipf(S) distribution over 4×N keys. Phases, each on both caches: `set` (M writes,
 * evicting once full), `get` (M reads, hits and misses, no writes), `read-through` (get, set on a
 * miss: hit ratio). Memory: heap growth per entry after filling N distinct entries (forced GC).
 * Both get the same serialized Data keys (Buffers), as a node receives them: lru-cache needs a
 * string per key, so it is given `key.toString('latin1', 4)` (the cheapest exact identity); the
 * `get` phase also reports lru-cache with prebuilt string keys (its best case, `ratioVsStringKeys`).
 * Prints one JSON line per phase with the ratio store / lru-cache.
 *
 * Fairness: both caches get the same key stream, capacity and value object; both are warmed
 * (one untimed pass of every operation) before timing; each timed phase runs R rounds, and in
 * every round the two caches alternate in chunks whose order flips from chunk to chunk, so
 * machine noise and cache warmth hit both alike. `ratio` is over all rounds; `ratioByRound`
 * shows the spread.
 */
import { LRUCache } from 'lru-cache';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { EvictionPolicyName } from '../../cache-node/src/config/schema.js';
import { encodeString } from '../../cache-node/src/data/index.js';
import {
  createStore,
  ENTRY_OVERHEAD_BYTES,
  type CacheMapApi,
} from '../../cache-node/src/store/index.js';

export const defaultArgs = ['--entries', '50000', '--ops', '1000000'];

interface Args {
  entries: number;
  ops: number;
  zipf: number;
  valueBytes: number;
  policy: EvictionPolicyName;
  rounds: number;
}

function parseArgs(argv: string[]): Args {
  const get = (flag: string, dflt: string): string => {
    const i = argv.indexOf(flag);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
  };
  const args: Args = {
    entries: Number(get('--entries', '100000')),
    ops: Number(get('--ops', '2000000')),
    zipf: Number(get('--zipf', '0.99')),
    valueBytes: Number(get('--value-bytes', '100')),
    policy: get('--policy', 'tinylfu') as EvictionPolicyName,
    rounds: Number(get('--rounds', '3')),
  };
  for (const [name, n] of Object.entries(args)) {
    if (name !== 'policy' && !(Number.isFinite(n) && (n as number) > 0)) {
      throw new Error(`--${name} must be a positive number`);
    }
  }
  return args;
}

/** Zipf(s) ranks over `universe` keys, deterministic (inverse CDF by binary search). */
function zipfStream(universe: number, count: number, s: number): Int32Array {
  const cdf = new Float64Array(universe);
  let acc = 0;
  for (let i = 0; i < universe; i++) cdf[i] = acc += 1 / Math.pow(i + 1, s);
  let x = 0x9e3779b9;
  const out = new Int32Array(count);
  for (let c = 0; c < count; c++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const u = ((x >>> 0) / 2 ** 32) * acc;
    let lo = 0;
    let hi = universe - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    // Scatter ranks so popular keys are not also the first inserted.
    out[c] = Math.imul(lo, 0x5bd1e995) >>> 0;
  }
  return out;
}

function newStoreMap(a: Args): CacheMapApi {
  const store = createStore({
    partitionCount: 271,
    maps: [
      { name: 'b', maxEntries: a.entries, eviction: a.policy, ttlSeconds: 0, maxIdleSeconds: 0 },
    ],
    defaultMap: { eviction: a.policy, ttlSeconds: 0, maxIdleSeconds: 0 },
    undeclaredMaps: 'reject',
    hotKeys: { topK: 10, halfLifeSeconds: 60 },
    maintenance: {
      expirySweepIntervalSeconds: 5,
      sketchAgingIntervalSeconds: 0,
      statsWindowSeconds: 300,
      statsBuckets: 30,
    },
  });
  return store.map('b')!;
}

function gcFunction(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Chunks per phase: the two caches alternate chunk by chunk, so machine noise hits both alike. */
const ROUNDS = 10;

type Slice = (from: number, to: number) => void;

/** Time of `run` over [from, to) in ms. */
function timed(run: Slice, from: number, to: number): number {
  const t0 = performance.now();
  run(from, to);
  return performance.now() - t0;
}

/**
 * Ops/s of `a` and `b`, each running [from, to) slices of 0..n, interleaved chunk by chunk; the
 * one that goes first alternates, so neither always runs on the other's cache leftovers.
 */
function race(n: number, a: Slice, b: Slice): [number, number] {
  let ta = 0;
  let tb = 0;
  const chunk = Math.ceil(n / ROUNDS);
  for (let from = 0, c = 0; from < n; from += chunk, c++) {
    const to = Math.min(n, from + chunk);
    if (c % 2 === 0) {
      ta += timed(a, from, to);
      tb += timed(b, from, to);
    } else {
      tb += timed(b, from, to);
      ta += timed(a, from, to);
    }
  }
  return [(n / ta) * 1000, (n / tb) * 1000];
}

/** `race` repeated `rounds` times: overall rates and the ratio a/b of each round. */
function rounds(
  count: number,
  n: number,
  a: Slice,
  b: Slice,
): { a: number; b: number; ratios: number[] } {
  let ta = 0;
  let tb = 0;
  const ratios: number[] = [];
  for (let r = 0; r < count; r++) {
    const [ra, rb] = race(n, a, b);
    ta += n / ra;
    tb += n / rb;
    ratios.push(+(ra / rb).toFixed(3));
  }
  return { a: (count * n) / ta, b: (count * n) / tb, ratios };
}

export async function run(argv: string[]): Promise<void> {
  const a = parseArgs(argv);
  const universe = a.entries * 4;
  const stream = zipfStream(universe, a.ops, a.zipf);
  const ids = [...new Set(stream)];
  const dataKeys = new Map<number, Buffer>();
  const stringKeys = new Map<number, string>();
  for (const id of ids) {
    dataKeys.set(id, encodeString(`key:${id}`));
    stringKeys.set(id, `key:${id}`);
  }
  const kData = Array.from(stream, (id) => dataKeys.get(id)!);
  const kStr = Array.from(stream, (id) => stringKeys.get(id)!);
  const id = (b: Buffer) => b.toString('latin1', 4);
  const value = Buffer.alloc(a.valueBytes, 1);
  const n = a.ops;
  const line = (o: Record<string, unknown>) =>
    console.log(JSON.stringify({ bench: 'store-throughput', ...o }));

  const map = newStoreMap(a);
  const lru = new LRUCache<string, Buffer>({ max: a.entries });
  const setStore: Slice = (f, t) => {
    for (let i = f; i < t; i++) map.set(kData[i], value);
  };
  const setLru: Slice = (f, t) => {
    for (let i = f; i < t; i++) lru.set(id(kData[i]), value);
  };
  const getStore: Slice = (f, t) => {
    for (let i = f; i < t; i++) map.get(kData[i]);
  };
  const getLru: Slice = (f, t) => {
    for (let i = f; i < t; i++) lru.get(id(kData[i]));
  };
  const getLruStrings: Slice = (f, t) => {
    for (let i = f; i < t; i++) lru.get(kStr[i]);
  };
  // Warm-up (JIT, and both caches full): one untimed pass of each operation.
  for (const warm of [setStore, setLru, getStore, getLru, getLruStrings]) warm(0, n);

  const sets = rounds(a.rounds, n, setStore, setLru);
  line({
    phase: 'set',
    policy: a.policy,
    entries: a.entries,
    opsPerSecStore: Math.round(sets.a),
    opsPerSecLruCache: Math.round(sets.b),
    ratio: +(sets.a / sets.b).toFixed(3),
    ratioByRound: sets.ratios,
  });

  const gets = rounds(a.rounds, n, getStore, getLru);
  const getsStrings = rounds(a.rounds, n, getStore, getLruStrings);
  line({
    phase: 'get',
    policy: a.policy,
    entries: a.entries,
    opsPerSecStore: Math.round(gets.a),
    opsPerSecLruCache: Math.round(gets.b),
    ratio: +(gets.a / gets.b).toFixed(3),
    ratioByRound: gets.ratios,
    opsPerSecLruCacheStringKeys: Math.round(getsStrings.b),
    ratioVsStringKeys: +(getsStrings.a / getsStrings.b).toFixed(3),
  });

  // Read-through on fresh caches; the hit ratio is over every round (the first starts cold).
  const rtMap = newStoreMap(a);
  const rtLru = new LRUCache<string, Buffer>({ max: a.entries });
  let hitsStore = 0;
  let hitsLru = 0;
  const rt = rounds(
    a.rounds,
    n,
    (f, t) => {
      for (let i = f; i < t; i++) {
        if (rtMap.get(kData[i]) !== undefined) hitsStore++;
        else rtMap.set(kData[i], value);
      }
    },
    (f, t) => {
      for (let i = f; i < t; i++) {
        const key = id(kData[i]);
        if (rtLru.get(key) !== undefined) hitsLru++;
        else rtLru.set(key, value);
      }
    },
  );
  line({
    phase: 'read-through',
    policy: a.policy,
    entries: a.entries,
    opsPerSecStore: Math.round(rt.a),
    opsPerSecLruCache: Math.round(rt.b),
    ratio: +(rt.a / rt.b).toFixed(3),
    ratioByRound: rt.ratios,
    hitRatioStore: +(hitsStore / (a.rounds * n)).toFixed(4),
    hitRatioLruCache: +(hitsLru / (a.rounds * n)).toFixed(4),
  });

  // Memory: distinct keys, each entry with its own value buffer (as a node holds them).
  const gc = gcFunction();
  const fill = a.entries;
  const memKeysData = Array.from({ length: fill }, (_, i) => encodeString(`mem:${i}`));
  const memKeysStr = Array.from({ length: fill }, (_, i) => `mem:${i}`);
  const measure = (build: () => unknown): number => {
    gc();
    const before = process.memoryUsage();
    const held = build();
    gc();
    const after = process.memoryUsage();
    void held;
    return (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / fill;
  };
  let keepStore: unknown;
  let keepLru: unknown;
  const perEntryStore = measure(() => {
    const m = newStoreMap(a);
    for (let i = 0; i < fill; i++) m.set(memKeysData[i], Buffer.from(value));
    return (keepStore = m);
  });
  const perEntryLru = measure(() => {
    const c = new LRUCache<string, Buffer>({ max: a.entries });
    for (let i = 0; i < fill; i++) c.set(memKeysStr[i], Buffer.from(value));
    return (keepLru = c);
  });
  const keyBytes = memKeysData[0].length;
  line({
    phase: 'memory',
    policy: a.policy,
    entries: fill,
    keyBytes,
    valueBytes: a.valueBytes,
    bytesPerEntryStore: Math.round(perEntryStore),
    bytesPerEntryLruCache: Math.round(perEntryLru),
    ratio: +(perEntryStore / perEntryLru).toFixed(3),
    measuredOverheadBytes: Math.round(perEntryStore - keyBytes - a.valueBytes),
    accountedOverheadBytes: ENTRY_OVERHEAD_BYTES,
  });
  void keepStore;
  void keepLru;
  await Promise.resolve();
}
