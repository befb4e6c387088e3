import { errorOf, startHarness, type Harness } from './harness.js';

const TOKEN = 'test-token-0123456789';

const settings = (body: unknown, type = 'application/json') => ({
  method: 'PUT',
  body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': type, authorization: `Bearer ${TOKEN}` },
});
const auth = { headers: { authorization: `Bearer ${TOKEN}` } };

describe('admin API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      maps: [{ name: 'users', maxEntries: 100, ttlSeconds: 60 }],
      credentials: { token: TOKEN, username: 'ops', password: 'secret' },
    });
  });
  afterAll(() => h.close());

  it('PUT /v1/admin/maps/{map}/settings changes live settings and returns them', async () => {
    const res = await h.fetch('/v1/admin/maps/users/settings', settings({ maxEntries: 50 }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'users', maxEntries: 50, ttlSeconds: 60 });
    expect(h.store.getMap('users')!.settings.maxEntries).toBe(50);
  });

  it.each([
    ['an empty patch', {}, 400, 'invalid_settings'],
    ['an out-of-range value', { maxEntries: 0 }, 400, 'invalid_settings'],
    ['an unknown key', { maxEntires: 5 }, 400, 'invalid_settings'],
    ['idle not below the TTL', { maxIdleSeconds: 60 }, 400, 'invalid_settings'],
    ['a JSON array', [1], 400, 'invalid_settings'],
  ])('refuses %s and changes nothing', async (_name, body, status, code) => {
    const before = { ...h.store.getMap('users')!.settings };
    const res = await h.fetch('/v1/admin/maps/users/settings', settings(body));
    const error = await errorOf(res);
    expect(error).toMatchObject({ status, code });
    expect(h.store.getMap('users')!.settings).toEqual(before);
  });

  it('names the key and the rule in the message', async () => {
    const res = await h.fetch('/v1/admin/maps/users/settings', settings({ maxEntries: 0 }));
    expect((await errorOf(res)).message).toBe('maxEntries: must be >= 1');
  });

  it('refuses an undeclared map, malformed JSON and non-JSON bodies', async () => {
    const res = await h.fetch('/v1/admin/maps/orders/settings', settings({ maxEntries: 5 }));
    expect(await errorOf(res)).toMatchObject({ status: 404, code: 'unknown_map' });
    const bad = await h.fetch('/v1/admin/maps/users/settings', settings('{"maxEntries":'));
    expect(await errorOf(bad)).toMatchObject({ status: 400, code: 'malformed_json' });
    const text = await h.fetch('/v1/admin/maps/users/settings', settings('x', 'text/plain'));
    expect(await errorOf(text)).toMatchObject({ status: 415, code: 'unsupported_content_type' });
  });

  it('GET /v1/admin/config shows the effective config with secrets redacted', async () => {
    const res = await h.fetch('/v1/admin/config', auth);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.credentials).toEqual({
      token: '<redacted>',
      username: '<redacted>',
      password: '<redacted>',
    });
    expect(JSON.stringify(body)).not.toContain(TOKEN);
    expect(body.maps).toEqual([
      { name: 'users', maxEntries: 50, eviction: 'tinylfu', ttlSeconds: 60, maxIdleSeconds: 0 },
    ]);
    expect(body.clusterName).toBe('dev');
  });
});
