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
 * Next to the figures, each rate reports what could have made samples slow: the node's GC pauses
 * and event-loop delay during the rate (from its /metrics, scraped before and after), the same
 * for the benchmark process, and with `--attribute` (Linux) how long the node's and this
 * process's main threads waited for a CPU during every sample over 2 ms (run-queue time from
 * /proc/PID/task/PID/schedstat; reading it costs ~20 µs per sample, so it is off by default).
 * `bareRoundTrip` is the machine's floor measured right after each rate at the same pace: a bare
 * Node echo server in its own process, one small message per sample (lib/echo-floor.ts); the
 * visibility figure is one client round trip plus the protocol's work, so `p99VsBare` says how
 * much of the tail is ours.
 *
 * `--hazelcast` measures the same writes, right after ours at each rate, against a Hazelcast
 * 5.5.0 member (invalidation batching off) with its own writer and reader, the reference the
 * issue compares with (`hazelcast`, `p99VsHazelcast`).
 *
 *   npm run bench -- invalidation-latency [--rates 10,100,1000] [--seconds 3] [--min-samples 200]
 *                                         [--warmup 2] [--keys 100] [--attribute] [--hazelcast]
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import hz from 'hazelcast-client';
import {
  hazelcastUnavailable,
  startHazelcast,
  startMetadataCache,
  type Target,
} from '../integration/conformance/support/targets.js';
import { flag as arg, percentile, sleepUntil, tick } from './lib/cli.js';
import { startEchoFloor } from './lib/echo-floor.js';

/** A sample slower than this is the target's miss (docs/protocol.md). */
const SLOW_MS = 2;
/** Run-queue wait that counts as the reason a slow sample was slow. */
const WAITED_MS = 0.5;
/**
 * Event-loop delay is sampled by a timer of this period (prom-client's default, and ours below);
 * the histogram holds whole periods, so lateness is the maximum minus the period.
 */
const LOOP_RESOLUTION_MS = 10;

/** Milliseconds the main thread of `pid` has waited for a CPU since it started (Linux). */
function runQueueMs(pid: number): number {
  const [, waitNs] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ');
  return Number(waitNs) / 1e6;
}

/** GC pauses and event-loop delay of a node process, from its Prometheus text (prom-client defaults). */
interface ProcessHealth {
  gcPauses: number;
  gcMs: number;
  /** How late the event loop ran a timer, at most. */
  loopLateMaxMs: number;
}

function nodeHealth(text: string): ProcessHealth {
  const sum = (metric: string) =>
    [...text.matchAll(new RegExp(`^${metric}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'gm'))].reduce(
      (a, m) => a + Number(m[1]),
      0,
    );
  return {
    gcPauses: sum('nodejs_gc_duration_seconds_count'),
    gcMs: sum('nodejs_gc_duration_seconds_sum') * 1000,
    // Reset by every scrape: the maximum since the previous one.
    loopLateMaxMs: Math.max(0, sum('nodejs_eventloop_lag_max_seconds') * 1000 - LOOP_RESOLUTION_MS),
  };
}

const round3 = (x: number) => Number(x.toFixed(3));

export const defaultArgs = ['--seconds', '2'];

type Client = Awaited<ReturnType<typeof hz.Client.newHazelcastClient>>;
/** Writer A's and near-cached reader B's view of the same map. */
interface Pair {
  w: hz.IMap<string, number>;
  r: hz.IMap<string, number>;
}

/** p50/p99/max and samples over SLOW_MS of visibility latencies (ms). */
function summary(latencies: number[]) {
  const sorted = Float64Array.from(latencies).sort();
  return {
    p50Ms: round3(percentile(sorted, 0.5)),
    p99Ms: round3(percentile(sorted, 0.99)),
    maxMs: round3(sorted[sorted.length - 1]),
    [`over${SLOW_MS}Ms`]: sorted.filter((x) => x > SLOW_MS).length,
  };
}

export async function run(argv: string[]): Promise<void> {
  const rates = arg(argv, 'rates', '10,100,1000').split(',').map(Number);
  const seconds = Number(arg(argv, 'seconds', '3'));
  const keys = Number(arg(argv, 'keys', '100'));
  const minSamples = Number(arg(argv, 'min-samples', '200'));
  const warmupSeconds = Number(arg(argv, 'warmup', '2'));
  const attribute = argv.includes('--attribute');
  const withHazelcast = argv.includes('--hazelcast');
  const target = await startMetadataCache();
  const nodePid = target.pid!;
  const scrape = async () => nodeHealth(await (await fetch(`${target.httpUrl}/metrics`)).text());
  // This process's own pauses, for the same comparison.
  const gc = { pauses: 0, ms: 0 };
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.pauses++;
      gc.ms += e.duration;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loopDelay.enable();
  const cfg = (nearCache: boolean, t: Target = target) => ({
    network: { clusterMembers: [`${t.host}:${t.port}`] },
    ...(nearCache ? { nearCaches: { nc: { invalidateOnChange: true } } } : {}),
    properties: { 'hazelcast.logging.level': 'ERROR' },
  });
  const writer = await hz.Client.newHazelcastClient(cfg(false));
  const reader = await hz.Client.newHazelcastClient(cfg(true));
  const floor = await startEchoFloor();
  /** The reference: a Hazelcast member with its own writer and near-cached reader. */
  let reference: { target: Target; clients: Client[] } | undefined;
  try {
    const pairOf = async (a: Client, b: Client): Promise<Pair> => {
      const pair = {
        w: await a.getMap<string, number>('nc'),
        r: await b.getMap<string, number>('nc'),
      };
      for (let i = 0; i < keys; i++) await pair.w.set(`k${i}`, -1);
      for (let i = 0; i < keys; i++) await pair.r.get(`k${i}`); // B caches every key
      return pair;
    };
    const ours = await pairOf(writer, reader);
    let theirs: Pair | undefined;
    if (withHazelcast) {
      const why = hazelcastUnavailable();
      if (why)
        console.log(
          JSON.stringify({ bench: 'invalidation-latency', hazelcast: `skipped: ${why}` }),
        );
      else {
        const t = await startHazelcast();
        reference = { target: t, clients: [] };
        for (const nearCache of [false, true]) {
          reference.clients.push(await hz.Client.newHazelcastClient(cfg(nearCache, t)));
        }
        theirs = await pairOf(reference.clients[0], reference.clients[1]);
      }
    }
    let version = 0;
    /** `writes` writes paced at `rate` per second; the visibility latencies (ms) and duration. */
    /** Samples over SLOW_MS, by which process waited for a CPU during them (with --attribute). */
    const slow = { nodeWaited: 0, benchWaited: 0, neither: 0 };
    const measure = async (rate: number, writes: number, pair: Pair = ours) => {
      const { w, r } = pair;
      // Run-queue attribution is for our node (and this process) only.
      const attributing = attribute && pair === ours;
      const latencies: number[] = [];
      slow.nodeWaited = slow.benchWaited = slow.neither = 0;
      const polls: Promise<void>[] = [];
      const start = performance.now();
      for (let i = 0; i < writes; i++) {
        await sleepUntil(start + (i * 1000) / rate);
        const key = `k${i % keys}`;
        const value = ++version;
        const write = w.set(key, value).then(() => {
          const acked = performance.now();
          const waited = attributing ? [runQueueMs(nodePid), runQueueMs(process.pid)] : [];
          polls.push(
            (async () => {
              // A later write to the same key also satisfies the check (>=).
              while ((await r.get(key)) < value) await tick();
              const ms = performance.now() - acked;
              latencies.push(ms);
              if (attributing && ms > SLOW_MS) {
                const node = runQueueMs(nodePid) - waited[0];
                const bench = runQueueMs(process.pid) - waited[1];
                if (node >= WAITED_MS) slow.nodeWaited++;
                if (bench >= WAITED_MS) slow.benchWaited++;
                if (node < WAITED_MS && bench < WAITED_MS) slow.neither++;
              }
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
    if (warmupSeconds > 0) {
      await measure(200, Math.round(200 * warmupSeconds));
      if (theirs) await measure(200, Math.round(200 * warmupSeconds), theirs);
    }
    for (const rate of rates) {
      const writes = Math.max(1, Math.round(rate * seconds), minSamples);
      const nodeBefore = await scrape();
      const gcBefore = { ...gc };
      loopDelay.reset();
      const { latencies, elapsed } = await measure(rate, writes);
      const nodeAfter = await scrape();
      // The floor at the same rate and sample count, right after (same machine state).
      const bare = await floor.measure(rate, latencies.length);
      const sorted = Float64Array.from(latencies).sort();
      // The same writes against the Hazelcast member, right after.
      const ref = theirs ? summary((await measure(rate, writes, theirs)).latencies) : undefined;
      console.log(
        JSON.stringify({
          bench: 'invalidation-latency',
          targetRate: rate,
          achievedRate: Math.round(writes / elapsed),
          samples: latencies.length,
          p50Ms: round3(percentile(sorted, 0.5)),
          p99Ms: round3(percentile(sorted, 0.99)),
          // Nearest rank: with 200 samples the p99 is the 2nd-slowest sample.
          p99IsNthSlowest:
            sorted.length - Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length)),
          maxMs: round3(sorted[sorted.length - 1]),
          [`over${SLOW_MS}Ms`]: sorted.filter((x) => x > SLOW_MS).length,
          bareRoundTrip: bare,
          p99VsBare: round3(percentile(sorted, 0.99) / bare.p99Ms),
          ...(ref
            ? { hazelcast: ref, p99VsHazelcast: round3(percentile(sorted, 0.99) / ref.p99Ms) }
            : {}),
          ...(attribute ? { slowSamplesWhere: { ...slow } } : {}),
          nodeProcess: {
            gcPauses: nodeAfter.gcPauses - nodeBefore.gcPauses,
            gcMs: round3(nodeAfter.gcMs - nodeBefore.gcMs),
            loopLateMaxMs: round3(nodeAfter.loopLateMaxMs),
          },
          benchProcess: {
            gcPauses: gc.pauses - gcBefore.pauses,
            gcMs: round3(gc.ms - gcBefore.ms),
            loopLateMaxMs: round3(Math.max(0, loopDelay.max / 1e6 - LOOP_RESOLUTION_MS)),
          },
        }),
      );
    }
  } finally {
    floor.close();
    if (reference) {
      await Promise.all(reference.clients.map((c) => c.shutdown()));
      await reference.target.stop();
    }
    gcObserver.disconnect();
    loopDelay.disable();
    await reader.shutdown();
    await writer.shutdown();
    await target.stop();
  }
}
