/**
 * Smart-client throughput with 3 members against 1 member, measured in the same run: 90% get /
 * 10% set, `concurrency` requests in flight, string keys, 100-byte values. The 3-member cluster
 * pays for synchronous backups (backupCount 1) on every set.
 *
 * Bulk line (3 members): a non-smart client (connected to one member, which routes every key)
 * calls getAll / putAll of `--bulk` keys spread over all owners, one call at a time; the reference
 * in the same run is the same keys as `--bulk` single gets in flight at once (one member request
 * per key, which is what getAll cost before keys were grouped by owner).
 *
 * `--hazelcast` measures the same load against 1 and 3 Hazelcast 5.5.0 members (the reference,
 * one synchronous backup by default) after ours, and prints both 3-vs-1 ratios side by side.
 *
 *   npm run bench -- cluster-throughput [--seconds 5] [--concurrency 64] [--keys 10000] [--bulk 100]
 *     [--hazelcast]
 */
import hz from 'hazelcast-client';
import { converged, TestCluster, waitFor } from '../integration/cluster/harness.js';
import {
  hazelcastUnavailable,
  startHazelcastCluster,
} from '../integration/conformance/support/targets.js';
import { flag as arg } from './lib/cli.js';

export const defaultArgs = ['--seconds', '3'];

type HzMap = Awaited<
  ReturnType<Awaited<ReturnType<typeof hz.Client.newHazelcastClient>>['getMap']>
>;

/**
 * Mean milliseconds per call of each of `calls`, one call at a time, taking turns (so each sees
 * the same cluster state, e.g. member near caches warming), for `seconds` in all.
 */
async function msPerCall(seconds: number, calls: (() => Promise<unknown>)[]): Promise<number[]> {
  const spent = calls.map(() => 0);
  const count = calls.map(() => 0);
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    for (const [i, call] of calls.entries()) {
      const t = performance.now();
      await call();
      spent[i] += performance.now() - t;
      count[i]++;
    }
  }
  return spent.map((s, i) => s / count[i]);
}

async function measureBulk(map: HzMap, seconds: number, keys: number, bulk: number) {
  const pick = () => Array.from({ length: bulk }, () => `k${Math.floor(Math.random() * keys)}`);
  const value = 'y'.repeat(100);
  const [getAll, singles, putAll] = await msPerCall(seconds, [
    () => map.getAll(pick()),
    () => Promise.all(pick().map((k) => map.get(k))),
    () => map.putAll(pick().map((k) => [k, value] as [string, string])),
  ]);
  return { getAll, singles, putAll };
}

/**
 * A smart client on `addrs`: fills `keys` keys, then `concurrency` loops of 90 % get / 10 % set for
 * `seconds`; ops/s, and the client (left open for further use; the caller shuts it down).
 */
async function load(addrs: string[], seconds: number, concurrency: number, keys: number) {
  const client = await hz.Client.newHazelcastClient({
    network: { clusterMembers: addrs },
    properties: { 'hazelcast.logging.level': 'ERROR' },
  });
  try {
    const map = await client.getMap<string, string>('tp');
    const value = 'x'.repeat(100);
    for (let i = 0; i < keys; i += 500) {
      const batch = new Map<string, string>();
      for (let j = i; j < Math.min(keys, i + 500); j++) batch.set(`k${j}`, value);
      await map.putAll([...batch.entries()]);
    }
    let ops = 0;
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < end) {
          const key = `k${Math.floor(Math.random() * keys)}`;
          if (Math.random() < 0.9) await map.get(key);
          else await map.set(key, value);
          ops++;
        }
      }),
    );
    return { client, ops: ops / seconds };
  } catch (err) {
    await client.shutdown();
    throw err;
  }
}

/** The same load against `members` Hazelcast members (ops/s). */
async function measureHazelcast(
  members: number,
  seconds: number,
  concurrency: number,
  keys: number,
) {
  const targets = await startHazelcastCluster(members);
  try {
    const addrs = targets.map((t) => `${t.host}:${t.port}`);
    // The JVM compiles its hot paths during the first seconds: one unmeasured round first.
    await (await load(addrs, seconds, concurrency, keys)).client.shutdown();
    const { client, ops } = await load(addrs, seconds, concurrency, keys);
    await client.shutdown();
    return ops;
  } finally {
    await Promise.all(targets.map((t) => t.stop()));
  }
}

async function measure(
  members: number,
  seconds: number,
  concurrency: number,
  keys: number,
  bulk = 0,
) {
  const cluster = new TestCluster();
  try {
    const ms = await cluster.start(members);
    if (members > 1) await waitFor(() => converged(cluster, members), 30_000, 'convergence');
    const addrs = ms.map((m) => `${m.host}:${m.port}`);
    const { client, ops } = await load(addrs, seconds, concurrency, keys);
    try {
      if (bulk === 0) return { ops };
      const unisocket = await hz.Client.newHazelcastClient({
        network: { clusterMembers: [`${ms[0].host}:${ms[0].port}`], smartRouting: false },
        properties: { 'hazelcast.logging.level': 'ERROR' },
      });
      try {
        const bulkMap = await unisocket.getMap<string, string>('tp');
        return { ops, bulk: await measureBulk(bulkMap, seconds, keys, bulk) };
      } finally {
        await unisocket.shutdown();
      }
    } finally {
      await client.shutdown();
    }
  } finally {
    await cluster.stopAll();
  }
}

export async function run(argv: string[]): Promise<void> {
  const seconds = Number(arg(argv, 'seconds', '5'));
  const concurrency = Number(arg(argv, 'concurrency', '64'));
  const keys = Number(arg(argv, 'keys', '10000'));
  const bulk = Number(arg(argv, 'bulk', '100'));
  const one = (await measure(1, seconds, concurrency, keys)).ops;
  const three = await measure(3, seconds, concurrency, keys, bulk);
  console.log(
    JSON.stringify({
      bench: 'cluster-throughput',
      concurrency,
      opsPerSecond1Member: Math.round(one),
      opsPerSecond3Members: Math.round(three.ops),
      ratio3vs1: Number((three.ops / one).toFixed(2)),
    }),
  );
  if (argv.includes('--hazelcast')) {
    const why = hazelcastUnavailable();
    if (why) {
      console.log(JSON.stringify({ bench: 'cluster-throughput', hazelcast: `skipped: ${why}` }));
    } else {
      const hzOne = await measureHazelcast(1, seconds, concurrency, keys);
      const hzThree = await measureHazelcast(3, seconds, concurrency, keys);
      console.log(
        JSON.stringify({
          bench: 'cluster-throughput',
          target: 'hazelcast',
          concurrency,
          opsPerSecond1Member: Math.round(hzOne),
          opsPerSecond3Members: Math.round(hzThree),
          ratio3vs1: Number((hzThree / hzOne).toFixed(2)),
          ours3VsHazelcast3: Number((three.ops / hzThree).toFixed(2)),
          ours1VsHazelcast1: Number((one / hzOne).toFixed(2)),
        }),
      );
    }
  }
  if (three.bulk) {
    const b = three.bulk;
    const ms = (v: number) => Number(v.toFixed(2));
    console.log(
      JSON.stringify({
        bench: 'cluster-throughput/bulk',
        members: 3,
        client: 'non-smart',
        keysPerCall: bulk,
        getAllMs: ms(b.getAll),
        singleGetsMs: ms(b.singles),
        putAllMs: ms(b.putAll),
        getAllSpeedupVsSingleGets: Number((b.singles / b.getAll).toFixed(2)),
      }),
    );
  }
}
