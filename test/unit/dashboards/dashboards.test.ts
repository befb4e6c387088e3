import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { alertGroups } from '../../../dashboards/src/alerts.js';
import {
  metricNames,
  promqlSyntaxErrors,
  substituteGrafana,
} from '../../../dashboards/src/promql.js';
import { panelQueries, variableQueries } from '../../../dashboards/src/queries.js';
import { dashboards, renderAll } from '../../../dashboards/src/render.js';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** Metric names documented in docs/metrics.md (first column of its tables). */
const documented = new Set(
  [...read('docs/metrics.md').matchAll(/^\| `([a-z_]+)`/gm)].map((m) => m[1]),
);
/** Series names a documented metric exposes (histograms add _bucket/_sum/_count). */
const exposes = (name: string) =>
  documented.has(name) ||
  ['_bucket', '_sum', '_count'].some(
    (s) => name.endsWith(s) && documented.has(name.slice(0, -s.length)),
  );

const asPromql = (expr: string) =>
  substituteGrafana(expr, {
    rateInterval: '1m',
    variables: { namespace: '.*', cache: '.*', map: '.*', datasource: 'prometheus' },
  });

const all = Object.entries(dashboards());
const queries = all.flatMap(([stem, d]) => panelQueries(d).map((q) => ({ stem, ...q })));

describe('generated dashboard files', () => {
  it.each([...renderAll()].map(([path, content]) => ({ path, content })))(
    '$path is up to date (run `npm run gen:dashboards`)',
    ({ path, content }) => {
      expect(read(path)).toBe(content);
    },
  );
});

describe('dashboards', () => {
  it('have stable, distinct UIDs', () => {
    expect(all.map(([, d]) => d.uid)).toEqual([
      'metadatacache-data-plane',
      'metadatacache-operator',
    ]);
  });

  it.each(all)('%s has a datasource variable that every query uses', (_stem, d) => {
    const vars = d.templating?.list ?? [];
    expect(vars.find((v) => v.name === 'datasource')?.type).toBe('datasource');
    const panels = (d.panels ?? []) as { type: string; datasource?: { uid?: string } }[];
    for (const p of panels.filter((p) => p.type !== 'row')) {
      expect(p.datasource?.uid).toBe('${datasource}');
    }
  });

  it('data plane has namespace, cache and map variables; operator has namespace', () => {
    const names = (stem: string) => (dashboards()[stem].templating?.list ?? []).map((v) => v.name);
    expect(names('data-plane')).toEqual(['datasource', 'namespace', 'cache', 'map']);
    expect(names('operator')).toEqual(['datasource', 'namespace']);
  });

  it('every panel has a title, a description and at least one query', () => {
    for (const [, d] of all) {
      const panels = (d.panels ?? []) as {
        type: string;
        title?: string;
        description?: string;
        targets?: unknown[];
      }[];
      for (const p of panels.filter((p) => p.type !== 'row')) {
        expect(p.title).toBeTruthy();
        expect(p.description).toBeTruthy();
        expect(p.targets?.length).toBeGreaterThan(0);
      }
    }
  });

  it('covers the required topics', () => {
    const titles = queries.map((q) => q.panel).join('\n');
    for (const topic of [
      /by operation and result/,
      /Latency quantiles/,
      /Hit ratio per map/,
      /Near-cache hit ratio/,
      /vs maxEntries/,
      /vs maxSizeBytes/,
      /Evictions and expirations/,
      /Hot keys/,
      /Invalidations sent \/ received \/ dropped/,
      /Invalidation lag/,
      /Migrations/,
      /Partition table version/,
      /Members/,
      /Reconciles \/ s by result/,
      /Reconcile latency/,
      /queue depth/i,
      /Resources by condition/,
      /Leader/,
    ]) {
      expect(titles).toMatch(topic);
    }
  });

  it.each(queries)('$stem "$panel" $refId parses as PromQL', ({ expr }) => {
    expect(promqlSyntaxErrors(asPromql(expr))).toEqual([]);
  });

  it.each(queries)('$stem "$panel" $refId reads only documented metrics', ({ expr }) => {
    const unknown = metricNames(asPromql(expr)).filter(
      (n) => !exposes(n) && !n.startsWith('process_') && !n.startsWith('nodejs_'),
    );
    expect(unknown).toEqual([]);
  });

  it('variable queries select documented metrics', () => {
    for (const [, d] of all) {
      for (const v of variableQueries(d)) {
        const m = /^label_values\((.+), ([a-z_]+)\)$/.exec(v.query);
        expect(m).not.toBeNull();
        const selector = asPromql(m![1]);
        expect(promqlSyntaxErrors(selector)).toEqual([]);
        expect(metricNames(selector).every(exposes)).toBe(true);
      }
    }
  });

  it('a broken expression is reported (the checker can fail)', () => {
    expect(promqlSyntaxErrors('sum(rate(metadatacache_puts_total[1m])')).not.toEqual([]);
    expect(promqlSyntaxErrors('rate(metadatacache_puts_total[$__rate_interval])')).not.toEqual([]);
  });
});

describe('alert rules', () => {
  const rules = alertGroups.flatMap((g) => g.rules);

  it.each(rules)('$alert parses, reads documented metrics and is described', (rule) => {
    expect(promqlSyntaxErrors(rule.expr)).toEqual([]);
    expect(metricNames(rule.expr).filter((n) => !exposes(n))).toEqual([]);
    expect(['critical', 'warning', 'info']).toContain(rule.labels.severity);
    expect(rule.annotations.summary.length).toBeGreaterThan(10);
    expect(rule.annotations.description.length).toBeGreaterThan(10);
    expect(rule.for).toMatch(/^\d+[smh]$/);
  });

  it('alert names are unique', () => {
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
  });

  it('the chart file holds the same groups', () => {
    const file = parse(read('charts/metadata-cache-operator/files/alerts.yaml')) as unknown;
    expect(file).toEqual({ groups: alertGroups });
  });
});
