/**
 * Map-wide reads through hazelcast-client: keySet, values, entrySet and containsValue (of a value
 * no entry has, so every entry is compared) over a map of N entries, on a MetadataCache node, on
 * 3 MetadataCache members (each answers for the entries it owns; backups skipped) and on a real
 * Hazelcast 5.5.0 member when java and the jar are present. Median of R calls each, in ms, and
 * the ratio to the Hazelcast member measured in the same run (< 1: faster).
 *
 *   npm run bench -- map-wide-reads [--entries 10000] [--repeat 7] [--value-bytes 100]
 */
import hz from 'hazelcast-client';
import { converged, TestCluster, waitFor } from '../integration/cluster/harness.js';
import {
  hazelcastUnavailable,
  startHazelcast,
  startMetadataCache,
} from '../integration/conformance/support/targets.js';
import { numberFlag as arg } from './lib/cli.js';

export const defaultArgs = ['--entries', '10000', '--repeat', '5'];

type Client = Awaited<ReturnType<typeof hz.Client.newHazelcastClient>>;
const READS = ['keySet', 'values', 'entrySet', 'containsValue'] as const;
type Read = (typeof READS)[number];

async function measure(
  addresses: string[],
  o: { entries: number; repeat: number; valueBytes: number },
): Promise<Record<Read, number>> {
  const client: Client = await hz.Client.newHazelcastClient({
    network: { clusterMembers: addresses },
    properties: { 'hazelcast.logging.level': 'ERROR' },
  });
  try {
    const m = await client.getMap<string, string>('wide');
    const pad = 'x'.repeat(Math.max(0, o.valueBytes - 12));
    const batch: [string, string][] = [];
    for (let i = 0; i < o.entries; i++) {
      batch.push([`key-${i}`, `${pad}${String(i).padStart(12, '0')}`]);
      if (batch.length === 1000 || i === o.entries - 1) await m.setAll(batch.splice(0));
    }
    if ((await m.size()) !== o.entries) throw new Error('the map was not loaded');
    const calls: Record<Read, () => Promise<number>> = {
      keySet: async () => (await m.keySet()).length,
      values: async () => (await m.values()).size(),
      entrySet: async () => (await m.entrySet()).length,
      containsValue: async () => ((await m.containsValue('absent')) ? 1 : 0),
    };
    const out = {} as Record<Read, number>;
    for (const read of READS) {
      const times: number[] = [];
      for (let r = 0; r < o.repeat; r++) {
        const start = performance.now();
        const n = await calls[read]();
        times.push(performance.now() - start);
        // A wrong count would make the timing meaningless.
        if (n !== (read === 'containsValue' ? 0 : o.entries)) {
          throw new Error(`${read} returned ${n} of ${o.entries}`);
        }
      }
      times.sort((a, b) => a - b);
      out[read] = Number(times[Math.floor(times.length / 2)].toFixed(2));
    }
    return out;
  } finally {
    await client.shutdown();
  }
}

export async function run(argv: string[]): Promise<void> {
  const o = {
    entries: arg(argv, 'entries', 10000),
    repeat: arg(argv, 'repeat', 7),
    valueBytes: arg(argv, 'value-bytes', 100),
  };
  const results: Record<string, Record<Read, number>> = {};
  const report = (target: string, r: Record<Read, number>) => {
    results[target] = r;
    console.log(JSON.stringify({ bench: 'map-wide-reads', target, medianMs: r, ...o }));
  };

  const node = await startMetadataCache({ maps: [], undeclaredMaps: 'allow' });
  try {
    report('metadatacache', await measure([`${node.host}:${node.port}`], o));
  } finally {
    await node.stop();
  }

  const cluster = new TestCluster();
  try {
    const members = await cluster.start(3);
    await waitFor(() => converged(cluster, 3), 30_000, 'convergence');
    report(
      'metadatacache-3',
      await measure(
        members.map((m) => `${m.host}:${m.port}`),
        o,
      ),
    );
  } finally {
    await cluster.stopAll();
  }

  const unavailable = hazelcastUnavailable();
  if (unavailable) {
    console.log(JSON.stringify({ bench: 'map-wide-reads', skipped: 'hazelcast', unavailable }));
    return;
  }
  const member = await startHazelcast();
  try {
    report('hazelcast', await measure([`${member.host}:${member.port}`], o));
  } finally {
    await member.stop();
  }
  const ratio = (target: string) =>
    Object.fromEntries(
      READS.map((r) => [r, Number((results[target][r] / results.hazelcast[r]).toFixed(2))]),
    );
  console.log(
    JSON.stringify({
      bench: 'map-wide-reads',
      timeVsHazelcast: {
        metadatacache: ratio('metadatacache'),
        '3 members': ratio('metadatacache-3'),
      },
    }),
  );
}
