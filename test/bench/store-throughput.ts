/**
 * In-process throughput and memory of a store map against `lru-cache` on the same key stream:
 *
 *   npm run bench -- store-throughput [--entries N] [--ops M] [--zipf S] [--value-bytes B] [--policy P]
 *
 * Keys follow a Zipf(S) distribution over 4×N keys. Phases, each on both caches: `set` (M writes,
 * evicting once full), `get` (M reads, hits and misses, no writes), `read-through` (get, set on a
 * miss: hit ratio). Memory: heap growth per entry after filling N distinct entries (forced GC).
 * Both get the same serialized Data keys (Buffers), as a node receives them: lru-cache needs a
 * string per key, so it is given `key.toString('latin1', 4)` (the cheapest exact identity); the
 * `get` phase also reports lru-cache with prebuilt string keys (its best case, `ratioVsStringKeys`).
 * Prints one JSON line per phase with the ratio store / lru-cache.
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

/** Ops/s of `a` and `b`, each running [from, to) slices of 0..n, interleaved. */
function race(
  n: number,
  a: (from: number, to: number) => void,
  b: (from: number, to: number) => void,
): [number, number] {
  let ta = 0;
  let tb = 0;
  const chunk = Math.ceil(n / ROUNDS);
  for (let from = 0; from < n; from += chunk) {
    const to = Math.min(n, from + chunk);
    let t0 = performance.now();
    a(from, to);
    ta += performance.now() - t0;
    t0 = performance.now();
    b(from, to);
    tb += performance.now() - t0;
  }
  return [(n / ta) * 1000, (n / tb) * 1000];
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
  // Warm-up pass each (JIT), then the timed passes.
  for (let i = 0; i < n; i++) map.set(kData[i], value);
  for (let i = 0; i < n; i++) lru.set(id(kData[i]), value);

  const [setsStore, setsLru] = race(
    n,
    (f, t) => {
      for (let i = f; i < t; i++) map.set(kData[i], value);
    },
    (f, t) => {
      for (let i = f; i < t; i++) lru.set(id(kData[i]), value);
    },
  );
  line({
    phase: 'set',
    policy: a.policy,
    entries: a.entries,
    opsPerSecStore: Math.round(setsStore),
    opsPerSecLruCache: Math.round(setsLru),
    ratio: +(setsStore / setsLru).toFixed(3),
  });

  const [getsStore, getsLru] = race(
    n,
    (f, t) => {
      for (let i = f; i < t; i++) map.get(kData[i]);
    },
    (f, t) => {
      for (let i = f; i < t; i++) lru.get(id(kData[i]));
    },
  );
  const [, getsLruStrings] = race(
    n,
    () => undefined,
    (f, t) => {
      for (let i = f; i < t; i++) lru.get(kStr[i]);
    },
  );
  line({
    phase: 'get',
    policy: a.policy,
    entries: a.entries,
    opsPerSecStore: Math.round(getsStore),
    opsPerSecLruCache: Math.round(getsLru),
    ratio: +(getsStore / getsLru).toFixed(3),
    opsPerSecLruCacheStringKeys: Math.round(getsLruStrings),
    ratioVsStringKeys: +(getsStore / getsLruStrings).toFixed(3),
  });

  const rtMap = newStoreMap(a);
  const rtLru = new LRUCache<string, Buffer>({ max: a.entries });
  let hitsStore = 0;
  let hitsLru = 0;
  const [rtStore, rtLruRate] = race(
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
    opsPerSecStore: Math.round(rtStore),
    opsPerSecLruCache: Math.round(rtLruRate),
    ratio: +(rtStore / rtLruRate).toFixed(3),
    hitRatioStore: +(hitsStore / n).toFixed(4),
    hitRatioLruCache: +(hitsLru / n).toFixed(4),
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
