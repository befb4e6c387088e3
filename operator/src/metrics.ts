/** Every operator metric, defined once (names and labels from docs/metrics.md). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** MetadataCaches counted by condition type and status: `Available/True` -> n. */
export type ResourceCounter = () => ReadonlyMap<string, number>;

export function createMetrics() {
  const registry = new Registry();
  let countResources: ResourceCounter | undefined;
  collectDefaultMetrics({ register: registry });
  const reconciles = new Counter({
    name: 'metadatacache_operator_reconciles_total',
    help: 'Reconciles run, by result (success, error, requeue).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const reconcileDuration = new Histogram({
    name: 'metadatacache_operator_reconcile_duration_seconds',
    help: 'Reconcile latency.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const queueDepth = new Gauge({
    name: 'metadatacache_operator_queue_depth',
    help: 'Keys waiting in the work queue.',
    registers: [registry],
  });
  const resources = new Gauge({
    name: 'metadatacache_operator_resources',
    help: 'MetadataCache resources by condition and status.',
    labelNames: ['condition', 'status'] as const,
    registers: [registry],
    // Counted when scraped: counting on every informer event cost O(resources) each time, a
    // quarter of the operator's CPU in a burst of 1000.
    collect() {
      if (!countResources) return;
      for (const [key, n] of countResources()) {
        const [condition, status] = key.split('/') as [string, string];
        this.set({ condition, status }, n);
      }
    },
  });
  const leader = new Gauge({
    name: 'metadatacache_operator_leader',
    help: '1 on the replica holding the leader Lease.',
    registers: [registry],
  });
  const writes = new Counter({
    name: 'metadatacache_operator_writes_total',
    help: 'Apiserver writes (applies, creates, status, events, deletes), by kind and result.',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
  });
  leader.set(0);
  return {
    registry,
    reconciles,
    reconcileDuration,
    queueDepth,
    resources,
    leader,
    writes,
    /** Where the resources gauge gets its counts from at scrape time. */
    countResourcesWith(counter: ResourceCounter): void {
      countResources = counter;
    },
  };
}

export type OperatorMetrics = ReturnType<typeof createMetrics>;
