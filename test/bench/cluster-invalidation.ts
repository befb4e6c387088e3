/**
 * Invalidation visibility across a 3-member cluster: from a write acknowledged to the writer
 * until every reader returns the new value. Readers: one smart client and one non-smart client
 * per member (each with a near cache holding the old value; the non-smart ones receive the owner's
 * invalidation relayed by their member), plus an HTTP read on every member (member near cache).
 * p50/p99 of the slowest reader per write, at several write rates; the single-client figure of
 * `invalidation-latency` is the reference.
 *
 * Exactness: a reader is polled once per event-loop turn (setImmediate, not a timer), so the
 * polling adds microseconds, not a timer tick. The per-reader breakdown (`byReader`) time-stamps
 * the invalidation event's arrival in each client (a hook on the client's near cache) relative to
 * the ack, and the re-read after it (`refetch`: visible − max(ack, event)), which locates the tail.
 *
 *   npm run bench -- cluster-invalidation [--rates 100,1000] [--seconds 3] [--keys 100]
 */
import hz from 'hazelcast-client';
import { converged, httpGet, TestCluster, waitFor } from '../integration/cluster/harness.js';
import { flag as arg, percentile, sleepUntil, tick } from './lib/cli.js';

export const defaultArgs = ['--seconds', '2'];

type Client = Awaited<ReturnType<typeof hz.Client.newHazelcastClient>>;

/** The client's near cache, as far as the hook needs it (not public API of hazelcast-client). */
interface NearCacheInternals {
  nearCache: { invalidate(key: { toBuffer(): Buffer }): void };
}

/** When each key's latest invalidation reached the client (performance.now()). */
function hookInvalidations(map: object): Map<string, number> {
  const seen = new Map<string, number>();
  const nc = (map as NearCacheInternals).nearCache;
  const original = nc.invalidate.bind(nc);
  nc.invalidate = (key) => {
    // Data: partition hash (4) | type id (4) | string length (4) | UTF-8.
    seen.set(key.toBuffer().toString('utf8', 12), performance.now());
    original(key);
  };
  return seen;
}

const stats = (xs: number[]) => {
  const sorted = Float64Array.from(xs).sort();
  return {
    p50: Number(percentile(sorted, 0.5).toFixed(3)),
    p99: Number(percentile(sorted, 0.99).toFixed(3)),
  };
};

export async function run(argv: string[]): Promise<void> {
  const rates = arg(argv, 'rates', '100,1000').split(',').map(Number);
  const seconds = Number(arg(argv, 'seconds', '3'));
  const keys = Number(arg(argv, 'keys', '100'));
  const cluster = new TestCluster();
  const clients: Client[] = [];
  try {
    const members = await cluster.start(3);
    await waitFor(() => converged(cluster, 3), 30_000, 'the cluster to converge');
    const addr = (ms: typeof members) => ms.map((m) => `${m.host}:${m.port}`);
    const client = async (ms: typeof members, smart: boolean, nearCache: boolean) => {
      const c = await hz.Client.newHazelcastClient({
        network: { clusterMembers: addr(ms), smartRouting: smart },
        ...(nearCache ? { nearCaches: { nc: { invalidateOnChange: true } } } : {}),
        properties: { 'hazelcast.logging.level': 'ERROR' },
      });
      clients.push(c);
      return c.getMap<string, number>('nc');
    };
    const w = await client(members, true, false);
    const readers = [
      await client(members, true, true),
      ...(await Promise.all(members.map((m) => client([m], false, true)))),
    ];
    const readerNames = ['smart', ...members.map((_, n) => `non-smart@member${n + 1}`)];
    const arrivals = readers.map((r) => hookInvalidations(r));
    for (let i = 0; i < keys; i++) await w.set(`k${i}`, -1);
    for (let i = 0; i < keys; i++) for (const r of readers) await r.get(`k${i}`);
    let version = 0;
    for (const rate of rates) {
      const latencies: number[] = [];
      const ackMs: number[] = [];
      const seen = readers.map(() => ({
        visible: [] as number[],
        event: [] as number[],
        refetch: [] as number[],
      }));
      const httpLate: number[] = [];
      const pending: Promise<void>[] = [];
      const writes = Math.max(1, Math.round(rate * seconds));
      // Every write is checked at low rates; a sample of 100/s at high ones (the pollers cost CPU).
      const every = Math.max(1, Math.round(rate / 100));
      const start = performance.now();
      for (let i = 0; i < writes; i++) {
        await sleepUntil(start + (i * 1000) / rate);
        const key = `k${i % keys}`;
        const value = ++version;
        const sampled = i % every === 0;
        const sent = performance.now();
        const write = w.set(key, value).then(async () => {
          if (!sampled) return;
          const acked = performance.now();
          ackMs.push(acked - sent);
          await Promise.all(
            readers.map(async (r, n) => {
              // A later write to the same key also satisfies the check (>=).
              while ((await r.get(key)) < value) await tick();
              const visible = performance.now();
              const event = arrivals[n].get(key) ?? acked;
              seen[n].visible.push(visible - acked);
              seen[n].event.push(event - acked);
              seen[n].refetch.push(visible - Math.max(acked, event));
            }),
          );
          latencies.push(performance.now() - acked);
          // HTTP on a member: the owner waited for members' invalidation acks before acking.
          const m = members[i % members.length];
          const got = await httpGet(m, 'nc', key);
          if (Number(got.body) < value) httpLate.push(value);
        });
        if (rate <= 100) await write;
        else pending.push(write);
      }
      await Promise.all(pending);
      const elapsed = (performance.now() - start) / 1000;
      const sorted = Float64Array.from(latencies).sort();
      console.log(
        JSON.stringify({
          bench: 'cluster-invalidation',
          members: 3,
          readers: readers.length,
          targetRate: rate,
          achievedRate: Math.round(writes / elapsed),
          samples: latencies.length,
          p50Ms: Number(percentile(sorted, 0.5).toFixed(3)),
          p99Ms: Number(percentile(sorted, 0.99).toFixed(3)),
          maxMs: Number(sorted[sorted.length - 1].toFixed(3)),
          p99VsTarget5Ms: Number((percentile(sorted, 0.99) / 5).toFixed(2)),
          httpStaleAfterAck: httpLate.length,
          writeAckMs: stats(ackMs),
          byReader: readerNames.map((reader, n) => ({
            reader,
            visibleMs: stats(seen[n].visible),
            eventAfterAckMs: stats(seen[n].event),
            refetchMs: stats(seen[n].refetch),
          })),
        }),
      );
    }
  } finally {
    await Promise.all(clients.map((c) => c.shutdown().catch(() => undefined)));
    await cluster.stopAll();
  }
}
