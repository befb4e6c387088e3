/**
 * Smart-client throughput with 3 members against 1 member, measured in the same run: 90% get /
 * 10% set, `concurrency` requests in flight, string keys, 100-byte values. The 3-member cluster
 * pays for synchronous backups (backupCount 1) on every set.
 *
 *   npm run bench -- cluster-throughput [--seconds 5] [--concurrency 64] [--keys 10000]
 */
import hz from 'hazelcast-client';
import { converged, TestCluster, waitFor } from '../integration/cluster/harness.js';
import { flag as arg } from './lib/cli.js';

export const defaultArgs = ['--seconds', '3'];

async function measure(members: number, seconds: number, concurrency: number, keys: number) {
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
      return ops / seconds;
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
  const one = await measure(1, seconds, concurrency, keys);
  const three = await measure(3, seconds, concurrency, keys);
  console.log(
    JSON.stringify({
      bench: 'cluster-throughput',
      concurrency,
      opsPerSecond1Member: Math.round(one),
      opsPerSecond3Members: Math.round(three),
      ratio3vs1: Number((three / one).toFixed(2)),
    }),
  );
}
