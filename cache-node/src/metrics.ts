/**
 * Every cache-node metric (docs/metrics.md, "Cache node"), defined once on a per-node registry so
 * several nodes can live in one test process. Store-derived values are read at scrape time
 * (collect), from the store's cumulative totals and windowed stats; everything else is updated by
 * the component that sees it (HTTP and protocol servers, cluster) through the fields below.
 * Metrics updated per request or per event are cell metrics (metric-cells.ts): no label hashing
 * on the request path; rare ones (migrations, gauges set on connect) are plain prom-client.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { keyToDisplay } from './data/index.js';
import {
  CellCounter,
  CellHistogram,
  type CounterCell,
  type HistogramCell,
} from './metric-cells.js';
import type { StoreApi } from './store/types.js';

export const METRIC_PREFIX = 'metadatacache_';

export type Api = 'http' | 'hazelcast';
export type Operation =
  | 'get'
  | 'put'
  | 'set'
  | 'put_if_absent'
  | 'remove'
  | 'delete'
  | 'contains_key'
  | 'get_all'
  | 'put_all'
  | 'clear'
  | 'size'
  | 'evict'
  | 'evict_all'
  | 'replace'
  | 'replace_if_same'
  | 'remove_if_same'
  | 'set_ttl'
  | 'try_put'
  | 'try_remove'
  | 'contains_value'
  | 'key_set'
  | 'values'
  | 'entry_set';
export type OperationResult = 'hit' | 'miss' | 'ok' | 'error' | 'rejected';

const APIS: readonly Api[] = ['http', 'hazelcast'];
const OPERATIONS: readonly Operation[] = [
  'get',
  'put',
  'set',
  'put_if_absent',
  'remove',
  'delete',
  'contains_key',
  'get_all',
  'put_all',
  'clear',
  'size',
  'evict',
  'evict_all',
  'replace',
  'replace_if_same',
  'remove_if_same',
  'set_ttl',
  'try_put',
  'try_remove',
  'contains_value',
  'key_set',
  'values',
  'entry_set',
];
const RESULTS: readonly OperationResult[] = ['hit', 'miss', 'ok', 'error', 'rejected'];
const indexOf = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v, i) => [v, i])) as Record<T, number>;
const API_INDEX = indexOf(APIS);
const OPERATION_INDEX = indexOf(OPERATIONS);
const RESULT_INDEX = indexOf(RESULTS);
/** Series of one map's operation metrics: (api, operation) for the histogram, × result for the counter. */
const OPERATION_SERIES = APIS.length * OPERATIONS.length;
export type ProtocolErrorReason =
  | 'bad_preamble'
  | 'malformed_frame'
  | 'frame_too_large'
  | 'unauthenticated'
  | 'auth_failed'
  | 'unknown_message';

/** 25 µs to 1 s: cache operations are sub-millisecond when healthy. */
export const OPERATION_BUCKETS = [
  0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
  0.5, 1,
];
const HOT_KEY_LABEL_CHARS = 64;

export interface NodeMetrics {
  readonly registry: Registry;
  /** Count one served operation and its server-side latency. */
  observeOperation(
    api: Api,
    map: string,
    operation: Operation,
    result: OperationResult,
    seconds: number,
  ): void;
  /** Prometheus text exposition. */
  text(): Promise<string>;
  readonly contentType: string;
  // Per-request and per-event metrics: label sets resolved once (metric-cells.ts).
  readonly nearCacheHits: CellCounter<'map'>;
  readonly nearCacheMisses: CellCounter<'map'>;
  readonly invalidationsSent: CellCounter<'map' | 'target'>;
  readonly invalidationsReceived: CellCounter<'map'>;
  readonly invalidationsDropped: CellCounter<'map' | 'reason'>;
  readonly invalidationLag: CellHistogram<'map'>;
  readonly clientConnections: Gauge;
  readonly protocolErrors: CellCounter<'reason'>;
  readonly clusterMembers: Gauge;
  readonly partitionTableVersion: Gauge;
  readonly partitionsOwned: Gauge;
  readonly migrations: Counter<'result'>;
  readonly migratedEntries: Counter<'direction'>;
  readonly backupFailures: Counter;
}

export interface MetricsOptions {
  store: StoreApi;
  /** prom-client process metrics (`process_*`, `nodejs_*`); default true. */
  processMetrics?: boolean;
  /** Readiness, read at scrape time for `metadatacache_ready` (default: always 0). */
  isReady?: () => boolean;
}

type Totals = ReturnType<NonNullable<ReturnType<StoreApi['getMap']>>['totals']>;

export function createNodeMetrics({
  store,
  processMetrics = true,
  isReady = () => false,
}: MetricsOptions): NodeMetrics {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const name = (n: string) => `${METRIC_PREFIX}${n}`;

  const maps = () =>
    store.mapNames().flatMap((n) => {
      const m = store.getMap(n);
      return m ? [m] : [];
    });

  /** A counter mirroring one cumulative store total per map (reset then set at each scrape). */
  const storeCounter = (metric: string, help: string, pick: (t: Totals) => number) =>
    new Counter({
      name: name(metric),
      help,
      labelNames: ['map'],
      registers,
      collect() {
        this.reset();
        for (const m of maps()) this.inc({ map: m.name }, pick(m.totals()));
      },
    });

  storeCounter('cache_hits_total', 'Store reads that found a live entry.', (t) => t.hits);
  storeCounter('cache_misses_total', 'Store reads that found nothing.', (t) => t.misses);
  storeCounter('puts_total', 'Writes stored.', (t) => t.puts);
  storeCounter('removals_total', 'Entries removed by a delete/remove.', (t) => t.removals);
  storeCounter('evictions_total', 'Entries evicted by the size policy.', (t) => t.evictions);
  storeCounter('expirations_total', 'Entries expired by TTL or max-idle.', (t) => t.expirations);

  /** A per-map gauge read at scrape time; `undefined`/null values leave the series absent. */
  const storeGauge = (
    metric: string,
    help: string,
    pick: (m: ReturnType<typeof maps>[number]) => number | null | undefined,
  ) =>
    new Gauge({
      name: name(metric),
      help,
      labelNames: ['map'],
      registers,
      collect() {
        this.reset();
        for (const m of maps()) {
          const value = pick(m);
          if (value !== null && value !== undefined) this.set({ map: m.name }, value);
        }
      },
    });

  storeGauge('entries', 'Entries held on this member (owned + backup).', (m) => m.size);
  storeGauge('bytes', 'Bytes held (keys + values + measured overhead).', (m) => m.bytes);
  storeGauge('max_entries', 'Configured maxEntries.', (m) => m.settings.maxEntries);
  storeGauge('max_bytes', 'Configured maxSizeBytes.', (m) => m.settings.maxSizeBytes);
  storeGauge('hit_ratio', 'Hit ratio over the statistics window.', (m) => m.stats().hitRatio);

  new Gauge({
    name: name('hot_key_reads'),
    help: 'Decayed read count of the top-K keys.',
    labelNames: ['map', 'rank', 'key'],
    registers,
    collect() {
      this.reset();
      for (const m of maps()) {
        m.hotKeys().forEach((hot, i) => {
          const key = keyToDisplay(hot.key).slice(0, HOT_KEY_LABEL_CHARS);
          this.set({ map: m.name, rank: String(i + 1), key }, hot.score);
        });
      }
    },
  });

  new Gauge({
    name: name('recommendation'),
    help: '1 while a tuning recommendation is active.',
    labelNames: ['map', 'recommendation'],
    registers,
    collect() {
      this.reset();
      for (const r of store.recommendations()) this.set({ map: r.map, recommendation: r.id }, 1);
    },
  });

  new Gauge({
    name: name('ready'),
    help: '1 when the member serves traffic (same as /readyz).',
    registers,
    collect() {
      this.set(isReady() ? 1 : 0);
    },
  });

  const operations = new CellCounter({
    name: name('operations_total'),
    help: 'Operations served, by API, operation and result.',
    labelNames: ['map', 'api', 'operation', 'result'],
    registers,
  });
  const duration = new CellHistogram({
    name: name('operation_duration_seconds'),
    help: 'Server-side latency of an operation.',
    labelNames: ['map', 'api', 'operation'],
    buckets: OPERATION_BUCKETS,
    registers,
  });
  /** Per map, its series by index (see OPERATION_SERIES), resolved on first use. */
  const operationCells = new Map<
    string,
    { counts: (CounterCell | undefined)[]; durations: (HistogramCell | undefined)[] }
  >();

  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    observeOperation(api, map, operation, result, seconds) {
      let cells = operationCells.get(map);
      if (!cells) {
        // Filled arrays stay packed (no holes), which keeps the indexed reads fast.
        cells = {
          counts: new Array<CounterCell | undefined>(OPERATION_SERIES * RESULTS.length).fill(
            undefined,
          ),
          durations: new Array<HistogramCell | undefined>(OPERATION_SERIES).fill(undefined),
        };
        operationCells.set(map, cells);
      }
      const series = API_INDEX[api] * OPERATIONS.length + OPERATION_INDEX[operation];
      const count = series * RESULTS.length + RESULT_INDEX[result];
      (cells.counts[count] ??= operations.cell({ map, api, operation, result })).value++;
      (cells.durations[series] ??= duration.cell({ map, api, operation })).observe(seconds);
    },
    nearCacheHits: new CellCounter({
      name: name('near_cache_hits_total'),
      help: 'Member near-cache hits.',
      labelNames: ['map'],
      registers,
    }),
    nearCacheMisses: new CellCounter({
      name: name('near_cache_misses_total'),
      help: 'Member near-cache misses.',
      labelNames: ['map'],
      registers,
    }),
    invalidationsSent: new CellCounter({
      name: name('invalidations_sent_total'),
      help: 'Invalidation events sent.',
      labelNames: ['map', 'target'],
      registers,
    }),
    invalidationsReceived: new CellCounter({
      name: name('invalidations_received_total'),
      help: 'Invalidation events received from other members.',
      labelNames: ['map'],
      registers,
    }),
    invalidationsDropped: new CellCounter({
      name: name('invalidations_dropped_total'),
      help: 'Invalidations that could not be delivered.',
      labelNames: ['map', 'reason'],
      registers,
    }),
    invalidationLag: new CellHistogram({
      name: name('invalidation_lag_seconds'),
      help: "Time from the owner's change to this member applying the invalidation.",
      labelNames: ['map'],
      buckets: OPERATION_BUCKETS,
      registers,
    }),
    clientConnections: new Gauge({
      name: name('client_connections'),
      help: 'Open Hazelcast client connections.',
      registers,
    }),
    protocolErrors: new CellCounter({
      name: name('protocol_errors_total'),
      help: 'Connections closed or requests refused for bad input.',
      labelNames: ['reason'],
      registers,
    }),
    clusterMembers: new Gauge({
      name: name('cluster_members'),
      help: "Members in this member's view of the cluster.",
      registers,
    }),
    partitionTableVersion: new Gauge({
      name: name('partition_table_version'),
      help: 'Version of the partition table this member uses.',
      registers,
    }),
    partitionsOwned: new Gauge({
      name: name('partitions_owned'),
      help: 'Partitions this member owns.',
      registers,
    }),
    migrations: new Counter({
      name: name('migrations_total'),
      help: 'Partition migrations this member took part in.',
      labelNames: ['result'],
      registers,
    }),
    migratedEntries: new Counter({
      name: name('migrated_entries_total'),
      help: 'Entries moved by migrations.',
      labelNames: ['direction'],
      registers,
    }),
    backupFailures: new Counter({
      name: name('backup_failures_total'),
      help: 'Synchronous backups that failed or timed out.',
      registers,
    }),
  };
}
