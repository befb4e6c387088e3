/**
 * Near-cache hit path: hazelcast-client `get` throughput against a MetadataCache node with the
 * client near cache on vs off (same read-only working set, same concurrency), and the near-cache
 * hit ratio after warm-up, computed from the node's own count of Map.Get requests it served
 * (metadatacache_operations_total{api="hazelcast",operation="get"}).
 *
 *   npm run bench -- near-cache [--seconds 5] [--keys 1000] [--concurrency 64]
 */
import hz from 'hazelcast-client';
import { startMetadataCache, type Target } from '../integration/conformance/support/targets.js';
import { numberFlag as arg } from './lib/cli.js';

export const defaultArgs = ['--seconds', '3'];

async function serverGets(t: Target, map: string): Promise<number> {
  const text = await (await fetch(`${t.httpUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (
      line.startsWith('metadatacache_operations_total{') &&
      line.includes(`map="${map}"`) &&
      line.includes('api="hazelcast"') &&
      line.includes('operation="get"')
    ) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

async function measure(
  t: Target,
  nearCache: boolean,
  o: { seconds: number; keys: number; concurrency: number },
) {
  const map = nearCache ? 'nc' : 'plain';
  const client = await hz.Client.newHazelcastClient({
    network: { clusterMembers: [`${t.host}:${t.port}`] },
    ...(nearCache ? { nearCaches: { nc: { invalidateOnChange: true } } } : {}),
    properties: { 'hazelcast.logging.level': 'ERROR' },
  });
  try {
    const m = await client.getMap<string, string>(map);
    for (let i = 0; i < o.keys; i++) await m.set(`key-${i}`, `value-${i}`);
    // Warm-up: every key read once (fills the near cache).
    for (let i = 0; i < o.keys; i++) await m.get(`key-${i}`);
    const before = await serverGets(t, map);
    let count = 0;
    const end = performance.now() + o.seconds * 1000;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: o.concurrency }, async () => {
        while (performance.now() < end) {
          await m.get(`key-${Math.floor(Math.random() * o.keys)}`);
          count++;
        }
      }),
    );
    const elapsed = performance.now() - start;
    const served = (await serverGets(t, map)) - before;
    return {
      opsPerSec: Math.round((count / elapsed) * 1000),
      gets: count,
      serverGets: served,
      hitRatio: Number((1 - served / count).toFixed(5)),
    };
  } finally {
    await client.shutdown();
  }
}

export async function run(argv: string[]): Promise<void> {
  const o = {
    seconds: arg(argv, 'seconds', 5),
    keys: arg(argv, 'keys', 1000),
    concurrency: arg(argv, 'concurrency', 64),
  };
  const target = await startMetadataCache();
  try {
    const off = await measure(target, false, o);
    console.log(JSON.stringify({ bench: 'near-cache', nearCache: false, ...off, ...o }));
    const on = await measure(target, true, o);
    console.log(JSON.stringify({ bench: 'near-cache', nearCache: true, ...on, ...o }));
    console.log(
      JSON.stringify({
        bench: 'near-cache',
        ratios: {
          opsOnVsOff: Number((on.opsPerSec / off.opsPerSec).toFixed(2)),
          hitRatio: on.hitRatio,
        },
      }),
    );
  } finally {
    await target.stop();
  }
}
