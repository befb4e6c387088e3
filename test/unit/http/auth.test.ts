import { keyFromString } from '../../../cache-node/src/data/index.js';
import { isAuthorized } from '../../../cache-node/src/http/auth.js';
import { errorOf, startHarness, type Harness } from './harness.js';

const TOKEN = 'test-token-0123456789';
const basic = (user: string, pw: string) =>
  `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

describe('isAuthorized', () => {
  const both = { token: TOKEN, username: 'ops', password: 'p:w' };
  it.each([
    [`Bearer ${TOKEN}`, both, true],
    [`bearer ${TOKEN}`, both, true],
    [`Bearer ${TOKEN}x`, both, false],
    ['Bearer', both, false],
    [basic('ops', 'p:w'), both, true],
    [basic('ops', 'p'), both, false],
    [basic('op', 'p:w'), both, false],
    ['Basic !!!', both, false],
    [basic('ops', 'p:w'), { token: TOKEN }, false],
    [`Bearer ${TOKEN}`, { username: 'ops', password: 'p:w' }, false],
    ['Digest x', both, false],
  ])('%s → %s', (header, creds, expected) => {
    expect(isAuthorized(header, creds)).toBe(expected);
  });
  it('refuses a missing header', () => {
    expect(isAuthorized(undefined, both)).toBe(false);
  });
});

describe('credentials on the HTTP API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ credentials: { token: TOKEN } });
  });
  afterAll(() => h.close());

  it.each(['/v1/stats', '/v1/maps/m/entries/k', '/v1/recommendations', '/v1/admin/config'])(
    '%s needs a token (401 with a challenge)',
    async (path) => {
      const res = await h.fetch(path);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metadatacache"');
      expect(await errorOf(res)).toMatchObject({ status: 401, code: 'unauthorized' });
      const wrong = await h.fetch(path, {
        headers: { authorization: 'Bearer wrong-token-000000' },
      });
      expect(await errorOf(wrong)).toMatchObject({ status: 401, message: 'invalid credentials' });
    },
  );

  it('a write without credentials changes nothing', async () => {
    const res = await h.fetch('/v1/maps/m/entries/k', {
      method: 'PUT',
      body: 'x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(401);
    expect(h.store.getMap('m')).toBeUndefined();
  });

  it('serves /v1 with the token', async () => {
    const res = await h.fetch('/v1/stats', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
  });

  it.each(['/healthz', '/readyz', '/metrics'])('%s stays open', async (path) => {
    expect((await h.fetch(path)).status).toBe(200);
  });
});

describe('health and metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ maps: [{ name: 'users', maxEntries: 7, maxSizeBytes: 4096 }] });
  });
  afterAll(() => h.close());

  it('/readyz follows readiness; /healthz does not', async () => {
    h.setReady(false);
    expect(await errorOf(await h.fetch('/readyz'))).toMatchObject({
      status: 503,
      code: 'not_ready',
    });
    expect((await h.fetch('/healthz')).status).toBe(200);
    expect(await h.metrics.text()).toContain('metadatacache_ready 0');
    h.setReady(true);
    expect(await (await h.fetch('/readyz')).json()).toEqual({ status: 'ready' });
    expect(await h.metrics.text()).toContain('metadatacache_ready 1');
  });

  it('/metrics serves the documented store metrics per map', async () => {
    await h.fetch('/v1/maps/users/entries/k', {
      method: 'PUT',
      body: 'v',
      headers: { 'content-type': 'text/plain' },
    });
    // Hot-key tracking samples reads: enough of them make the key's rank certain.
    for (let i = 0; i < 40; i++) h.store.getMap('users')!.get(keyFromString('k'));
    const res = await h.fetch('/metrics');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    for (const line of [
      'metadatacache_entries{map="users"} 1',
      'metadatacache_max_entries{map="users"} 7',
      'metadatacache_max_bytes{map="users"} 4096',
      'metadatacache_cache_hits_total{map="users"} 40',
      'metadatacache_puts_total{map="users"} 1',
      'metadatacache_hit_ratio{map="users"} 1',
      'metadatacache_hot_key_reads{map="users",rank="1",key="k"}',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toMatch(/metadatacache_bytes\{map="users"\} [1-9]\d*/);
  });
});
