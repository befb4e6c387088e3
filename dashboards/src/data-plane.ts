/** The data-plane dashboard: what the cache members do, per namespace, cache and map. */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { cacheScope, mapScope, node, quantile, rate, ratio, selector, sumBy } from './selectors.js';
import {
  datasourceVariable,
  labelVariable,
  row,
  statPanel,
  tablePanel,
  timeSeries,
} from './panels.js';

export const DATA_PLANE_UID = 'metadatacache-data-plane';

const cacheSel = selector(cacheScope);
const mapSel = selector(mapScope);

export function dataPlaneDashboard(): dashboard.Dashboard {
  return new dashboard.DashboardBuilder('MetadataCache / Data plane')
    .uid(DATA_PLANE_UID)
    .description(
      'Traffic, latency, hit ratios, capacity, invalidation and partitioning of MetadataCache members.',
    )
    .tags(['metadatacache'])
    .editable()
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .withVariable(datasourceVariable())
    .withVariable(labelVariable('namespace', 'Namespace', `label_values(${node.ready}, namespace)`))
    .withVariable(
      labelVariable(
        'cache',
        'Cache',
        `label_values(${node.ready}{namespace=~"$namespace"}, cache)`,
      ),
    )
    .withVariable(labelVariable('map', 'Map', `label_values(${node.entries}${cacheSel}, map)`))
    .withRow(row('Overview'))
    .withPanel(
      statPanel(
        'Members ready',
        { expr: `sum(${node.ready}${cacheSel})` },
        {
          description: 'Members whose /readyz is OK (metadatacache_ready).',
        },
      ),
    )
    .withPanel(
      statPanel(
        'Operations / s',
        { expr: sumBy([], rate(node.operations, mapScope)) },
        {
          description: 'All operations served, HTTP and Hazelcast protocol.',
          unit: 'ops',
        },
      ),
    )
    .withPanel(
      statPanel(
        'Hit ratio',
        { expr: ratio(node.hits, node.misses, mapScope, []) },
        {
          description: 'Store reads that found a live entry, over all selected maps.',
          unit: 'percentunit',
        },
      ),
    )
    .withPanel(
      statPanel(
        'Error ratio',
        {
          expr: `${sumBy([], rate(node.operations, [...mapScope, 'result=~"error|rejected"']))} / ${sumBy([], rate(node.operations, mapScope))}`,
        },
        {
          description: 'Operations that failed or were refused (bad input, capacity).',
          unit: 'percentunit',
        },
      ),
    )
    .withPanel(
      statPanel(
        'Client connections',
        { expr: `sum(${node.clientConnections}${cacheSel})` },
        {
          description: 'Open Hazelcast client connections over all members.',
        },
      ),
    )
    .withPanel(
      statPanel(
        'Entries',
        { expr: `sum(${node.entries}${mapSel})` },
        {
          description: 'Entries held, owned and backup copies, over all members.',
        },
      ),
    )
    .withRow(row('Traffic and latency'))
    .withPanel(
      timeSeries(
        'Operations / s by operation and result',
        [
          {
            expr: sumBy(['operation', 'result'], rate(node.operations, mapScope)),
            legend: '{{operation}} {{result}}',
          },
        ],
        {
          description:
            'Rate of operations, split by operation and by result (hit/miss, ok, error, rejected).',
          unit: 'ops',
          stack: true,
        },
      ),
    )
    .withPanel(
      timeSeries(
        'Operations / s by API',
        [{ expr: sumBy(['api'], rate(node.operations, mapScope)), legend: '{{api}}' }],
        { description: 'HTTP API versus Hazelcast binary protocol.', unit: 'ops', stack: true },
      ),
    )
    .withPanel(
      timeSeries(
        'Latency quantiles',
        [0.5, 0.95, 0.99].map((q) => ({
          expr: quantile(q, node.operationDuration, mapScope),
          legend: `p${q * 100}`,
        })),
        {
          description: 'Server-side operation latency from the histogram, over all operations.',
          unit: 's',
        },
      ),
    )
    .withPanel(
      timeSeries(
        'p99 latency by operation',
        [
          {
            expr: quantile(0.99, node.operationDuration, mapScope, ['operation']),
            legend: '{{operation}}',
          },
        ],
        { description: '99th percentile server-side latency per operation.', unit: 's' },
      ),
    )
    .withRow(row('Hit ratios'))
    .withPanel(
      timeSeries(
        'Hit ratio per map',
        [{ expr: ratio(node.hits, node.misses, mapScope, ['map']), legend: '{{map}}' }],
        {
          description: 'Store hit ratio per map (hits / (hits + misses)).',
          unit: 'percentunit',
          min: 0,
          max: 1,
        },
      ),
    )
    .withPanel(
      timeSeries(
        'Near-cache hit ratio per map',
        [
          {
            expr: ratio(node.nearCacheHits, node.nearCacheMisses, mapScope, ['map']),
            legend: '{{map}}',
          },
        ],
        {
          description:
            'Member near cache: HTTP reads of keys owned by another member served locally.',
          unit: 'percentunit',
          min: 0,
          max: 1,
        },
      ),
    )
    .withRow(row('Capacity'))
    .withPanel(
      timeSeries(
        'Entries per member vs maxEntries',
        [
          { expr: `max by (map) (${node.entries}${mapSel})`, legend: '{{map}} fullest member' },
          { expr: `max by (map) (${node.maxEntries}${mapSel})`, legend: '{{map}} limit' },
        ],
        {
          description: 'Entries on the fullest member per map, against the configured maxEntries.',
        },
      ),
    )
    .withPanel(
      timeSeries(
        'Bytes per member vs maxSizeBytes',
        [
          { expr: `max by (map) (${node.bytes}${mapSel})`, legend: '{{map}} fullest member' },
          { expr: `max by (map) (${node.maxBytes}${mapSel})`, legend: '{{map}} limit' },
        ],
        {
          description: 'Bytes on the fullest member per map, against the configured maxSizeBytes.',
          unit: 'bytes',
        },
      ),
    )
    .withPanel(
      timeSeries(
        'Evictions and expirations / s',
        [
          { expr: sumBy(['map'], rate(node.evictions, mapScope)), legend: '{{map}} evicted' },
          { expr: sumBy(['map'], rate(node.expirations, mapScope)), legend: '{{map}} expired' },
        ],
        { description: 'Entries removed by the size policy and by TTL/max-idle.', unit: 'ops' },
      ),
    )
    .withPanel(
      tablePanel(
        'Hot keys',
        { expr: `topk(10, max by (map, key) (${node.hotKeyReads}${mapSel}))` },
        { description: 'Most read keys (decayed read counts, top-K per map), largest first.' },
      ),
    )
    .withRow(row('Invalidation'))
    .withPanel(
      timeSeries(
        'Invalidations sent / received / dropped',
        [
          {
            expr: sumBy(['target'], rate(node.invalidationsSent, mapScope)),
            legend: 'sent to {{target}}',
          },
          {
            expr: sumBy([], rate(node.invalidationsReceived, mapScope)),
            legend: 'received from members',
          },
          {
            expr: sumBy(['reason'], rate(node.invalidationsDropped, mapScope)),
            legend: 'dropped: {{reason}}',
          },
        ],
        {
          description:
            'Near-cache invalidation events; any drop means a near cache may be stale until repaired.',
          unit: 'ops',
        },
      ),
    )
    .withPanel(
      timeSeries(
        'Invalidation lag',
        [0.5, 0.99].map((q) => ({
          expr: quantile(q, node.invalidationLag, mapScope),
          legend: `p${q * 100}`,
        })),
        {
          description: "Time from the owner's change to a member applying the invalidation.",
          unit: 's',
        },
      ),
    )
    .withRow(row('Cluster and partitions'))
    .withPanel(
      timeSeries(
        'Members',
        [
          { expr: `sum(${node.ready}${cacheSel})`, legend: 'ready' },
          { expr: `min(${node.clusterMembers}${cacheSel})`, legend: 'smallest member view' },
          { expr: `max(${node.clusterMembers}${cacheSel})`, legend: 'largest member view' },
        ],
        {
          description:
            'Ready members, and the cluster size each member sees (differing views mean a split or a join in progress).',
        },
      ),
    )
    .withPanel(
      timeSeries(
        'Partition table version and partitions owned',
        [
          { expr: `max(${node.partitionTableVersion}${cacheSel})`, legend: 'table version' },
          { expr: `${node.partitionsOwned}${cacheSel}`, legend: 'owned by {{pod}}' },
        ],
        {
          description:
            'The table version rises on every membership change; ownership should be even.',
        },
      ),
    )
    .withPanel(
      timeSeries(
        'Migrations',
        [
          {
            expr: sumBy(['result'], `increase(${node.migrations}${cacheSel}[$__rate_interval])`),
            legend: 'migrations {{result}}',
          },
          {
            expr: sumBy(['direction'], rate(node.migratedEntries, cacheScope)),
            legend: 'entries/s {{direction}}',
          },
        ],
        { description: 'Partition migrations and the entries they moved.' },
      ),
    )
    .withPanel(
      timeSeries(
        'Protocol errors and backup failures / s',
        [
          {
            expr: sumBy(['reason'], rate(node.protocolErrors, cacheScope)),
            legend: 'protocol: {{reason}}',
          },
          { expr: sumBy([], rate(node.backupFailures, cacheScope)), legend: 'backup failures' },
        ],
        {
          description: 'Refused connections/requests and failed synchronous backups.',
          unit: 'ops',
        },
      ),
    )
    .build();
}
