import { keyFromString } from '../../../cache-node/src/data/index.js';
import { PREFETCH_MAX_KEYS } from '../../../cache-node/src/http/maps.js';
import { errorOf, startHarness, type Harness } from './harness.js';

const json = (body: unknown) => ({
  method: 'POST',
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
});

describe('stats, hot keys, recommendations, prefetch', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      maps: [{ name: 'users', maxEntries: 10 }, { name: 'idle' }],
      hotKeys: { topK: 3 },
      limits: { maxKeyBytes: 16 },
    });
    const users = h.store.getMap('users')!;
    for (const k of ['a', 'b', 'c', 'd']) users.set(keyFromString(k), keyFromString('v'));
    // Hot-key tracking samples reads: counts this far apart rank the same in every run.
    for (let i = 0; i < 200; i++) users.get(keyFromString('a'));
    for (let i = 0; i < 40; i++) users.get(keyFromString('b'));
    users.get(keyFromString('zz'));
  });
  afterAll(() => h.close());

  it('GET /v1/maps/{map}/stats returns the windowed stats of the map', async () => {
    const res = await h.fetch('/v1/maps/users/stats');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      map: 'users',
      hits: 240,
      misses: 1,
      puts: 4,
      entries: 4,
      maxEntries: 10,
      eviction: 'tinylfu',
    });
  });

  it('GET /v1/stats lists every map', async () => {
    const body = (await (await h.fetch('/v1/stats')).json()) as { maps: { map: string }[] };
    expect(body.maps.map((m) => m.map).sort()).toEqual(['idle', 'users']);
  });

  it('GET /v1/maps/{map}/hot-keys ranks the most read keys, readable', async () => {
    const body = (await (await h.fetch('/v1/maps/users/hot-keys')).json()) as {
      keys: { key: string; score: number }[];
    };
    expect(body.keys.slice(0, 2).map((k) => k.key)).toEqual(['a', 'b']);
    expect(body.keys[0].score).toBeGreaterThan(body.keys[1].score);
    const one = (await (await h.fetch('/v1/maps/users/hot-keys?limit=1')).json()) as {
      keys: unknown[];
    };
    expect(one.keys).toHaveLength(1);
  });

  it('GET /v1/recommendations answers a list', async () => {
    const body = (await (await h.fetch('/v1/recommendations')).json()) as {
      recommendations: unknown[];
    };
    expect(Array.isArray(body.recommendations)).toBe(true);
  });

  it('POST /v1/maps/{map}/prefetch records the keys for a loader', async () => {
    const res = await h.fetch('/v1/maps/users/prefetch', json({ keys: ['p1', 'p2', 'p1'] }));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ map: 'users', requested: 3 });
    const hints = h.store.takePrefetch(10);
    expect(hints.map((x) => x.key)).toEqual(
      expect.arrayContaining([keyFromString('p1'), keyFromString('p2')]),
    );
  });

  it.each([
    ['stats of an undeclared map', '/v1/maps/orders/stats', 404, 'unknown_map'],
    ['hot keys of an undeclared map', '/v1/maps/orders/hot-keys', 404, 'unknown_map'],
    ['a bad hot-keys limit', '/v1/maps/users/hot-keys?limit=x', 400, 'bad_limit'],
    ['a bad map name', '/v1/maps/%20/stats', 400, 'invalid_map_name'],
  ])('%s', async (_name, path, status, code) => {
    expect(await errorOf(await h.fetch(path))).toMatchObject({ status, code });
  });

  it.each([
    ['no keys', { keys: [] }, 400, 'bad_prefetch'],
    ['non-string keys', { keys: [1] }, 400, 'bad_prefetch'],
    ['extra fields', { keys: ['a'], other: 1 }, 400, 'bad_prefetch'],
    [
      'too many keys',
      { keys: Array.from({ length: PREFETCH_MAX_KEYS + 1 }, (_, i) => `k${i}`) },
      400,
      'bad_prefetch',
    ],
    ['a key over maxKeyBytes', { keys: ['k'.repeat(17)] }, 414, 'key_too_long'],
  ])('prefetch refuses %s and records nothing', async (_name, body, status, code) => {
    expect(await errorOf(await h.fetch('/v1/maps/users/prefetch', json(body)))).toMatchObject({
      status,
      code,
    });
    expect(h.store.takePrefetch(10)).toEqual([]);
  });

  it('prefetch refuses an undeclared map, malformed JSON and other content types', async () => {
    const undeclared = await h.fetch('/v1/maps/orders/prefetch', json({ keys: ['a'] }));
    expect(await errorOf(undeclared)).toMatchObject({ status: 404, code: 'unknown_map' });
    const malformed = await h.fetch('/v1/maps/users/prefetch', {
      ...json(null),
      body: '{"keys":',
    });
    expect(await errorOf(malformed)).toMatchObject({ status: 400, code: 'malformed_json' });
    const text = await h.fetch('/v1/maps/users/prefetch', {
      method: 'POST',
      body: 'a',
      headers: { 'content-type': 'text/plain' },
    });
    expect(await errorOf(text)).toMatchObject({ status: 415, code: 'unsupported_content_type' });
    expect(h.store.takePrefetch(10)).toEqual([]);
  });
});

describe('maps not declared', () => {
  it('answers map_not_found for stats of a map never used, without creating it', async () => {
    const h = await startHarness({});
    try {
      expect(await errorOf(await h.fetch('/v1/maps/fresh/stats'))).toMatchObject({
        status: 404,
        code: 'map_not_found',
      });
      expect(h.store.getMap('fresh')).toBeUndefined();
    } finally {
      await h.close();
    }
  });
});
