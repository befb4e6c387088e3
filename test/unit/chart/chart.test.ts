import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { isMap, isScalar, isSeq, parse, parseDocument, type Node } from 'yaml';
import { renderChartFiles, CHART } from '../../../scripts/chart/render.js';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const chart = (path: string) => read(`${CHART}/${path}`);

const schema = JSON.parse(chart('values.schema.json')) as object;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
const defaults = parse(chart('values.yaml')) as Record<string, unknown>;

/** Values with one key changed (deep, by dotted path), like `--set path=value`. */
function withValue(path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(defaults);
  const keys = path.split('.');
  let node = copy;
  for (const k of keys.slice(0, -1)) {
    node[k] ??= {};
    node = node[k] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
  return copy;
}

const errorsOf = (values: unknown) => {
  validate(values);
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
};

describe('generated chart files', () => {
  it('match scripts/chart (run `npm run gen:chart` when this fails)', async () => {
    for (const [path, content] of await renderChartFiles(root)) {
      expect({ path, content: read(path) }).toEqual({ path, content });
    }
  });

  it('the CRD template carries crds/metadatacache.yaml unchanged, kept on uninstall', () => {
    const template = chart('templates/crd.yaml');
    expect(template).toMatch(/^\{\{- if \.Values\.crds\.install \}\}$/m);
    expect(template).toContain('helm.sh/resource-policy: keep');
    const body = template
      .split('\n')
      .filter((l) => !l.includes('{{'))
      .join('\n');
    const fromChart = parse(body) as { spec: unknown; metadata: { name: string } };
    const fromCrds = parse(read('crds/metadatacache.yaml')) as typeof fromChart;
    expect(fromChart.spec).toEqual(fromCrds.spec);
    expect(fromChart.metadata.name).toBe(fromCrds.metadata.name);
  });
});

describe('values.schema.json', () => {
  const scenarios = readdirSync(join(root, CHART, 'ci')).filter((f) => f.endsWith('.yaml'));

  it('accepts values.yaml', () => {
    expect(errorsOf(defaults)).toEqual([]);
  });

  it.each(scenarios)('accepts ci/%s merged over the defaults', (file) => {
    const scenario = parse(chart(`ci/${file}`)) as Record<string, unknown>;
    const merged = { ...defaults };
    for (const [k, v] of Object.entries(scenario)) {
      merged[k] =
        v && typeof v === 'object' && !Array.isArray(v) ? { ...(defaults[k] as object), ...v } : v;
    }
    expect(errorsOf(merged)).toEqual([]);
  });

  it.each([
    ['operator.replicas', 0, '/operator/replicas must be >= 1'],
    ['operator.replicas', 'two', '/operator/replicas must be integer'],
    ['operator.metricsPort', 80, '/operator/metricsPort must be >= 1024'],
    [
      'operator.leaderElection.enable',
      true,
      '/operator/leaderElection must NOT have additional properties',
    ],
    [
      'image.pullPolicy',
      'Sometimes',
      '/image/pullPolicy must be equal to one of the allowed values',
    ],
    [
      'serviceMonitor.interval',
      '30 seconds',
      '/serviceMonitor/interval must match pattern "^[0-9]+(ms|s|m|h)$"',
    ],
    [
      'dashboards.labels',
      { grafana_dashboard: 1 },
      '/dashboards/labels/grafana_dashboard must be string',
    ],
    ['cache.replicas', -1, '/cache/replicas must be >= 0'],
    ['cache.name', 'Bad_Name', '/cache/name must match pattern "^$|^[a-z]([-a-z0-9]*[a-z0-9])?$"'],
    ['cache.spec.backupCount', 7, '/cache/spec/backupCount must be <= 6'],
    [
      'cache.spec.maps',
      [{ name: 'm', eviction: 'random' }],
      '/cache/spec/maps/0/eviction must be equal to one of the allowed values',
    ],
    [
      'cache.spec.maps',
      [{ maxEntries: 10 }],
      "/cache/spec/maps/0 must have required property 'name'",
    ],
    ['cache.spec.partitionCount', 0, '/cache/spec/partitionCount must be >= 1'],
    ['cache.spec.unknownField', 1, '/cache/spec must NOT have additional properties'],
    ['tests.image.tag', '', '/tests/image/tag must NOT have fewer than 1 characters'],
    ['unknownTopLevel', true, ' must NOT have additional properties'],
  ])('refuses %s = %j: "%s"', (path, value, message) => {
    expect(errorsOf(withValue(path, value))).toContain(message);
  });
});

describe('values.yaml', () => {
  /** Dotted paths of mapping keys that have no comment right above them. */
  function uncommented(node: Node | null, path: string): string[] {
    if (!isMap(node)) return [];
    return node.items.flatMap((pair, i) => {
      const key = isScalar(pair.key) ? String(pair.key.value) : '?';
      const keyPath = path ? `${path}.${key}` : key;
      // The comment above a nested map's first key belongs to the map node.
      const commented =
        Boolean((pair.key as Node | null)?.commentBefore) ||
        (i === 0 && Boolean(node.commentBefore));
      const own = commented ? [] : [keyPath];
      const value = pair.value as Node | null;
      // Lists of example objects (maps under cache.spec) are documented by their parent key.
      if (isSeq(value)) return own;
      return [...own, ...uncommented(value, keyPath)];
    });
  }

  it('every key has a comment', () => {
    const doc = parseDocument(chart('values.yaml'));
    const missing = uncommented(doc.contents, '').filter(
      (p) =>
        !p.startsWith('cache.spec.') &&
        !p.startsWith('operator.resources.') &&
        !p.includes('SecurityContext.') &&
        !p.startsWith('operator.securityContext.') &&
        !p.startsWith('dashboards.labels.'),
    );
    expect(missing).toEqual([]);
  });
});

describe('templates', () => {
  it('pod templates carry no chart version (it would roll the pods on every upgrade)', () => {
    const helpers = chart('templates/_helpers.tpl');
    const podLabels = /define "mdc\.podLabels"[\s\S]*?\{\{- end \}\}/.exec(helpers)?.[0] ?? '';
    expect(podLabels).not.toBe('');
    expect(podLabels).not.toMatch(/Chart\.Version|mdc\.chart|helm\.sh\/chart/);
    const deployment = chart('templates/deployment.yaml');
    const template = deployment.slice(deployment.indexOf('  template:'));
    expect(template).toContain('include "mdc.podLabels"');
    expect(template).not.toContain('include "mdc.labels"');
  });

  it('the dashboards ConfigMaps ship every generated dashboard', () => {
    const inChart = readdirSync(join(root, CHART, 'dashboards')).sort();
    const generated = readdirSync(join(root, 'dashboards')).filter((f) => f.endsWith('.json'));
    expect(inChart).toEqual(generated.sort());
    expect(chart('templates/dashboards.yaml')).toContain('.Files.Glob "dashboards/*.json"');
  });
});
