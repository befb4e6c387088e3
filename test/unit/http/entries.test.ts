import { jest } from '@jest/globals';
import { encodeJson, encodeString, keyFromString } from '../../../cache-node/src/data/index.js';
import { errorOf, startHarness, type Harness } from './harness.js';

jest.setTimeout(15_000);

const put = (h: Harness, path: string, body: string | Buffer, type?: string) =>
  h.fetch(path, {
    method: 'PUT',
    body,
    headers: type === undefined ? {} : { 'content-type': type },
  });

describe('entries API', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      maps: [
        { name: 'users', maxEntries: 100 },
        { name: 'tiny', maxEntries: 1, eviction: 'none' },
      ],
      limits: { maxKeyBytes: 16, maxValueBytes: 64 },
    });
  });
  afterAll(() => h.close());

  const users = (key: string) => h.store.getMap('users')!.peek(keyFromString(key));

  it('stores JSON as a HazelcastJsonValue and returns it with its content type', async () => {
    const res = await put(h, '/v1/maps/users/entries/u1', '{"name":"ada"}', 'application/json');
    expect(res.status).toBe(201);
    expect(users('u1')).toEqual(encodeJson('{"name":"ada"}'));
    const got = await h.fetch('/v1/maps/users/entries/u1');
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await got.text()).toBe('{"name":"ada"}');
  });

  it('stores text as a string value; a second put answers 204', async () => {
    expect((await put(h, '/v1/maps/users/entries/t', 'hello', 'text/plain')).status).toBe(201);
    expect(
      (await put(h, '/v1/maps/users/entries/t', 'héllo', 'text/plain; charset=utf-8')).status,
    ).toBe(204);
    expect(users('t')).toEqual(encodeString('héllo'));
    const got = await h.fetch('/v1/maps/users/entries/t');
    expect(got.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await got.text()).toBe('héllo');
  });

  it('round-trips bytes, including an empty body', async () => {
    const bytes = Buffer.from([0, 1, 254, 255]);
    await put(h, '/v1/maps/users/entries/b', bytes, 'application/octet-stream');
    const got = await h.fetch('/v1/maps/users/entries/b');
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await got.arrayBuffer())).toEqual(bytes);
    await put(h, '/v1/maps/users/entries/e', Buffer.alloc(0), 'application/octet-stream');
    expect((await h.fetch('/v1/maps/users/entries/e')).status).toBe(200);
  });

  it('decodes percent-encoded keys as UTF-8 strings', async () => {
    await put(h, `/v1/maps/users/entries/${encodeURIComponent('a/é')}`, 'x', 'text/plain');
    expect(users('a/é')).toEqual(encodeString('x'));
  });

  it('answers 404 for a missing key, and DELETE 204 then 404', async () => {
    expect(await errorOf(await h.fetch('/v1/maps/users/entries/nope'))).toMatchObject({
      status: 404,
      code: 'not_found',
    });
    await put(h, '/v1/maps/users/entries/d', 'x', 'text/plain');
    expect((await h.fetch('/v1/maps/users/entries/d', { method: 'DELETE' })).status).toBe(204);
    expect(users('d')).toBeUndefined();
    const again = await h.fetch('/v1/maps/users/entries/d', { method: 'DELETE' });
    expect(await errorOf(again)).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('applies ?ttl in seconds against the store clock', async () => {
    await put(h, '/v1/maps/users/entries/ttl?ttl=10', 'x', 'text/plain');
    h.clock.advance(9_000);
    expect((await h.fetch('/v1/maps/users/entries/ttl')).status).toBe(200);
    h.clock.advance(2_000);
    expect((await h.fetch('/v1/maps/users/entries/ttl')).status).toBe(404);
  });

  describe('refuses bad input and changes nothing', () => {
    it.each([
      ['an undeclared map', '/v1/maps/orders/entries/k', 'x', 'text/plain', 404, 'unknown_map'],
      ['a bad map name', '/v1/maps/b%20d/entries/k', 'x', 'text/plain', 400, 'invalid_map_name'],
      [
        'a key over maxKeyBytes',
        `/v1/maps/users/entries/${'k'.repeat(17)}`,
        'x',
        'text/plain',
        414,
        'key_too_long',
      ],
      [
        'a body over maxValueBytes',
        '/v1/maps/users/entries/k',
        'x'.repeat(65),
        'text/plain',
        413,
        'value_too_large',
      ],
      ['a negative ttl', '/v1/maps/users/entries/k?ttl=-1', 'x', 'text/plain', 400, 'bad_ttl'],
      ['a fractional ttl', '/v1/maps/users/entries/k?ttl=1.5', 'x', 'text/plain', 400, 'bad_ttl'],
      [
        'a ttl over a year',
        '/v1/maps/users/entries/k?ttl=31536001',
        'x',
        'text/plain',
        400,
        'bad_ttl',
      ],
      ['a repeated ttl', '/v1/maps/users/entries/k?ttl=1&ttl=2', 'x', 'text/plain', 400, 'bad_ttl'],
      [
        'an unsupported content type',
        '/v1/maps/users/entries/k',
        '<a/>',
        'application/xml',
        415,
        'unsupported_content_type',
      ],
      [
        'a non-UTF-8 charset',
        '/v1/maps/users/entries/k',
        'x',
        'text/plain; charset=latin1',
        415,
        'unsupported_charset',
      ],
      [
        'malformed JSON',
        '/v1/maps/users/entries/k',
        '{"a":',
        'application/json',
        400,
        'malformed_json',
      ],
    ])('%s', async (_name, path, body, type, status, code) => {
      const before = await h.metrics.text();
      const res = await put(h, path, body, type);
      expect(await errorOf(res)).toMatchObject({ status, code });
      expect(users('k')).toBeUndefined();
      expect(h.store.getMap('orders')).toBeUndefined();
      expect(before).not.toBe(''); // metrics stayed readable
    });

    it('a missing content type (415)', async () => {
      const res = await h.fetch('/v1/maps/users/entries/k', {
        method: 'PUT',
        body: Buffer.from('x'),
        headers: { 'content-type': '' },
      });
      expect(await errorOf(res)).toMatchObject({ status: 415, code: 'unsupported_content_type' });
      expect(users('k')).toBeUndefined();
    });

    it('invalid UTF-8 text (400)', async () => {
      const res = await put(h, '/v1/maps/users/entries/k', Buffer.from([0xc3, 0x28]), 'text/plain');
      expect(await errorOf(res)).toMatchObject({ status: 400, code: 'invalid_utf8' });
    });

    it('a full map with eviction "none" (507) keeps the entry it has', async () => {
      expect((await put(h, '/v1/maps/tiny/entries/a', 'x', 'text/plain')).status).toBe(201);
      const res = await put(h, '/v1/maps/tiny/entries/b', 'y', 'text/plain');
      expect(await errorOf(res)).toMatchObject({ status: 507, code: 'capacity' });
      expect(h.store.getMap('tiny')!.size).toBe(1);
    });

    it('an undecodable key (400)', async () => {
      expect(await errorOf(await h.fetch('/v1/maps/users/entries/%E0%A4%A'))).toMatchObject({
        status: 400,
        code: 'bad_request',
      });
    });

    it('a corrupt gzip body (400) and an unknown encoding (415)', async () => {
      const gzip = await h.fetch('/v1/maps/users/entries/k', {
        method: 'PUT',
        body: 'not gzip',
        headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' },
      });
      expect(await errorOf(gzip)).toMatchObject({ status: 400, code: 'bad_request' });
      const br = await h.fetch('/v1/maps/users/entries/k', {
        method: 'PUT',
        body: 'x',
        headers: { 'content-type': 'text/plain', 'content-encoding': 'compress' },
      });
      expect(await errorOf(br)).toMatchObject({ status: 415, code: 'unsupported_encoding' });
      expect(users('k')).toBeUndefined();
    });

    it('another method on an entry (405 with Allow)', async () => {
      const res = await h.fetch('/v1/maps/users/entries/k', { method: 'POST', body: 'x' });
      expect(res.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE');
      expect(await errorOf(res)).toMatchObject({ status: 405, code: 'method_not_allowed' });
    });

    it('an unknown route (404 JSON)', async () => {
      expect(await errorOf(await h.fetch('/v1/nothing'))).toMatchObject({
        status: 404,
        code: 'no_route',
      });
    });
  });

  it('counts operations by result in the metrics', async () => {
    await h.fetch('/v1/maps/users/entries/absent');
    const text = await h.metrics.text();
    expect(text).toMatch(
      /metadatacache_operations_total\{map="users",api="http",operation="get",result="miss"\} [1-9]/,
    );
    expect(text).toMatch(
      /metadatacache_operations_total\{map="users",api="http",operation="put",result="ok"\} [1-9]/,
    );
    expect(text).toMatch(
      /metadatacache_operations_total\{map="_unknown",api="http",operation="put",result="rejected"\} [1-9]/,
    );
    expect(text).toMatch(
      /metadatacache_operation_duration_seconds_bucket\{le="0.000025",map="users",api="http",operation="get"\}/,
    );
  });
});

describe('maps not declared', () => {
  it('a read of a map never written is a 404 and leaves no map or metric series behind', async () => {
    const h = await startHarness({});
    try {
      const res = await h.fetch('/v1/maps/anything/entries/k');
      expect(await errorOf(res)).toMatchObject({ status: 404, code: 'not_found' });
      expect(h.store.getMap('anything')).toBeUndefined();
      expect(await h.metrics.text()).not.toContain('map="anything"');
      expect((await put(h, '/v1/maps/anything/entries/k', 'x', 'text/plain')).status).toBe(201);
      expect(h.store.getMap('anything')?.size).toBe(1);
    } finally {
      await h.close();
    }
  });
});

describe('service failures', () => {
  it('answer 500 with a JSON body and the node keeps serving', async () => {
    const h = await startHarness({}, (svc) => ({
      ...svc,
      get: () => Promise.reject(new Error('boom')),
    }));
    try {
      expect(await errorOf(await h.fetch('/v1/maps/m/entries/k'))).toEqual({
        status: 500,
        code: 'internal',
        message: 'internal error',
      });
      expect((await put(h, '/v1/maps/m/entries/k', 'x', 'text/plain')).status).toBe(201);
    } finally {
      await h.close();
    }
  });
});
