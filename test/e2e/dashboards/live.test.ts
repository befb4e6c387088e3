/**
 * The dashboards against live data: a local cluster (`npm start` flags, built output) and the
 * operator (against the real apiserver) scraped every second by a real Prometheus; load through
 * HTTP and hazelcast-client; then every panel query of every dashboard, with Grafana's variables
 * and $__rate_interval substituted, must return data. Renders one PNG per dashboard from it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { substituteGrafana } from '../../../dashboards/src/promql.js';
import { panelQueries, variableQueries } from '../../../dashboards/src/queries.js';
import { dashboards } from '../../../dashboards/src/render.js';
import { dashboardSvg, type PanelData } from '../../../dashboards/src/snapshot.js';
import { startKube, waitFor, type Kube } from '../../helpers/kube.js';
import { crdEstablished } from '../chart/helm.js';
import { startLocalCluster, type LocalCluster } from './local-cluster.js';
import { badPreamble, hazelcastLoad, httpLoad, LOAD_CONFIG, pauseMember } from './load.js';
import { freePortRange } from './ports.js';
import { startPrometheus, type Prometheus, type Target } from './prometheus.js';

const root = join(import.meta.dirname, '..', '..', '..');
const progress = (msg: string) => process.stderr.write(`dashboards e2e: ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** What Grafana would use for $__rate_interval with a 1 s scrape, padded for the paused member. */
const RATE_INTERVAL = '10s';
const NAMESPACE = 'e2e';
const CACHE = 'local';
const OPERATOR_NAMESPACE = 'metadatacache-system';
/** Start-up, load and scrapes take about a minute; queries a few seconds. */
const SETUP_TIMEOUT_MS = 170_000;
const TEST_TIMEOUT_MS = 60_000;

let dir = '';
let cluster: LocalCluster | undefined;
let prometheus: Prometheus | undefined;
let kube: Kube | undefined;
let operator: ChildProcess | undefined;
let operatorProblem = '';
let closeClient: (() => Promise<void>) | undefined;
let loadStart = 0;
let cacheNamespace = '';

/** MetadataCache changes while Prometheus scrapes, so reconciles land inside the load window. */
async function operatorLoad(step: number): Promise<void> {
  if (!kube || !cacheNamespace) return;
  const manifest = (name: string, replicas: number) =>
    `apiVersion: metadatacache.io/v1alpha1\nkind: MetadataCache\nmetadata:\n  name: ${name}\n  namespace: ${cacheNamespace}\nspec:\n  replicas: ${replicas}\n`;
  await kube.kubectl(['apply', '-f', '-'], {
    input: `${manifest(`dash-${step}`, 1)}---\n${manifest('dash-scaled', step + 1)}`,
  });
}
let loadEnd = 0;

async function startOperator(httpPort: number): Promise<void> {
  kube = await startKube();
  await kube.kubectl(['apply', '--server-side', '-f', join(root, 'crds/metadatacache.yaml')]);
  await crdEstablished(kube, 'metadatacaches.metadatacache.io');
  cacheNamespace = await kube.createNamespace('dash');
  await kube.kubectl(['create', 'namespace', OPERATOR_NAMESPACE], { allowFailure: true });
  operator = spawn(
    process.execPath,
    [
      join(root, 'operator/dist/main.js'),
      '--http-host=127.0.0.1',
      `--http-port=${httpPort}`,
      '--leader-elect=true',
      `--lease-namespace=${OPERATOR_NAMESPACE}`,
      `--lease-name=dashboards-e2e-${process.pid}`,
    ],
    { env: kube.env, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  await waitFor('operator /readyz', async () => {
    const res = await fetch(`http://127.0.0.1:${httpPort}/readyz`).catch(() => undefined);
    return res?.ok ? true : undefined;
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mdc-dashboards-'));
  const config = join(dir, 'shared.yaml');
  await writeFile(config, LOAD_CONFIG);
  const [port, httpPort, operatorPort] = await Promise.all([
    freePortRange(3),
    freePortRange(3),
    freePortRange(1),
  ]);
  cluster = await startLocalCluster({ nodes: 3, port, httpPort, config });
  if (process.env.METADATACACHE_E2E_NO_KUBE === '1') {
    operatorProblem = 'METADATACACHE_E2E_NO_KUBE=1: no apiserver, so no operator to scrape';
  } else {
    try {
      await startOperator(operatorPort);
    } catch (e) {
      operatorProblem = `the operator could not be started: ${(e as Error).message}`;
    }
  }
  progress(`cluster up; operator: ${operatorProblem || 'up'}`);
  const targets: Target[] = [
    ...cluster.httpUrls.map((url, i) => ({
      job: 'metadatacache',
      address: url.replace('http://', ''),
      labels: { namespace: NAMESPACE, cache: CACHE, pod: `${CACHE}-${i}` },
    })),
    {
      job: 'metadatacache-operator',
      address: `127.0.0.1:${operatorPort}`,
      labels: { namespace: OPERATOR_NAMESPACE, pod: 'operator-0' },
    },
  ];
  prometheus = await startPrometheus(targets);
  await waitFor('the first scrape', async () =>
    (await prometheus!.query('metadatacache_ready')).length === 3 ? true : undefined,
  );

  progress('prometheus scraping; driving load');
  loadStart = Date.now() / 1000;
  await operatorLoad(0);
  closeClient = await hazelcastLoad(cluster.protocolPorts[0]);
  await httpLoad(cluster.httpUrls);
  await badPreamble(cluster.protocolPorts[1]);
  await operatorLoad(1);
  await pauseMember(cluster.pids[2], cluster.httpUrls.slice(0, 2), 8_000, sleep);
  await httpLoad(cluster.httpUrls);
  await operatorLoad(2);
  loadEnd = Date.now() / 1000;
  progress(`load done in ${Math.round(loadEnd - loadStart)} s`);
  // At least two scrapes after the load, so rate() sees its end.
  await waitFor(
    'two scrapes after the load',
    async () => {
      const [ts] = await prometheus!.query('min(timestamp(metadatacache_ready))');
      return ts && Number(ts.value[1]) >= loadEnd + 2 ? true : undefined;
    },
    { timeoutMs: 30_000 },
  );
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await closeClient?.().catch(() => undefined);
  await prometheus?.stop();
  await cluster?.stop();
  if (operator && operator.exitCode === null) {
    const exited = new Promise((r) => operator!.once('exit', r));
    operator.kill('SIGTERM');
    await exited;
  }
  await kube?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, TEST_TIMEOUT_MS);

const variables = { namespace: [NAMESPACE, OPERATOR_NAMESPACE], cache: CACHE, map: '.*' };
const promql = (expr: string) =>
  substituteGrafana(expr, { rateInterval: RATE_INTERVAL, variables });

/** Range query over the load window; the series with at least one finite value. */
async function withData(expr: string) {
  const series = await prometheus!.queryRange(
    promql(expr),
    Math.floor(loadStart),
    Math.ceil(Date.now() / 1000),
    1,
  );
  return series.filter((s) => s.values.some(([, v]) => Number.isFinite(Number(v))));
}

describe.each(Object.entries(dashboards()))('dashboard %s on live data', (stem, dash) => {
  it(
    'every variable has values',
    async () => {
      for (const v of variableQueries(dash)) {
        const [, selector, label] = /^label_values\((.+), ([a-z_]+)\)$/.exec(v.query)!;
        const result = await prometheus!.query(`group by (${label}) (${promql(selector)})`);
        expect({
          variable: v.name,
          values: result.map((r) => r.metric[label]).filter(Boolean).length > 0,
        }).toEqual({
          variable: v.name,
          values: true,
        });
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'every panel query returns data',
    async () => {
      const empty: string[] = [];
      for (const q of panelQueries(dash)) {
        if ((await withData(q.expr)).length === 0)
          empty.push(`"${q.panel}" ${q.refId}: ${promql(q.expr)}`);
      }
      const hint = stem === 'operator' && operatorProblem ? [operatorProblem] : [];
      expect([...hint, ...empty]).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'renders a PNG of the live data',
    async () => {
      const png = renderPng(stem, dash, await panelData(dash));
      const out = join(root, 'test/.artifacts/dashboards');
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, `${stem}.png`), png);
      if (process.env.METADATACACHE_UPDATE_DOCS === '1') {
        mkdirSync(join(root, 'docs/dashboards'), { recursive: true });
        writeFileSync(join(root, 'docs/dashboards', `${stem}.png`), png);
      }
      // A PNG signature and a size that means content, not an empty canvas.
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.length).toBeGreaterThan(20_000);
    },
    TEST_TIMEOUT_MS,
  );
});

interface PanelJson {
  type: string;
  title: string;
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: { expr: string; legendFormat?: string }[];
}

const legend = (format: string | undefined, metric: Record<string, string>) =>
  !format || format === '__auto'
    ? Object.entries(metric)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ') || 'value'
    : format.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => metric[k] ?? '');

async function panelData(dash: dashboard.Dashboard): Promise<PanelData[]> {
  const panels = (dash.panels ?? []) as unknown as PanelJson[];
  const out: PanelData[] = [];
  for (const p of panels.filter((p) => p.type !== 'row')) {
    const series = [];
    for (const t of p.targets ?? []) {
      for (const s of await withData(t.expr)) {
        series.push({
          name:
            p.type === 'table'
              ? `${s.metric.map ?? ''} ${s.metric.key ?? ''}`
              : legend(t.legendFormat, s.metric),
          points: s.values.map(([ts, v]) => [ts, Number(v)] as [number, number]),
        });
      }
    }
    out.push({
      title: p.title,
      type: p.type === 'stat' ? 'stat' : p.type === 'table' ? 'table' : 'timeseries',
      unit: p.fieldConfig?.defaults?.unit ?? 'short',
      series,
    });
  }
  return out;
}

function renderPng(stem: string, dash: dashboard.Dashboard, panels: PanelData[]): Buffer {
  const subtitle = `live: Prometheus scraping a local ${stem === 'operator' ? 'operator' : '3-member cluster'} under test load, ${new Date().toISOString().slice(0, 16)}Z`;
  const svg = dashboardSvg(dash.title ?? stem, subtitle, panels);
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } })
    .render()
    .asPng();
}
