/** The operator dashboard: reconcile loop health, work queue, resource conditions, leadership. */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { operator, operatorScope, quantile, rate, selector, sumBy } from './selectors.js';
import { datasourceVariable, labelVariable, row, statPanel, timeSeries } from './panels.js';

export const OPERATOR_UID = 'metadatacache-operator';

const opSel = selector(operatorScope);

export function operatorDashboard(): dashboard.Dashboard {
  return new dashboard.DashboardBuilder('MetadataCache / Operator')
    .uid(OPERATOR_UID)
    .description(
      'Reconciles, latency, work queue, MetadataCache conditions and leader election of the operator.',
    )
    .tags(['metadatacache'])
    .editable()
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .withVariable(datasourceVariable())
    .withVariable(
      labelVariable(
        'namespace',
        'Operator namespace',
        `label_values(${operator.leader}, namespace)`,
      ),
    )
    .withRow(row('Overview'))
    .withPanel(
      statPanel(
        'Leaders',
        { expr: `sum(${operator.leader}${opSel})` },
        {
          description: 'Replicas holding the leader Lease: exactly 1 is healthy.',
        },
      ),
    )
    .withPanel(
      statPanel(
        'Queue depth',
        { expr: `sum(${operator.queueDepth}${opSel})` },
        {
          description: 'Keys waiting in the work queue of the leader.',
        },
      ),
    )
    .withPanel(
      statPanel(
        'Caches available',
        {
          expr: `sum(${operator.resources}{namespace=~"$namespace", condition="Available", status="True"})`,
        },
        { description: 'MetadataCache resources whose Available condition is True.' },
      ),
    )
    .withRow(row('Reconcile loop'))
    .withPanel(
      timeSeries(
        'Reconciles / s by result',
        [
          {
            expr: sumBy(['result'], rate(operator.reconciles, operatorScope)),
            legend: '{{result}}',
          },
        ],
        {
          description: 'Reconciles run: success, error (retried with backoff) or requeue.',
          unit: 'ops',
          stack: true,
        },
      ),
    )
    .withPanel(
      timeSeries(
        'Reconcile latency',
        [0.5, 0.95, 0.99].map((q) => ({
          expr: quantile(q, operator.reconcileDuration, operatorScope),
          legend: `p${q * 100}`,
        })),
        { description: 'Time for one reconcile, from the histogram.', unit: 's' },
      ),
    )
    .withPanel(
      timeSeries(
        'Work queue depth',
        [{ expr: `max by (pod) (${operator.queueDepth}${opSel})`, legend: '{{pod}}' }],
        {
          description: 'Keys waiting; a queue that keeps growing means reconciles cannot keep up.',
        },
      ),
    )
    .withPanel(
      timeSeries(
        'API writes / s by kind and result',
        [
          {
            expr: sumBy(['kind', 'result'], rate(operator.writes, operatorScope)),
            legend: '{{kind}} {{result}}',
          },
        ],
        {
          description: 'Server-side applies and status writes (unchanged objects are skipped).',
          unit: 'ops',
        },
      ),
    )
    .withRow(row('Resources and leadership'))
    .withPanel(
      timeSeries(
        'Resources by condition',
        [
          {
            expr: sumBy(['condition', 'status'], `${operator.resources}${opSel}`),
            legend: '{{condition}}={{status}}',
          },
        ],
        {
          description:
            'MetadataCache resources by condition (Available/Progressing/Degraded) and status.',
        },
      ),
    )
    .withPanel(
      timeSeries(
        'Leader',
        [{ expr: `max by (pod) (${operator.leader}${opSel})`, legend: '{{pod}}' }],
        { description: '1 on the replica holding the leader Lease.', min: 0, max: 1 },
      ),
    )
    .withPanel(
      timeSeries(
        'Operator memory',
        [
          {
            expr: `max by (pod) (process_resident_memory_bytes${opSel} and on (namespace, pod) ${operator.leader})`,
            legend: '{{pod}}',
          },
        ],
        { description: 'Resident memory of each operator replica.', unit: 'bytes' },
      ),
    )
    .build();
}
