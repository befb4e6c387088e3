/** Small wrappers over the foundation SDK builders so each dashboard reads as a list of panels. */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import * as common from '@grafana/grafana-foundation-sdk/common';

/** Every query and variable uses the datasource chosen in the `datasource` variable. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export interface Query {
  expr: string;
  legend?: string;
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

const target = (q: Query, i: number, instant: boolean) => {
  const b = new prometheus.DataqueryBuilder()
    .datasource(DATASOURCE)
    .refId(REF_IDS.charAt(i))
    .expr(q.expr)
    .legendFormat(q.legend ?? '__auto');
  return instant ? b.instant().format(prometheus.PromQueryFormat.Table) : b.range();
};

export interface PanelOptions {
  description: string;
  unit?: string;
  min?: number;
  max?: number;
  width?: number;
  height?: number;
  stack?: boolean;
}

export function timeSeries(title: string, queries: Query[], o: PanelOptions) {
  const p = new timeseries.PanelBuilder()
    .title(title)
    .description(o.description)
    .datasource(DATASOURCE)
    .unit(o.unit ?? 'short')
    .span(o.width ?? 12)
    .height(o.height ?? 8)
    .fillOpacity(10)
    .lineWidth(1)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .calcs(['lastNotNull', 'max']),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi));
  if (o.min !== undefined) p.min(o.min);
  if (o.max !== undefined) p.max(o.max);
  if (o.stack) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  queries.forEach((q, i) => p.withTarget(target(q, i, false)));
  return p;
}

export function statPanel(title: string, query: Query, o: PanelOptions) {
  return new stat.PanelBuilder()
    .title(title)
    .description(o.description)
    .datasource(DATASOURCE)
    .unit(o.unit ?? 'short')
    .span(o.width ?? 4)
    .height(o.height ?? 4)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .withTarget(target(query, 0, false));
}

export function tablePanel(title: string, query: Query, o: PanelOptions) {
  return new table.PanelBuilder()
    .title(title)
    .description(o.description)
    .datasource(DATASOURCE)
    .unit(o.unit ?? 'short')
    .span(o.width ?? 12)
    .height(o.height ?? 8)
    .withTarget(target(query, 0, true))
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true } } });
}

export const row = (title: string) => new dashboard.RowBuilder(title);

/** The `datasource` variable every query refers to. */
export const datasourceVariable = () =>
  new dashboard.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');

/** A label-values variable with multi-select and "All" (matching every value, `.*`). */
export function labelVariable(name: string, label: string, query: string) {
  return new dashboard.QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query({ query, refId: `${name}-values`, qryType: 1 })
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*');
}
