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
 *   npm run bench -- cluster-throughput [--seconds 5] [--concurrency 64] [--keys 10000] [--bulk 100]
 */
import hz from 'hazelcast-client';
import { converged, TestCluster, waitFor } from '../integration/cluster/harness.js';
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
    const client = await hz.Client.newHazelcastClient({
      network: { clusterMembers: ms.map((m) => `${m.host}:${m.port}`) },
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
      if (bulk === 0) return { ops: ops / seconds };
      const unisocket = await hz.Client.newHazelcastClient({
        network: { clusterMembers: [`${ms[0].host}:${ms[0].port}`], smartRouting: false },
        properties: { 'hazelcast.logging.level': 'ERROR' },
      });
      try {
        const bulkMap = await unisocket.getMap<string, string>('tp');
        return { ops: ops / seconds, bulk: await measureBulk(bulkMap, seconds, keys, bulk) };
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
