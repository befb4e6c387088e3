/**
 * Invalidation visibility: the time from a write being acknowledged to writer client A until a
 * second client B, whose near cache holds the old value, returns the new one; p50/p99 at several
 * write rates against one MetadataCache node (a separate process on loopback).
 *
 * What the figure is made of (traced per sample at every socket, see docs/protocol.md): the node
 * writes the invalidation before the write's response, so B's near cache has almost always
 * dropped the key by the time A sees the ack, and the figure is B's miss round trip to the node
 * (the product path a reader takes after an invalidation). B polls with setImmediate (no timer
 * granularity; a near-cache hit costs no network), starting at the ack.
 *
 * Each rate runs for `--seconds` or until `--min-samples` samples (with fewer than 200 the p99
 * is the maximum), after an unmeasured warm-up (`--warmup` seconds of paced writes: a
 * just-started node and the clients are still compiling code and growing their heaps, which
 * shows as millisecond pauses).
 *
 *   npm run bench -- invalidation-latency [--rates 10,100,1000] [--seconds 3] [--min-samples 200]
 *                                         [--warmup 2] [--keys 100]
 */
import hz from 'hazelcast-client';
import { startMetadataCache } from '../integration/conformance/support/targets.js';
import { flag as arg, percentile, sleepUntil, tick } from './lib/cli.js';

export const defaultArgs = ['--seconds', '2'];

export async function run(argv: string[]): Promise<void> {
  const rates = arg(argv, 'rates', '10,100,1000').split(',').map(Number);
  const seconds = Number(arg(argv, 'seconds', '3'));
  const keys = Number(arg(argv, 'keys', '100'));
  const minSamples = Number(arg(argv, 'min-samples', '200'));
  const warmupSeconds = Number(arg(argv, 'warmup', '2'));
  const target = await startMetadataCache();
  const cfg = (nearCache: boolean) => ({
    network: { clusterMembers: [`${target.host}:${target.port}`] },
    ...(nearCache ? { nearCaches: { nc: { invalidateOnChange: true } } } : {}),
    properties: { 'hazelcast.logging.level': 'ERROR' },
  });
  const writer = await hz.Client.newHazelcastClient(cfg(false));
  const reader = await hz.Client.newHazelcastClient(cfg(true));
  try {
    const w = await writer.getMap<string, number>('nc');
    const r = await reader.getMap<string, number>('nc');
    for (let i = 0; i < keys; i++) await w.set(`k${i}`, -1);
    for (let i = 0; i < keys; i++) await r.get(`k${i}`); // B caches every key
    let version = 0;
    /** `writes` writes paced at `rate` per second; the visibility latencies (ms) and duration. */
    const measure = async (rate: number, writes: number) => {
      const latencies: number[] = [];
      const polls: Promise<void>[] = [];
      const start = performance.now();
      for (let i = 0; i < writes; i++) {
        await sleepUntil(start + (i * 1000) / rate);
        const key = `k${i % keys}`;
        const value = ++version;
        const write = w.set(key, value).then(() => {
          const acked = performance.now();
          polls.push(
            (async () => {
              // A later write to the same key also satisfies the check (>=).
              while ((await r.get(key)) < value) await tick();
              latencies.push(performance.now() - acked);
            })(),
          );
        });
        // Above ~1000/s awaiting every ack would lower the rate; keep a few writes in flight.
        if (rate <= 100) await write;
        else polls.push(write);
      }
      await Promise.all(polls);
      await Promise.all(polls); // writes resolved above may have added polls
      return { latencies, elapsed: (performance.now() - start) / 1000 };
    };
    if (warmupSeconds > 0) await measure(200, Math.round(200 * warmupSeconds));
    for (const rate of rates) {
      const writes = Math.max(1, Math.round(rate * seconds), minSamples);
      const { latencies, elapsed } = await measure(rate, writes);
      const sorted = Float64Array.from(latencies).sort();
      console.log(
        JSON.stringify({
          bench: 'invalidation-latency',
          targetRate: rate,
          achievedRate: Math.round(writes / elapsed),
          samples: latencies.length,
          p50Ms: Number(percentile(sorted, 0.5).toFixed(3)),
          p99Ms: Number(percentile(sorted, 0.99).toFixed(3)),
          maxMs: Number(sorted[sorted.length - 1].toFixed(3)),
        }),
      );
    }
  } finally {
    await reader.shutdown();
    await writer.shutdown();
    await target.stop();
  }
}
