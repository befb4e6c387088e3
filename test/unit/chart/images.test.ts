import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalize } from '../../../operator/src/api/defaults.js';
import { buildStatefulSet } from '../../../operator/src/build/statefulset.js';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface Dockerfile {
  stages: string[];
  final: string;
  entrypoint: string[];
  cmd: string[] | undefined;
  user: string | undefined;
}

/** The parts of a Dockerfile the manifests depend on (exec-form instructions only). */
function parseDockerfile(text: string): Dockerfile {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
  const stages = lines.filter((l) => l.startsWith('FROM '));
  const finalStart = lines.lastIndexOf(stages[stages.length - 1]);
  const finalLines = lines.slice(finalStart);
  const instr = (name: string) =>
    finalLines
      .filter((l) => l.startsWith(`${name} `))
      .pop()
      ?.slice(name.length + 1);
  const json = (v: string | undefined) =>
    v === undefined ? undefined : (JSON.parse(v) as string[]);
  return {
    stages,
    final: finalLines.join('\n'),
    entrypoint: json(instr('ENTRYPOINT')) ?? [],
    cmd: json(instr('CMD')),
    user: instr('USER'),
  };
}

const TINI = ['/usr/bin/tini', '--'];

describe.each([
  ['cache-node', 'images/cache-node.Dockerfile', 'cache-node/dist/main.js'],
  ['operator', 'images/operator.Dockerfile', 'operator/dist/main.js'],
])('%s image', (_name, path, main) => {
  const df = parseDockerfile(read(path));

  it('is multi-stage on Node 20, non-root, with production dependencies only', () => {
    expect(df.stages.length).toBeGreaterThanOrEqual(2);
    expect(read(path)).toMatch(/^ARG NODE_IMAGE=node:20\.\d+-bookworm-slim$/m);
    expect(df.final).toContain('COPY --from=deps /app/node_modules node_modules');
    expect(read(path)).toContain('npm ci --omit=dev');
    expect(df.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
  });

  it(`runs "node ${main}" under tini from /app`, () => {
    expect(df.entrypoint).toEqual([...TINI, 'node', main]);
    expect(df.final).toContain('WORKDIR /app');
    expect(df.final).toContain('install -y --no-install-recommends tini');
  });
});

describe('manifests use the image entrypoints', () => {
  it('the operator StatefulSet runs the cache-node image with CMD-identical args and no command', () => {
    const df = parseDockerfile(read('images/cache-node.Dockerfile'));
    const cache = normalize({
      apiVersion: 'metadatacache.io/v1alpha1',
      kind: 'MetadataCache',
      metadata: { name: 'c', namespace: 'ns', uid: 'u' },
      spec: {},
    });
    const sts = buildStatefulSet(cache, {
      replicas: 3,
      partition: 0,
      configChecksum: 'x',
      authSecretName: undefined,
    });
    const container = sts.spec!.template.spec!.containers[0];
    expect(container.command).toBeUndefined();
    expect(container.args).toEqual(df.cmd);
  });

  it('the cache-node bin and `npm start` run the same main.js', () => {
    const pkg = JSON.parse(read('cache-node/package.json')) as { bin: Record<string, string> };
    expect(`cache-node/${pkg.bin['metadatacache-node']}`).toBe('cache-node/dist/main.js');
  });

  it('the chart Deployment passes only args, and `npm run operator` runs the same main.js', () => {
    const deployment = read('charts/metadata-cache-operator/templates/deployment.yaml');
    expect(deployment).not.toMatch(/^\s+command:/m);
    expect(deployment).toMatch(/^\s+args:/m);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> })
      .scripts;
    expect(scripts.operator).toMatch(/node operator\/dist\/main\.js$/);
    expect(parseDockerfile(read('images/operator.Dockerfile')).cmd).toBeUndefined();
  });
});
