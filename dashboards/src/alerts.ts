/**
 * Alert rules for the chart's PrometheusRule, built from the same metric names and selectors as the
 * dashboards. Aggregated by namespace and cache, so one alert fires per cache.
 */
import { node, operator, quantile, rate, sumBy } from './selectors.js';

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: 'critical' | 'warning' | 'info' };
  annotations: { summary: string; description: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

const perCache = ['namespace', 'cache'];
const W = '5m';

export const alertGroups: RuleGroup[] = [
  {
    name: 'metadatacache.nodes',
    rules: [
      {
        alert: 'MetadataCacheMemberNotReady',
        expr: `${node.ready} == 0`,
        for: '5m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'A MetadataCache member is not ready',
          description:
            'Member {{ $labels.pod }} of {{ $labels.namespace }}/{{ $labels.cache }} has not been ready for 5 minutes.',
        },
      },
      {
        alert: 'MetadataCacheMembershipDisagreement',
        expr: `max by (namespace, cache) (${node.clusterMembers}) != min by (namespace, cache) (${node.clusterMembers})`,
        for: '5m',
        labels: { severity: 'critical' },
        annotations: {
          summary: 'MetadataCache members disagree about the cluster',
          description:
            'Members of {{ $labels.namespace }}/{{ $labels.cache }} have seen different member counts for 5 minutes (split brain or a stuck join).',
        },
      },
      {
        alert: 'MetadataCacheHighErrorRatio',
        expr: `${sumBy(perCache, rate(node.operations, ['result="error"'], W))} / ${sumBy(perCache, rate(node.operations, [], W))} > 0.01`,
        for: '10m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'MetadataCache operations fail',
          description:
            'More than 1% of operations of {{ $labels.namespace }}/{{ $labels.cache }} end in an error ({{ $value | humanizePercentage }}).',
        },
      },
      {
        alert: 'MetadataCacheHighLatency',
        expr: `${quantile(0.99, node.operationDuration, [], perCache, W)} > 0.05`,
        for: '10m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'MetadataCache p99 latency is high',
          description:
            'p99 server-side latency of {{ $labels.namespace }}/{{ $labels.cache }} is {{ $value | humanizeDuration }} (threshold 50ms).',
        },
      },
      {
        alert: 'MetadataCacheNearlyFull',
        expr: `max by (namespace, cache, map) (${node.entries} / ${node.maxEntries}) > 0.95 and on (namespace, cache, map) ${sumBy(['namespace', 'cache', 'map'], rate(node.evictions, [], W))} > 0`,
        for: '15m',
        labels: { severity: 'info' },
        annotations: {
          summary: 'A MetadataCache map is full and evicting',
          description:
            'Map {{ $labels.map }} of {{ $labels.namespace }}/{{ $labels.cache }} is above 95% of maxEntries and evicting; consider a larger limit or more members.',
        },
      },
      {
        alert: 'MetadataCacheInvalidationsDropped',
        expr: `${sumBy(perCache, rate(node.invalidationsDropped, [], W))} > 0`,
        for: '5m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'MetadataCache drops near-cache invalidations',
          description:
            '{{ $labels.namespace }}/{{ $labels.cache }} drops invalidations; near caches may serve stale values until repaired.',
        },
      },
      {
        alert: 'MetadataCacheBackupFailures',
        expr: `${sumBy(perCache, rate(node.backupFailures, [], W))} > 0`,
        for: '5m',
        labels: { severity: 'critical' },
        annotations: {
          summary: 'MetadataCache synchronous backups fail',
          description:
            'Backups of {{ $labels.namespace }}/{{ $labels.cache }} fail or time out; a member loss could lose data.',
        },
      },
      {
        alert: 'MetadataCacheMigrationsFailing',
        expr: `${sumBy(perCache, `increase(${node.migrations}{result="failed"}[15m])`)} > 0`,
        for: '0m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'MetadataCache partition migrations fail',
          description:
            '{{ $value }} partition migrations of {{ $labels.namespace }}/{{ $labels.cache }} failed in the last 15 minutes.',
        },
      },
    ],
  },
  {
    name: 'metadatacache.operator',
    rules: [
      {
        alert: 'MetadataCacheOperatorNoLeader',
        expr: `sum by (namespace) (${operator.leader}) != 1`,
        for: '5m',
        labels: { severity: 'critical' },
        annotations: {
          summary: 'The MetadataCache operator has no single leader',
          description:
            '{{ $value }} operator replicas in {{ $labels.namespace }} hold the leader Lease (expected exactly 1); caches are not reconciled.',
        },
      },
      {
        alert: 'MetadataCacheOperatorReconcileErrors',
        expr: `${sumBy(['namespace'], rate(operator.reconciles, ['result="error"'], W))} / ${sumBy(['namespace'], rate(operator.reconciles, [], W))} > 0.1`,
        for: '15m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'MetadataCache reconciles fail',
          description:
            'More than 10% of reconciles in {{ $labels.namespace }} fail; see the MetadataCache status conditions and events.',
        },
      },
      {
        alert: 'MetadataCacheOperatorQueueBacklog',
        expr: `max by (namespace) (${operator.queueDepth}) > 100`,
        for: '15m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'MetadataCache operator work queue is backed up',
          description:
            '{{ $value }} keys wait in the operator queue in {{ $labels.namespace }} for 15 minutes.',
        },
      },
      {
        alert: 'MetadataCacheDegraded',
        expr: `${operator.resources}{condition="Degraded", status="True"} > 0`,
        for: '10m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'MetadataCache resources are Degraded',
          description:
            '{{ $value }} MetadataCache resources report Degraded=True; `kubectl get mdc -A` shows which and why.',
        },
      },
    ],
  },
];
