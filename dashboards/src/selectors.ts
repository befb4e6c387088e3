/**
 * Metric names (docs/metrics.md) and label selectors shared by the dashboards and the alert rules,
 * so that both always query the same series.
 */

/** Cache-node metrics; names exactly as in docs/metrics.md. */
export const node = {
  operations: 'metadatacache_operations_total',
  operationDuration: 'metadatacache_operation_duration_seconds',
  hits: 'metadatacache_cache_hits_total',
  misses: 'metadatacache_cache_misses_total',
  puts: 'metadatacache_puts_total',
  evictions: 'metadatacache_evictions_total',
  expirations: 'metadatacache_expirations_total',
  entries: 'metadatacache_entries',
  bytes: 'metadatacache_bytes',
  maxEntries: 'metadatacache_max_entries',
  maxBytes: 'metadatacache_max_bytes',
  hotKeyReads: 'metadatacache_hot_key_reads',
  nearCacheHits: 'metadatacache_near_cache_hits_total',
  nearCacheMisses: 'metadatacache_near_cache_misses_total',
  invalidationsSent: 'metadatacache_invalidations_sent_total',
  invalidationsReceived: 'metadatacache_invalidations_received_total',
  invalidationsDropped: 'metadatacache_invalidations_dropped_total',
  invalidationLag: 'metadatacache_invalidation_lag_seconds',
  clientConnections: 'metadatacache_client_connections',
  protocolErrors: 'metadatacache_protocol_errors_total',
  clusterMembers: 'metadatacache_cluster_members',
  partitionTableVersion: 'metadatacache_partition_table_version',
  partitionsOwned: 'metadatacache_partitions_owned',
  migrations: 'metadatacache_migrations_total',
  migratedEntries: 'metadatacache_migrated_entries_total',
  backupFailures: 'metadatacache_backup_failures_total',
  ready: 'metadatacache_ready',
} as const;

/** Operator metrics; names exactly as in docs/metrics.md. */
export const operator = {
  reconciles: 'metadatacache_operator_reconciles_total',
  reconcileDuration: 'metadatacache_operator_reconcile_duration_seconds',
  queueDepth: 'metadatacache_operator_queue_depth',
  resources: 'metadatacache_operator_resources',
  leader: 'metadatacache_operator_leader',
  writes: 'metadatacache_operator_writes_total',
} as const;

/** Label matchers: a list of `label op "value"` strings joined into `{...}`. */
export type Matchers = readonly string[];

export const selector = (matchers: Matchers): string =>
  matchers.length === 0 ? '' : `{${matchers.join(', ')}}`;

/** Dashboard scope: the namespace/cache variables (and the map variable for per-map metrics). */
export const cacheScope: Matchers = ['namespace=~"$namespace"', 'cache=~"$cache"'];
export const mapScope: Matchers = [...cacheScope, 'map=~"$map"'];
export const operatorScope: Matchers = ['namespace=~"$namespace"'];

/** Grafana's rate window macro: at least four scrape intervals, so `rate()` always has samples. */
export const RATE_INTERVAL = '$__rate_interval';

export const rate = (metric: string, matchers: Matchers, window = RATE_INTERVAL): string =>
  `rate(${metric}${selector(matchers)}[${window}])`;

/** `sum by (labels) (inner)`, or a plain `sum (inner)` without labels. */
export const sumBy = (labels: readonly string[], inner: string): string =>
  labels.length === 0 ? `sum(${inner})` : `sum by (${labels.join(', ')}) (${inner})`;

/** A quantile from a histogram's buckets, aggregated over the given labels. */
export const quantile = (
  q: number,
  histogram: string,
  matchers: Matchers,
  by: readonly string[] = [],
  window = RATE_INTERVAL,
): string =>
  `histogram_quantile(${q}, ${sumBy(['le', ...by], rate(`${histogram}_bucket`, matchers, window))})`;

/** hits / (hits + misses) over a window, per the given labels. */
export const ratio = (
  hitsMetric: string,
  missesMetric: string,
  matchers: Matchers,
  by: readonly string[],
  window = RATE_INTERVAL,
): string => {
  const hits = sumBy(by, rate(hitsMetric, matchers, window));
  const misses = sumBy(by, rate(missesMetric, matchers, window));
  return `${hits} / (${hits} + ${misses})`;
};
