/** Every PromQL expression of a dashboard (panels, rows' panels and variables), for tests. */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

export interface PanelQuery {
  panel: string;
  refId: string;
  expr: string;
}

interface TargetLike {
  expr?: unknown;
  refId?: unknown;
}

interface PanelLike {
  title?: string;
  targets?: TargetLike[];
  panels?: PanelLike[];
}

export function panelQueries(dash: dashboard.Dashboard): PanelQuery[] {
  const panels = (dash.panels ?? []) as PanelLike[];
  const flat = panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  return flat.flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      panel: p.title ?? '(untitled)',
      refId: typeof t.refId === 'string' ? t.refId : '?',
      expr: typeof t.expr === 'string' ? t.expr : '',
    })),
  );
}

/** The `label_values(metric{...}, label)` queries of the dashboard's query variables. */
export function variableQueries(dash: dashboard.Dashboard): { name: string; query: string }[] {
  const vars = (dash.templating?.list ?? []) as {
    name: string;
    type: string;
    definition?: string;
  }[];
  return vars
    .filter((v) => v.type === 'query' && v.definition)
    .map((v) => ({ name: v.name, query: v.definition ?? '' }));
}
