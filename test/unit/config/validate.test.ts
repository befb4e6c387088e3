import { fileURLToPath } from 'node:url';
import {
  celMirrors,
  ConfigError,
  crossFieldErrors,
  keyPath,
  validateConfig,
  validateMapSettingsPatch,
} from '../../../cache-node/src/config/validate.js';
import { loadConfig, withEnvCredentials } from '../../../cache-node/src/config/load.js';
import { nodeConfigSchema } from '../../../cache-node/src/config/schema.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/config/${name}`, import.meta.url));

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

async function loadProblems(file: string, env = {}): Promise<string[]> {
  try {
    await loadConfig(fixture(file), env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('validateConfig', () => {
  it('fills every default into an empty config', () => {
    const config = validateConfig({});
    expect(config.clusterName).toBe('dev');
    expect(config.partitionCount).toBe(271);
    expect(config.maps).toEqual([]);
    expect(config.defaultMap).toEqual({
      maxEntries: 100000,
      eviction: 'tinylfu',
      ttlSeconds: 0,
      maxIdleSeconds: 0,
    });
    expect(config.limits.maxValueBytes).toBe(1048576);
    expect(config.member).toEqual({
      host: '127.0.0.1',
      port: 5701,
      httpPort: 8080,
      heartbeatIntervalMillis: 500,
      failureTimeoutMillis: 5000,
    });
    expect(config.snapshot).toEqual({ loadOnStart: true, saveOnShutdown: true });
    expect(config.credentials).toBeUndefined();
  });

  it('treats null (an empty YAML file) as an empty config', () => {
    expect(validateConfig(null).logLevel).toBe('info');
  });

  it('fills defaults inside declared maps', () => {
    const config = validateConfig({ maps: [{ name: 'users', maxEntries: 5 }] });
    expect(config.maps[0]).toEqual({
      name: 'users',
      maxEntries: 5,
      eviction: 'tinylfu',
      ttlSeconds: 0,
      maxIdleSeconds: 0,
    });
  });

  it.each([
    [{ maps: [{ name: 'a' }, { name: 'b', maxEntries: 0 }] }, 'maps[1].maxEntries: must be >= 1'],
    [{ limits: { maxValueByte: 1 } }, 'limits.maxValueByte: unknown key'],
    [{ colour: 'red' }, 'colour: unknown key'],
    [{ maps: [{ maxEntries: 3 }] }, 'maps[0].name: is required'],
    [
      { defaultMap: { eviction: 'random' } },
      'defaultMap.eviction: must be one of "tinylfu", "lru", "lfu", "none"',
    ],
    [{ partitionCount: 'many' }, 'partitionCount: must be integer'],
    [
      { maps: [{ name: 'bad name' }] },
      'maps[0].name: must match pattern "^[A-Za-z0-9_][A-Za-z0-9._:-]*$"',
    ],
    [{ member: { httpPort: 70000 } }, 'member.httpPort: must be <= 65535'],
    [
      { credentials: { token: 'short' } },
      'credentials.token: must NOT have fewer than 16 characters',
    ],
  ])('refuses %j with "%s"', (input, message) => {
    expect(problemsOf(() => validateConfig(input))).toContain(message);
  });

  it('refuses a config that is not a mapping', () => {
    expect(problemsOf(() => validateConfig(['a']))).toEqual([
      '(root): must be an object (a YAML mapping)',
    ]);
  });

  it('names the source in the error message', () => {
    expect(() => validateConfig({ x: 1 }, 'node.yaml')).toThrow(
      'invalid node.yaml:\n  x: unknown key',
    );
  });
});

describe('crossFieldErrors (CEL rules and list-map keys mirrored)', () => {
  it('refuses duplicate map names, naming both entries', () => {
    expect(problemsOf(() => validateConfig({ maps: [{ name: 'a' }, { name: 'a' }] }))).toEqual([
      'maps[1].name: duplicate map name "a" (also maps[0])',
    ]);
  });

  it('refuses maxIdleSeconds not below ttlSeconds, in maps and defaultMap', () => {
    const problems = problemsOf(() =>
      validateConfig({
        maps: [{ name: 'a', ttlSeconds: 60, maxIdleSeconds: 60 }],
        defaultMap: { ttlSeconds: 10, maxIdleSeconds: 20 },
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^maps\[0\]\.maxIdleSeconds: maxIdleSeconds must be less than ttlSeconds/,
      ),
      expect.stringMatching(/^defaultMap\.maxIdleSeconds: maxIdleSeconds must be less/),
    ]);
  });

  it('accepts idle below TTL, or either of them 0', () => {
    const maps = [
      { name: 'a', ttlSeconds: 60, maxIdleSeconds: 30 },
      { name: 'b', ttlSeconds: 0, maxIdleSeconds: 30 },
      { name: 'c', ttlSeconds: 60, maxIdleSeconds: 0 },
    ];
    expect(validateConfig({ maps }).maps).toHaveLength(3);
  });

  it('requires the discovery source of the chosen mode', () => {
    expect(problemsOf(() => validateConfig({ discovery: { mode: 'dns' } }))).toEqual([
      'discovery.dnsName: is required when discovery.mode is "dns"',
    ]);
    expect(problemsOf(() => validateConfig({ discovery: { mode: 'kubernetes' } }))).toEqual([
      'discovery.service: is required when discovery.mode is "kubernetes"',
    ]);
  });

  it('requires username and password together, or a token', () => {
    expect(crossFieldErrors(validateConfig({}))).toEqual([]);
    expect(problemsOf(() => validateConfig({ credentials: { username: 'u' } }))).toContain(
      'credentials: username and password must be set together',
    );
    expect(problemsOf(() => validateConfig({ credentials: {} }))).toContain(
      'credentials: set a token, or a username and password',
    );
  });
});

describe('validateMapSettingsPatch', () => {
  const current = {
    maxEntries: 100,
    eviction: 'tinylfu' as const,
    ttlSeconds: 60,
    maxIdleSeconds: 0,
  };

  it('returns only the named settings (no defaults added)', () => {
    expect(validateMapSettingsPatch({ maxEntries: 10 }, current)).toEqual({ maxEntries: 10 });
  });

  it.each([
    [{}, '(root): must name at least one setting'],
    [{ maxEntries: 0 }, 'maxEntries: must be >= 1'],
    [{ name: 'x' }, 'name: unknown key'],
    [{ eviction: 'fifo' }, 'eviction: must be one of "tinylfu", "lru", "lfu", "none"'],
    [{ maxIdleSeconds: 90 }, expect.stringMatching(/^maxIdleSeconds: maxIdleSeconds must be less/)],
  ])('refuses %j', (patch, message) => {
    expect(problemsOf(() => validateMapSettingsPatch(patch, current))).toEqual([message]);
  });
});

describe('keyPath', () => {
  it.each([
    ['', undefined, '(root)'],
    ['/maps/1/maxEntries', undefined, 'maps[1].maxEntries'],
    ['/limits', 'x', 'limits.x'],
    ['/a~1b', undefined, 'a/b'],
  ])('%s + %s → %s', (pointer, child, expected) => {
    expect(keyPath(pointer, child)).toBe(expected);
  });
});

describe('loadConfig', () => {
  it('loads the full example file', async () => {
    const config = await loadConfig(fixture('full.yaml'));
    expect(config.maps.map((m) => m.name)).toEqual(['users', 'schemas']);
    expect(config.maps[1].eviction).toBe('lru');
    expect(config.credentials?.token).toBe('a-token-of-sixteen-chars');
    expect(config.limits.maxFrameBytes).toBe(16777216);
  });

  it('loads a file of defaults', async () => {
    expect((await loadConfig(fixture('minimal.yaml'))).undeclaredMaps).toBe('reject');
  });

  it('reports every problem of a bad file', async () => {
    expect(await loadProblems('bad-many.yaml')).toEqual(
      expect.arrayContaining([
        'maps[1].maxEntries: must be >= 1',
        'limits.maxValueByte: unknown key',
        'defaultMap.eviction: must be one of "tinylfu", "lru", "lfu", "none"',
      ]),
    );
  });

  it('reports a YAML syntax error', async () => {
    const [problem] = await loadProblems('bad-syntax.yaml.txt');
    expect(problem).toMatch(/^YAML: /);
  });

  it('reports a missing file', async () => {
    const [problem] = await loadProblems('does-not-exist.yaml');
    expect(problem).toMatch(/^cannot read file: ENOENT/);
  });

  it('takes credentials from the environment over the file', async () => {
    const config = await loadConfig(fixture('full.yaml'), {
      METADATACACHE_TOKEN: 'token-from-the-environment',
    });
    expect(config.credentials).toEqual({ token: 'token-from-the-environment' });
  });

  it('validates env credentials like file ones', async () => {
    expect(await loadProblems('minimal.yaml', { METADATACACHE_USERNAME: 'u' })).toEqual([
      'credentials: username and password must be set together',
    ]);
  });
});

describe('withEnvCredentials', () => {
  it('leaves the object alone without env credentials', () => {
    const obj = { clusterName: 'x' };
    expect(withEnvCredentials(obj, {})).toBe(obj);
  });

  it('merges key by key and ignores empty variables', () => {
    expect(
      withEnvCredentials(
        { credentials: { username: 'file', password: 'file-pw' } },
        { METADATACACHE_PASSWORD: 'env-pw', METADATACACHE_TOKEN: '' },
      ),
    ).toEqual({ credentials: { username: 'file', password: 'env-pw' } });
  });
});

describe('CEL mirrors', () => {
  /** Every x-kubernetes-validations rule anywhere in the schema. */
  function celRules(node: unknown): string[] {
    if (node === null || typeof node !== 'object') return [];
    const own = ((node as Record<string, unknown>)['x-kubernetes-validations'] ?? []) as {
      rule: string;
    }[];
    return [...own.map((v) => v.rule), ...Object.values(node).flatMap(celRules)];
  }

  it('has a TS mirror for every CEL rule of the schema', () => {
    const rules = [...new Set(celRules(nodeConfigSchema))];
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(Object.keys(celMirrors)).toContain(rule);
  });
});
