/**
 * Cell metrics (cache-node/src/metric-cells.ts) must expose exactly what prom-client's own
 * Counter and Histogram would, for the same updates: dashboards, alerts and the Prometheus e2e
 * test read these series by name, labels and bucket.
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { CellCounter, CellHistogram } from '../../cache-node/src/metric-cells.js';
import { createNodeMetrics, OPERATION_BUCKETS } from '../../cache-node/src/metrics.js';
import type { Api, Operation, OperationResult } from '../../cache-node/src/metrics.js';
import { validateConfig } from '../../cache-node/src/config/validate.js';
import { createStore } from '../../cache-node/src/store/index.js';

/** Series order within a family is not part of the format: compare the lines as a set. */
const lines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .sort();

/** A small deterministic generator (a fixed seed keeps failures reproducible). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const pick = <T>(rnd: () => number, values: readonly T[]): T =>
  values[Math.floor(rnd() * values.length)];

describe('CellCounter', () => {
  it('prints what a prom-client Counter prints after the same increments', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const cfg = { name: 'test_sent_total', help: 'Sent.', labelNames: ['map', 'target'] as const };
    const cell = new CellCounter({ ...cfg, registers: [ours] });
    const reference = new Counter({ ...cfg, labelNames: [...cfg.labelNames], registers: [theirs] });
    const rnd = random(7);
    // Label values that need escaping in the text format are part of the contract too.
    const maps = ['a', 'b', 'with "quotes"', 'back\\slash', 'new\nline'];
    for (let i = 0; i < 500; i++) {
      const labels = { map: pick(rnd, maps), target: pick(rnd, ['client', 'member']) };
      const by = pick(rnd, [1, 1, 1, 3, 0.5]);
      cell.inc(labels, by);
      reference.inc(labels, by);
    }
    expect(lines(await ours.metrics())).toEqual(lines(await theirs.metrics()));
    expect(await ours.metrics()).toContain('test_sent_total{map="with \\"quotes\\"",target=');
  });

  it('adds a series when a new label set is first counted, and bumps resolved cells in place', async () => {
    const registry = new Registry();
    const c = new CellCounter({
      name: 'c_total',
      help: 'c',
      labelNames: ['map'],
      registers: [registry],
    });
    c.inc({ map: 'a' });
    expect(await registry.metrics()).not.toContain('map="b"');
    const b = c.cell({ map: 'b' });
    b.value += 2;
    c.inc({ map: 'b' });
    const text = await registry.metrics();
    expect(text).toContain('c_total{map="a"} 1');
    expect(text).toContain('c_total{map="b"} 3');
    expect(c.cell({ map: 'b' })).toBe(b);
  });

  it('refuses a negative or non-finite increment and a label that is not a string', () => {
    const c = new CellCounter({ name: 'c_total', help: 'c', labelNames: ['map'], registers: [] });
    expect(() => c.inc({ map: 'a' }, -1)).toThrow(/non-negative/);
    expect(() => c.inc({ map: 'a' }, NaN)).toThrow(/finite/);
    expect(() => c.inc({} as { map: string })).toThrow(/label "map" must be a string/);
    expect(c.cell({ map: 'a' }).value).toBe(0);
  });

  it('reset zeroes every series and keeps resolved cells working', async () => {
    const registry = new Registry();
    const c = new CellCounter({
      name: 'c_total',
      help: 'c',
      labelNames: ['map'],
      registers: [registry],
    });
    const a = c.cell({ map: 'a' });
    a.value += 5;
    registry.resetMetrics();
    expect(await registry.metrics()).toContain('c_total{map="a"} 0');
    a.value++;
    expect(await registry.metrics()).toContain('c_total{map="a"} 1');
  });
});

describe('CellHistogram', () => {
  const buckets = OPERATION_BUCKETS;

  it('prints what a prom-client Histogram prints after the same observations', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const cfg = { name: 'test_seconds', help: 'Latency.', buckets };
    const cell = new CellHistogram({ ...cfg, labelNames: ['map', 'api'], registers: [ours] });
    const reference = new Histogram({ ...cfg, labelNames: ['map', 'api'], registers: [theirs] });
    const rnd = random(11);
    // Exactly on a bound, below the first, above the last, and a spread in between.
    const special = [0, -1, buckets[0], buckets[5], buckets[buckets.length - 1], 2.5, 1e-9];
    for (let i = 0; i < 2000; i++) {
      const labels = { map: pick(rnd, ['a', 'b', 'c']), api: pick(rnd, ['http', 'hazelcast']) };
      const v = i < special.length ? special[i] : rnd() ** 6 * 1.5;
      cell.observe(labels, v);
      reference.observe(labels, v);
    }
    expect(lines(await ours.metrics())).toEqual(lines(await theirs.metrics()));
  });

  it('gives the same JSON values as prom-client (labels merged with le)', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const cfg = { name: 'json_seconds', help: 'j', buckets: [0.1, 1], labelNames: ['map'] };
    new CellHistogram({ ...cfg, registers: [ours] }).observe({ map: 'm' }, 0.5);
    new Histogram({ ...cfg, registers: [theirs] }).observe({ map: 'm' }, 0.5);
    const project = async (r: Registry) =>
      (await r.getMetricsAsJSON()).flatMap((m) =>
        m.values.map((v) => ({ name: m.name, type: m.type, ...v, exemplar: undefined })),
      );
    expect(await project(ours)).toEqual(await project(theirs));
  });

  it('refuses buckets that do not increase and a non-finite observation', () => {
    expect(
      () =>
        new CellHistogram({ name: 'h', help: 'h', labelNames: [], buckets: [1, 1], registers: [] }),
    ).toThrow(/buckets must increase/);
    const h = new CellHistogram({
      name: 'h',
      help: 'h',
      labelNames: [],
      buckets: [1],
      registers: [],
    });
    expect(() => h.observe({}, Infinity)).toThrow(/not a valid number/);
    expect(h.cell({}).count).toBe(0);
  });
});

describe('node operation metrics', () => {
  const apis: Api[] = ['http', 'hazelcast'];
  const ops: Operation[] = ['get', 'set', 'put_if_absent', 'evict_all', 'contains_key'];
  const results: OperationResult[] = ['hit', 'miss', 'ok', 'error', 'rejected'];

  it('observeOperation prints what prom-client would for the same operations', async () => {
    const config = validateConfig({});
    // No timers: only the operation metrics are read here.
    const store = createStore({
      ...config,
      scheduler: { setInterval: () => ({ cancel: () => undefined }) },
    });
    const node = createNodeMetrics({ store, processMetrics: false });
    const theirs = new Registry();
    const counter = new Counter({
      name: 'metadatacache_operations_total',
      help: 'Operations served, by API, operation and result.',
      labelNames: ['map', 'api', 'operation', 'result'],
      registers: [theirs],
    });
    const histogram = new Histogram({
      name: 'metadatacache_operation_duration_seconds',
      help: 'Server-side latency of an operation.',
      labelNames: ['map', 'api', 'operation'],
      buckets: OPERATION_BUCKETS,
      registers: [theirs],
    });
    const rnd = random(3);
    const family = (text: string, prefix: string) => lines(text).filter((l) => l.includes(prefix));
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 1000; i++) {
        const map = pick(rnd, ['users', 'orders', `m${round}`]);
        const [api, operation, result] = [pick(rnd, apis), pick(rnd, ops), pick(rnd, results)];
        const seconds = rnd() ** 4 * 0.02;
        node.observeOperation(api, map, operation, result, seconds);
        counter.inc({ map, api, operation, result });
        histogram.observe({ map, api, operation }, seconds);
      }
      // Scraped between rounds: the maps first seen in a later round appear then.
      const [ourText, theirText] = [await node.text(), await theirs.metrics()];
      expect(ourText).toContain(`map="m${round}"`);
      for (const prefix of ['metadatacache_operations_total', 'metadatacache_operation_duration']) {
        expect(family(ourText, prefix)).toEqual(family(theirText, prefix));
      }
    }
  });
});
