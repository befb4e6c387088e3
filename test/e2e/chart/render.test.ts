/** The chart through the real helm: lint, render every ci/ scenario, and promtool on the alerts. */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { CHART, helm, template, type K8sObject } from './helm.js';

const exec = promisify(execFile);
const TIMEOUT_MS = 120_000;
const scenarios = readdirSync(join(CHART, 'ci')).filter((f) => f.endsWith('.yaml'));
const podSpecOf = (o: K8sObject) =>
  (o.spec as { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } })
    .template;

interface PodSpec {
  containers: { command?: string[]; args?: string[]; image: string }[];
}

describe('helm lint --strict', () => {
  it.each(['(defaults)', ...scenarios])(
    '%s is clean',
    async (scenario) => {
      const values = scenario === '(defaults)' ? [] : ['-f', join(CHART, 'ci', scenario)];
      const r = await helm(['lint', '--strict', CHART, ...values]);
      expect({ code: r.code, out: r.stdout.includes('0 chart(s) failed') }).toEqual({
        code: 0,
        out: true,
      });
    },
    TIMEOUT_MS,
  );

  it(
    'refuses bad values with the key named',
    async () => {
      const r = await helm(['lint', '--strict', CHART, '--set', 'operator.replicas=0']);
      expect(r.code).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/operator\.replicas: Must be greater than or equal to 1/);
      const two = await helm([
        'template',
        'x',
        CHART,
        '--kube-version',
        '1.33.0',
        '--set',
        'operator.replicas=2',
        '--set',
        'operator.leaderElection.enabled=false',
      ]);
      expect(two.stderr).toMatch(
        /operator\.replicas > 1 needs operator\.leaderElection\.enabled=true/,
      );
    },
    TIMEOUT_MS,
  );
});

describe.each(scenarios)('helm template -f ci/%s', (scenario) => {
  let objects: K8sObject[] = [];
  beforeAll(async () => {
    objects = (await template('rel', 'mdc', ['-f', join(CHART, 'ci', scenario)])).objects;
  }, TIMEOUT_MS);

  it('labels everything with app.kubernetes.io/*, and pod templates without the chart version', () => {
    for (const o of objects) {
      expect({
        o: `${o.kind}/${o.metadata.name}`,
        instance: o.metadata.labels?.['app.kubernetes.io/instance'],
      }).toEqual({
        o: `${o.kind}/${o.metadata.name}`,
        instance: 'rel',
      });
    }
    for (const d of objects.filter((o) => o.kind === 'Deployment')) {
      const labels = podSpecOf(d).metadata.labels;
      expect(labels['helm.sh/chart']).toBeUndefined();
      expect(Object.values(labels).join(' ')).not.toContain('metadata-cache-operator-0.1.0');
    }
  });

  it('runs the operator image entrypoint with flags only', () => {
    const d = objects.find((o) => o.kind === 'Deployment')!;
    const c = podSpecOf(d).spec.containers[0];
    expect(c.command).toBeUndefined();
    expect(c.args).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^--http-port=\d+$/),
        expect.stringMatching(/^--leader-elect=(true|false)$/),
      ]),
    );
  });

  it('dashboards are ConfigMaps labelled grafana_dashboard: "1" holding the generated JSON', () => {
    const maps = objects.filter(
      (o) => o.kind === 'ConfigMap' && o.metadata.name.includes('-dashboard-'),
    );
    if (scenario === 'minimal-values.yaml') {
      expect(maps).toEqual([]);
      return;
    }
    expect(maps).toHaveLength(2);
    for (const m of maps) {
      expect(m.metadata.labels?.grafana_dashboard).toBe('1');
      const [json] = Object.values(m.data as Record<string, string>);
      expect((JSON.parse(json) as { uid: string }).uid).toMatch(/^metadatacache-/);
    }
  });
});

describe('alert rules', () => {
  it(
    'the rendered PrometheusRule passes `promtool check rules`, with the extra alert labels',
    async () => {
      const { objects } = await template('rel', 'mdc', [
        '-f',
        join(CHART, 'ci', 'cache-values.yaml'),
      ]);
      const rule = objects.find((o) => o.kind === 'PrometheusRule')!;
      const spec = rule.spec as { groups: { rules: { labels: Record<string, string> }[] }[] };
      expect(spec.groups.flatMap((g) => g.rules).every((r) => r.labels.team === 'platform')).toBe(
        true,
      );
      const dir = await mkdtemp(join(tmpdir(), 'mdc-rules-'));
      try {
        const file = join(dir, 'rules.yaml');
        await writeFile(file, stringify(spec));
        const { stdout } = await exec('promtool', ['check', 'rules', file]);
        expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    TIMEOUT_MS,
  );

  it(
    'promtool refuses a broken rule (the check can fail)',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'mdc-rules-'));
      try {
        const file = join(dir, 'bad.yaml');
        await writeFile(
          file,
          stringify({ groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'sum(rate(x[5m])' }] }] }),
        );
        await expect(exec('promtool', ['check', 'rules', file])).rejects.toThrow();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    TIMEOUT_MS,
  );
});
