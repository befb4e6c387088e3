/**
 * The real hazelcast-client@5.6.0 against a node (spec §8 test plan, one member): connect, CRUD,
 * values shared with the HTTP API, near-cache hits, invalidation, lost invalidations, reconnect,
 * restart, heartbeat and refusals.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ClientMessageType as C,
  MapMessageType as M,
} from '../../../cache-node/src/protocol/message-types.js';
import { encodeString, partitionIdOf } from '../../../cache-node/src/data/index.js';
import { ErrorCode } from '../../../cache-node/src/protocol/errors.js';
import {
  ManualClock,
  eventually,
  newClient,
  startTestNode,
  type Client,
  type TestNode,
} from './support/node.js';

const unhandled: unknown[] = [];
process.on('unhandledRejection', (e) => unhandled.push(e));

let node: TestNode;
const clock = new ManualClock();
const clients: Client[] = [];

async function client(opts: Parameters<typeof newClient>[1] = {}): Promise<Client> {
  const c = await newClient(node.port, opts);
  clients.push(c);
  return c;
}

const svc = () => node.protocol.service();
const count = (type: number) => svc().requestCounts.get(type) ?? 0;

beforeAll(async () => {
  node = await startTestNode({ clock, config: { maps: [], undeclaredMaps: 'allow' } });
}, 30_000);

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.shutdown().catch(() => undefined)));
});

afterAll(async () => {
  await node?.stop();
  expect(unhandled).toEqual([]);
}, 30_000);

describe('hazelcast-client against one node', () => {
  it('connects: one member, auth, cluster view and backup listener', async () => {
    const before = [C.AUTHENTICATION, C.ADD_CLUSTER_VIEW_LISTENER, C.LOCAL_BACKUP_LISTENER].map(
      count,
    );
    const c = await client();
    const members = c.getCluster().getMembers();
    expect(members).toHaveLength(1);
    expect(members[0].uuid.toString()).toBe(svc().view.localMember.uuid);
    const after = [C.AUTHENTICATION, C.ADD_CLUSTER_VIEW_LISTENER, C.LOCAL_BACKUP_LISTENER].map(
      count,
    );
    expect(after.map((n, i) => n - before[i])).toEqual([1, 1, 1]);
    // The client computes partitions exactly as the node does (strings and numbers, random).
    const ps = c.getPartitionService();
    const double = (n: number) => {
      const d = Buffer.alloc(16);
      d.writeInt32BE(-10, 4); // Double, the client's default for JS numbers
      d.writeDoubleBE(n, 8);
      return d;
    };
    for (let i = 0; i < 500; i++) {
      const s =
        Math.random()
          .toString(36)
          .repeat(1 + (i % 5)) + String.fromCodePoint(0x20 + i);
      expect(ps.getPartitionId(s)).toBe(partitionIdOf(encodeString(s), 271));
      const n = (Math.random() - 0.5) * 10 ** (i % 12);
      expect(ps.getPartitionId(n)).toBe(partitionIdOf(double(n), 271));
    }
  }, 30_000);

  it('serves the IMap operations', async () => {
    const c = await client();
    const m = await c.getMap<string, unknown>('crud');
    expect(await m.put('s', 'text')).toBeNull();
    expect(await m.put('s', 'text2')).toBe('text');
    await m.put('j', { a: [1, 2], b: 'x' });
    await m.set('n', 42.5);
    await m.set('b', true);
    expect(await m.get('j')).toEqual({ a: [1, 2], b: 'x' });
    expect(await m.get('n')).toBe(42.5);
    expect(await m.get('b')).toBe(true);
    expect(await m.putIfAbsent('s', 'other')).toBe('text2');
    expect(await m.putIfAbsent('new', 'v')).toBeNull();
    expect(await m.containsKey('new')).toBe(true);
    expect(await m.remove('new')).toBe('v');
    expect(await m.containsKey('new')).toBe(false);
    await m.delete('b');
    expect(await m.get('b')).toBeNull();
    await m.putAll(Array.from({ length: 50 }, (_, i): [string, unknown] => [`k${i}`, i]));
    const all = await m.getAll(['k1', 'k7', 'missing']);
    expect(new Map(all)).toEqual(
      new Map<string, unknown>([
        ['k1', 1],
        ['k7', 7],
      ]),
    );
    expect(await m.size()).toBe(53);
    expect(await m.evict('k1')).toBe(true);
    expect(await m.evict('k1')).toBe(false);
    await m.evictAll();
    expect(await m.size()).toBe(0);
    await m.put('x', 1);
    await m.clear();
    expect(await m.isEmpty()).toBe(true);
  }, 30_000);

  it('honours TTL on put and set (node clock)', async () => {
    const c = await client();
    const m = await c.getMap<string, string>('ttl');
    await m.put('a', 'v', 1000);
    await m.set('b', 'v', 5000);
    await m.set('c', 'v');
    clock.advance(2000);
    expect(await m.get('a')).toBeNull();
    expect(await m.get('b')).toBe('v');
    clock.advance(4000);
    expect(await m.get('b')).toBeNull();
    expect(await m.get('c')).toBe('v');
  }, 30_000);

  it('shares values with the HTTP API both ways', async () => {
    const c = await client();
    const m = await c.getMap<string, unknown>('shared');
    const base = `http://127.0.0.1:${node.httpPort}/v1/maps/shared/entries`;
    let res = await fetch(`${base}/fromHttp`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ owner: 'http', n: 1 }),
    });
    expect(res.ok).toBe(true);
    expect(await m.get('fromHttp')).toEqual({ owner: 'http', n: 1 });
    await m.put('fromClient', { owner: 'client' });
    res = await fetch(`${base}/fromClient`);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({ owner: 'client' });
    await m.put('text', 'plain');
    expect(await (await fetch(`${base}/text`)).text()).toBe('plain');
  }, 30_000);

  it('serves replace, replace(k, old, new), remove(k, v), tryPut, tryRemove, setTtl, containsValue, keySet, values, entrySet', async () => {
    const c = await client();
    const m = await c.getMap<string, unknown>('more');
    const types = [
      M.REPLACE,
      M.REPLACE_IF_SAME,
      M.REMOVE_IF_SAME,
      M.TRY_PUT,
      M.TRY_REMOVE,
      M.SET_TTL,
      M.CONTAINS_VALUE,
      M.KEY_SET,
      M.VALUES,
      M.ENTRY_SET,
    ];
    const before = types.map(count);
    // replace writes only an existing key and returns the old value.
    expect(await m.replace('r', 1)).toBeNull();
    expect(await m.containsKey('r')).toBe(false);
    await m.put('r', 1);
    expect(await m.replace('r', 2)).toBe(1);
    expect(await m.replaceIfSame('r', 1, 3)).toBe(false);
    expect(await m.get('r')).toBe(2);
    expect(await m.replaceIfSame('r', 2, 3)).toBe(true);
    expect(await m.replaceIfSame('absent', 2, 3)).toBe(false);
    expect(await m.containsKey('absent')).toBe(false);
    expect(await m.remove('r', 2)).toBe(false);
    expect(await m.remove('r', 3)).toBe(true);
    expect(await m.containsKey('r')).toBe(false);
    expect(await m.tryPut('t', 'v', 100)).toBe(true);
    expect(await m.get('t')).toBe('v');
    expect(await m.tryRemove('t', 100)).toBe(true);
    expect(await m.tryRemove('t', 100)).toBe(false);

    // Entries written over HTTP (JSON) and by the client, read back by every map-wide read.
    const res = await fetch(`http://127.0.0.1:${node.httpPort}/v1/maps/more/entries/fromHttp`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ owner: 'http', n: 1 }),
    });
    expect(res.ok).toBe(true);
    await m.put('fromClient', 'text');
    await m.put('number', 2.5);
    expect([...(await m.keySet())].sort()).toEqual(['fromClient', 'fromHttp', 'number']);
    const values = (await m.values()).toArray();
    expect(values).toHaveLength(3);
    expect(values).toEqual(expect.arrayContaining([{ owner: 'http', n: 1 }, 'text', 2.5]));
    expect(new Map(await m.entrySet())).toEqual(
      new Map<string, unknown>([
        ['fromHttp', { owner: 'http', n: 1 }],
        ['fromClient', 'text'],
        ['number', 2.5],
      ]),
    );
    // Values compare by serialized form: the HTTP JSON text is what the client serializes.
    expect(await m.containsValue({ owner: 'http', n: 1 })).toBe(true);
    expect(await m.containsValue(2.5)).toBe(true);
    expect(await m.containsValue('2.5')).toBe(false);

    // setTtl: from now, on the node's clock; 0 = never; a missing key answers false.
    expect(await m.setTtl('fromClient', 1000)).toBe(true);
    expect(await m.setTtl('number', 0)).toBe(true);
    expect(await m.setTtl('missing', 1000)).toBe(false);
    clock.advance(1500);
    expect(await m.get('fromClient')).toBeNull();
    expect(await m.get('number')).toBe(2.5);
    expect(types.map((t, i) => count(t) - before[i]).every((n) => n > 0)).toBe(true);
  }, 30_000);

  it('serves near-cache hits without asking the node, absent keys included', async () => {
    const c = await client({ nearCache: true });
    const m = await c.getMap<string, string>('nc');
    await m.put('hit', 'v');
    expect(await m.get('hit')).toBe('v');
    expect(await m.get('absent')).toBeNull();
    const gets = count(M.GET);
    for (let i = 0; i < 20; i++) {
      expect(await m.get('hit')).toBe('v');
      expect(await m.get('absent')).toBeNull();
    }
    expect(count(M.GET) - gets).toBe(0);
  }, 30_000);

  it('invalidates a reader near cache when another client writes, clears, evicts all or destroys', async () => {
    const reader = await client({ nearCache: true });
    const writer = await client();
    const r = await reader.getMap<string, string>('nc');
    const w = await writer.getMap<string, string>('nc');
    await w.put('k', 'v1');
    expect(await r.get('k')).toBe('v1');
    await w.put('k', 'v2');
    expect(
      await eventually(
        () => r.get('k'),
        (v) => v === 'v2',
      ),
    ).toBe('v2');
    await w.put('gone', 'x');
    expect(await r.get('gone')).toBe('x');
    await w.remove('gone');
    expect(
      await eventually(
        () => r.get('gone'),
        (v) => v === null,
      ),
    ).toBeNull();

    for (const wipe of [() => w.clear(), () => w.evictAll()]) {
      await w.put('k', 'before');
      expect(
        await eventually(
          () => r.get('k'),
          (v) => v === 'before',
        ),
      ).toBe('before');
      await wipe();
      expect(
        await eventually(
          () => r.get('k'),
          (v) => v === null,
        ),
      ).toBeNull();
    }
    await w.put('k', 'before-destroy');
    expect(
      await eventually(
        () => r.get('k'),
        (v) => v === 'before-destroy',
      ),
    ).toBe('before-destroy');
    await w.destroy();
    expect(
      await eventually(
        () => r.get('k'),
        (v) => v === null,
      ),
    ).toBeNull();
  }, 30_000);

  it('invalidates a reader near cache exactly once per change by replace, replace(k, old, new), remove(k, v) and setTtl', async () => {
    const reader = await client({ nearCache: true });
    const writer = await client();
    const r = await reader.getMap<string, string>('nc');
    const w = await writer.getMap<string, string>('nc');
    const sent = async () => {
      const text = await (await fetch(`http://127.0.0.1:${node.httpPort}/metrics`)).text();
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('metadatacache_invalidations_sent_total{') &&
            l.includes('map="nc"') &&
            l.includes('target="client"'),
        );
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
    };
    await w.put('cas', 'v1');
    expect(
      await eventually(
        () => r.get('cas'),
        (v) => v === 'v1',
      ),
    ).toBe('v1');
    /** A write, then the reader sees `expected` and the node sent `events` invalidations. */
    const check = async (work: () => Promise<unknown>, expected: string | null, events: number) => {
      const start = await sent();
      await work();
      expect(
        await eventually(
          () => r.get('cas'),
          (v) => v === expected,
        ),
      ).toBe(expected);
      expect(await eventually(sent, (n) => n - start >= events)).toBe(start + events);
    };
    await check(() => w.replace('cas', 'v2'), 'v2', 1);
    await check(() => w.replaceIfSame('cas', 'wrong', 'v3'), 'v2', 0);
    await check(() => w.replaceIfSame('cas', 'v2', 'v3'), 'v3', 1);
    await check(() => w.remove('cas', 'wrong'), 'v3', 0);
    await check(() => w.remove('cas', 'v3'), null, 1);
    await check(() => w.replace('cas', 'v4'), null, 0);
    await w.put('cas', 'v5');
    expect(
      await eventually(
        () => r.get('cas'),
        (v) => v === 'v5',
      ),
    ).toBe('v5');
    // setTtl leaves the value but drops the reader's copy: the next read asks the node.
    const gets = count(M.GET);
    await check(() => w.setTtl('cas', 60_000), 'v5', 1);
    const served = async () => {
      await r.get('cas');
      return count(M.GET) - gets;
    };
    expect(await eventually(served, (n) => n > 0)).toBeGreaterThan(0);
  }, 30_000);

  it('recovers from lost invalidations: >= 10 by anti-entropy, < 10 by partition UUID rotation', async () => {
    const reader = await client({ nearCache: true });
    const writer = await client();
    const r = await reader.getMap<string, string>('nc');
    const w = await writer.getMap<string, string>('nc');
    await w.put('lost', 'v0');
    expect(
      await eventually(
        () => r.get('lost'),
        (v) => v === 'v0',
      ),
    ).toBe('v0');

    // One lost invalidation: the client cannot notice it (documented client limitation) …
    svc().dropNextInvalidations = 1;
    await w.put('lost', 'v1');
    expect(await r.get('lost')).toBe('v0');
    // … until the node rotates that partition's UUID (what it does when it knows it lost events).
    svc().rotatePartitionUuid(partitionIdOf(encodeString('lost'), 271));
    expect(
      await eventually(
        () => r.get('lost'),
        (v) => v === 'v1',
        10_000,
        100,
      ),
    ).toBe('v1');

    // Ten lost: the reconciliation task sees the sequence gap and drops the stale entry.
    svc().dropNextInvalidations = 10;
    for (let i = 2; i <= 11; i++) await w.put('lost', `v${i}`);
    expect(await r.get('lost')).toBe('v1');
    const fetches = count(M.FETCH_NEAR_CACHE_INVALIDATION_METADATA);
    expect(
      await eventually(
        () => r.get('lost'),
        (v) => v === 'v11',
        10_000,
        100,
      ),
    ).toBe('v11');
    expect(count(M.FETCH_NEAR_CACHE_INVALIDATION_METADATA)).toBeGreaterThan(fetches);
  }, 30_000);

  it('reconnects to the same cluster and reads fresh values (clear on re-registration)', async () => {
    const reader = await client({ nearCache: true });
    const writer = await client();
    const r = await reader.getMap<string, string>('nc');
    const w = await writer.getMap<string, string>('nc');
    await w.put('rc', 'old');
    expect(
      await eventually(
        () => r.get('rc'),
        (v) => v === 'old',
      ),
    ).toBe('old');
    const readerUuid = reader.getLocalEndpoint().uuid.toString();
    const registrations = count(M.ADD_NEAR_CACHE_INVALIDATION_LISTENER);
    const proxies = count(C.CREATE_PROXIES);
    expect(svc().closeAll((conn) => conn.clientUuid === readerUuid)).toBe(1);
    await w.put('rc', 'new'); // written while the reader is away: its invalidation is lost
    await eventually(
      () => Promise.resolve(count(C.CREATE_PROXIES)),
      (n) => n > proxies,
      15_000,
      50,
    );
    expect(count(M.ADD_NEAR_CACHE_INVALIDATION_LISTENER)).toBeGreaterThan(registrations);
    expect(
      await eventually(
        () => r.get('rc'),
        (v) => v === 'new',
        5000,
      ),
    ).toBe('new');
  }, 30_000);

  it('answers pings on idle connections and is never closed for heartbeat timeout', async () => {
    const c = await client({
      properties: {
        'hazelcast.client.heartbeat.interval': 200,
        'hazelcast.client.heartbeat.timeout': 2000,
      },
    });
    const pings = count(C.PING);
    await eventually(
      () => Promise.resolve(count(C.PING)),
      (n) => n >= pings + 5,
      10_000,
      100,
    );
    expect(count(C.PING)).toBeGreaterThanOrEqual(pings + 5);
    expect(c.getLifecycleService().isRunning()).toBe(true);
    const m = await c.getMap<string, string>('hb');
    await m.put('x', 'y');
    expect(await m.get('x')).toBe('y');
  }, 30_000);

  it('delivers entry events to entry listeners (all keys, one key, with and without values)', async () => {
    const listenerClient = await client();
    const writer = await client();
    const lm = await listenerClient.getMap<string, string>('events');
    const w = await writer.getMap<string, string>('events');
    const seen: string[] = [];
    const keyOnly: string[] = [];
    const listener = {
      added: (e: { key: string; value: string }) => void seen.push(`added ${e.key}=${e.value}`),
      updated: (e: { key: string; value: string; oldValue: string }) =>
        void seen.push(`updated ${e.key}=${e.value} was ${e.oldValue}`),
      removed: (e: { key: string; oldValue: string }) =>
        void seen.push(`removed ${e.key} was ${e.oldValue}`),
      evicted: (e: { key: string }) => void seen.push(`evicted ${e.key}`),
      mapCleared: () => void seen.push('cleared'),
    };
    const id = await lm.addEntryListener(listener, undefined, true);
    await lm.addEntryListener(
      { added: (e: { key: string }) => void keyOnly.push(e.key) },
      'b',
      false,
    );
    await w.put('a', '1');
    await w.put('a', '2');
    await w.put('b', '3');
    await w.remove('a');
    await w.evict('b');
    await w.clear();
    const expected = [
      'added a=1',
      'updated a=2 was 1',
      'added b=3',
      'removed a was 2',
      'evicted b',
      'cleared',
    ];
    await eventually(
      () => Promise.resolve(seen.length),
      (n) => n >= expected.length,
    );
    expect(seen).toEqual(expected);
    expect(keyOnly).toEqual(['b']);
    expect(await lm.removeEntryListener(id)).toBe(true);
    await w.put('c', '4');
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toHaveLength(expected.length);
  }, 30_000);

  it('makes the client retry retryable errors (46, 39) but not others (61, 18)', async () => {
    const c = await client();
    const m = await c.getMap<string, string>('errors');
    await m.put('k', 'v');
    const gets = count(M.GET);
    svc().failNext = { type: M.GET, kind: ErrorCode.RETRYABLE_HAZELCAST, count: 2 };
    expect(await m.get('k')).toBe('v');
    expect(count(M.GET) - gets).toBe(3);
    svc().failNext = { type: M.GET, kind: ErrorCode.PARTITION_MIGRATING, count: 1 };
    expect(await m.get('k')).toBe('v');
    for (const kind of [ErrorCode.UNSUPPORTED_OPERATION, ErrorCode.HAZELCAST]) {
      const before = count(M.GET);
      svc().failNext = { type: M.GET, kind, count: 1 };
      await expect(m.get('k')).rejects.toThrow('injected failure');
      expect(count(M.GET) - before).toBe(1);
    }
    // An unsupported message (a lock) is refused with code 61, and the connection keeps working.
    await expect(m.lock('k')).rejects.toThrow(/Unrecognized client message/);
    expect(await m.get('k')).toBe('v');
  }, 30_000);

  it('refuses a wrong cluster name and keeps serving others', async () => {
    const good = await client();
    await expect(
      newClient(node.port, {
        clusterName: 'not-dev',
        extra: { connectionStrategy: { connectionRetry: { clusterConnectTimeoutMillis: 1000 } } },
      }),
    ).rejects.toThrow();
    const m = await good.getMap<string, string>('still');
    await m.put('a', 'b');
    expect(await m.get('a')).toBe('b');
  }, 30_000);
});

describe('restart with a new cluster id', () => {
  it('makes a connected client drop its near cache and read fresh data', async () => {
    const port = node.port;
    const httpPort = node.httpPort;
    // A call made while the member is down is retried until the invocation timeout (120 s by
    // default): bound it so each polling attempt below fails fast and is tried again.
    const properties = { 'hazelcast.client.invocation.timeout.millis': 10_000 };
    const reader = await client({ nearCache: true, properties });
    const writer = await client({ properties });
    const r = await reader.getMap<string, string>('nc');
    await (await writer.getMap<string, string>('nc')).put('rs', 'before');
    expect(
      await eventually(
        () => r.get('rs'),
        (v) => v === 'before',
      ),
    ).toBe('before');
    const oldCluster = svc().view.clusterId;
    await node.stop();
    node = await startTestNode({
      port,
      httpPort,
      clock,
      config: { maps: [], undeclaredMaps: 'allow' },
    });
    expect(svc().view.clusterId).not.toBe(oldCluster);
    // The writer reconnects too; write the new value once it is back.
    const w = await writer.getMap<string, string>('nc');
    await eventually(
      () =>
        w.put('rs', 'after').then(
          () => true,
          () => false,
        ),
      (ok) => ok,
      20_000,
      200,
    );
    expect(
      await eventually(
        () => r.get('rs'),
        (v) => v === 'after',
        20_000,
        100,
      ),
    ).toBe('after');
  }, 90_000);
});

describe('batched invalidations (invalidation.batchMaxDelayMillis)', () => {
  it('delivers batch events the client applies, within the bound', async () => {
    const batched = await startTestNode({
      config: { invalidation: { batchMaxDelayMillis: 5, batchSize: 10 } },
    });
    const cfg = { nearCache: true };
    const reader = await newClient(batched.port, cfg);
    const writer = await newClient(batched.port);
    try {
      const r = await reader.getMap<string, number>('nc');
      const w = await writer.getMap<string, number>('nc');
      const keys = Array.from({ length: 30 }, (_, i) => `b${i}`);
      for (const k of keys) await w.set(k, 0);
      for (const k of keys) expect(await r.get(k)).toBe(0);
      await Promise.all(keys.map((k) => w.set(k, 1))); // several keys per 5 ms batch
      for (const k of keys)
        expect(
          await eventually(
            () => r.get(k),
            (v) => v === 1,
          ),
        ).toBe(1);
      await w.clear();
      expect(
        await eventually(
          () => r.get('b0'),
          (v) => v === null,
        ),
      ).toBeNull();
    } finally {
      await reader.shutdown();
      await writer.shutdown();
      await batched.stop();
    }
  }, 30_000);
});
