/**
 * Rebalance: load N entries into a 3-member cluster (backupCount 1), start a 4th member, and time
 * from its start until every member serves the converged table; then count entries lost (map size
 * and a read of every key). The time to load the same entries is the reference.
 *
 *   npm run bench -- cluster-rebalance [--entries 1000000] [--value-bytes 100]
 */
import hz from 'hazelcast-client';
import { converged, TestCluster, waitFor } from '../integration/cluster/harness.js';
import { flag as arg } from './lib/cli.js';

export const defaultArgs = ['--entries', '100000'];

export async function run(argv: string[]): Promise<void> {
  const entries = Number(arg(argv, 'entries', '1000000'));
  const valueBytes = Number(arg(argv, 'value-bytes', '100'));
  const cluster = new TestCluster({
    settings: { defaultMap: { maxEntries: 10_000_000 }, limits: { maxFrameBytes: 67108864 } },
    readyTimeoutMs: 60_000,
  });
  try {
    const ms = await cluster.start(3);
    await waitFor(() => converged(cluster, 3), 30_000, 'convergence');
    const client = await hz.Client.newHazelcastClient({
      network: { clusterMembers: ms.map((m) => `${m.host}:${m.port}`) },
      properties: { 'hazelcast.logging.level': 'ERROR' },
    });
    try {
      const map = await client.getMap<string, string>('rb');
      const value = 'v'.repeat(valueBytes);
      const loadStart = performance.now();
      const batch = 2000;
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < entries; i += batch) {
        const pairs: [string, string][] = [];
        for (let j = i; j < Math.min(entries, i + batch); j++) pairs.push([`k${j}`, value]);
        inFlight.push(map.putAll(pairs));
        if (inFlight.length >= 4) await inFlight.shift();
      }
      await Promise.all(inFlight);
      const loadSeconds = (performance.now() - loadStart) / 1000;

      const start = performance.now();
      await cluster.add();
      await waitFor(() => converged(cluster, 4), 600_000, '4 members to converge');
      const rebalanceSeconds = (performance.now() - start) / 1000;

      const size = await map.size();
      let missing = 0;
      for (let i = 0; i < entries; i += batch) {
        const keys: string[] = [];
        for (let j = i; j < Math.min(entries, i + batch); j++) keys.push(`k${j}`);
        const got = await map.getAll(keys);
        missing += keys.length - got.length;
      }
      console.log(
        JSON.stringify({
          bench: 'cluster-rebalance',
          entries,
          loadSeconds: Number(loadSeconds.toFixed(2)),
          rebalance3to4Seconds: Number(rebalanceSeconds.toFixed(2)),
          rebalanceVsLoad: Number((rebalanceSeconds / loadSeconds).toFixed(2)),
          sizeAfter: size,
          lost: missing,
        }),
      );
    } finally {
      await client.shutdown();
    }
  } finally {
    await cluster.stopAll();
  }
}
