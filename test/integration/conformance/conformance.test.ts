/**
 * The same client-visible scenarios against a MetadataCache node and, when java and the jar from
 * scripts/tools/hazelcast.sh are present, against a real Hazelcast 5.5.0 member (loopback,
 * multicast off, phone-home off, invalidation batching off), so the two can be compared.
 * Both run as separate processes; the node needs `npm run build` (the integration script does it).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import hz from 'hazelcast-client';
import { encodeString, partitionIdOf } from '../../../cache-node/src/data/index.js';
import {
  hazelcastUnavailable,
  startHazelcast,
  startMetadataCache,
  type Target,
} from './support/targets.js';

type Client = Awaited<ReturnType<typeof hz.Client.newHazelcastClient>>;

const unavailable = hazelcastUnavailable();
if (unavailable) {
  console.warn(`conformance: the real Hazelcast member is skipped: ${unavailable}`);
}

const targets: [string, () => Promise<Target>][] = [
  ['metadatacache', () => startMetadataCache({ maps: [], undeclaredMaps: 'allow' })],
  ...(unavailable
    ? []
    : [['hazelcast 5.5.0', () => startHazelcast()] as [string, () => Promise<Target>]]),
];

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await fn();
  while (!ok(v) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    v = await fn();
  }
  return v;
}

describe.each(targets)('conformance: %s', (_name, start) => {
  let target: Target;
  const clients: Client[] = [];
  const client = async (
    opts: { nearCache?: boolean; clusterName?: string; timeout?: number } = {},
  ) => {
    const c = await hz.Client.newHazelcastClient({
      clusterName: opts.clusterName ?? 'dev',
      network: { clusterMembers: [`${target.host}:${target.port}`] },
      ...(opts.nearCache ? { nearCaches: { nc: { invalidateOnChange: true } } } : {}),
      ...(opts.timeout
        ? { connectionStrategy: { connectionRetry: { clusterConnectTimeoutMillis: opts.timeout } } }
        : {}),
      properties: {
        'hazelcast.logging.level': 'OFF',
        'hazelcast.invalidation.min.reconciliation.interval.seconds': 1,
        'hazelcast.invalidation.reconciliation.interval.seconds': 2,
      },
    });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    target = await start();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.shutdown().catch(() => undefined)));
    await target?.stop();
  }, 60_000);

  it('connects: one member, partitions computed as the node does', async () => {
    const c = await client();
    expect(c.getCluster().getMembers()).toHaveLength(1);
    const ps = c.getPartitionService();
    expect(ps.getPartitionCount()).toBe(271);
    for (const k of ['key', 'k1', 'a', '', 'nc', 'hello world', 'ü€']) {
      expect(ps.getPartitionId(k)).toBe(partitionIdOf(encodeString(k), 271));
    }
  }, 60_000);

  it('IMap return values', async () => {
    const c = await client();
    const m = await c.getMap<string, unknown>('conf');
    await m.clear();
    expect(await m.put('a', 1)).toBeNull();
    expect(await m.put('a', 2)).toBe(1);
    expect(await m.putIfAbsent('a', 3)).toBe(2);
    expect(await m.putIfAbsent('b', { x: [1, 'y'] })).toBeNull();
    expect(await m.get('b')).toEqual({ x: [1, 'y'] });
    expect(await m.containsKey('b')).toBe(true);
    expect(await m.containsKey('zz')).toBe(false);
    expect(await m.remove('b')).toEqual({ x: [1, 'y'] });
    expect(await m.remove('b')).toBeNull();
    await m.set('s', 'text');
    await m.delete('s');
    expect(await m.get('s')).toBeNull();
    await m.putAll([
      ['p1', true],
      ['p2', 2.5],
      ['p3', 'three'],
    ]);
    const all = new Map(await m.getAll(['p1', 'p2', 'missing']));
    expect(all).toEqual(
      new Map<string, unknown>([
        ['p1', true],
        ['p2', 2.5],
      ]),
    );
    expect(await m.size()).toBe(4);
    expect(await m.evict('p3')).toBe(true);
    expect(await m.evict('p3')).toBe(false);
    await m.evictAll();
    expect(await m.size()).toBe(0);
    expect(await m.isEmpty()).toBe(true);
  }, 60_000);

  it('IMap conditional writes and map-wide reads', async () => {
    const c = await client();
    const m = await c.getMap<string, unknown>('conf-more');
    await m.clear();
    expect(await m.replace('a', 1)).toBeNull();
    expect(await m.containsKey('a')).toBe(false);
    expect(await m.size()).toBe(0);
    await m.put('a', 1);
    expect(await m.replace('a', 2)).toBe(1);
    expect(await m.replaceIfSame('a', 1, 3)).toBe(false);
    expect(await m.get('a')).toBe(2);
    expect(await m.replaceIfSame('a', 2, 3)).toBe(true);
    expect(await m.replaceIfSame('missing', 3, 4)).toBe(false);
    expect(await m.containsKey('missing')).toBe(false);
    expect(await m.remove('a', 2)).toBe(false);
    expect(await m.remove('a', 3)).toBe(true);
    expect(await m.remove('a', 3)).toBe(false);
    expect(await m.tryPut('t', 'v', 100)).toBe(true);
    expect(await m.get('t')).toBe('v');
    expect(await m.tryRemove('t', 100)).toBe(true);
    expect(await m.tryRemove('t', 100)).toBe(false);
    expect(await m.setTtl('missing', 1000)).toBe(false);
    await m.put('k1', { x: [1, 'y'] });
    await m.put('k2', 'two');
    await m.put('k3', 2.5);
    expect(await m.setTtl('k2', 600_000)).toBe(true);
    expect(await m.setTtl('k2', 0)).toBe(true);
    expect(await m.get('k2')).toBe('two');
    expect([...(await m.keySet())].sort()).toEqual(['k1', 'k2', 'k3']);
    const values = (await m.values()).toArray();
    expect(values).toHaveLength(3);
    expect(values).toEqual(expect.arrayContaining([{ x: [1, 'y'] }, 'two', 2.5]));
    expect(new Map(await m.entrySet())).toEqual(
      new Map<string, unknown>([
        ['k1', { x: [1, 'y'] }],
        ['k2', 'two'],
        ['k3', 2.5],
      ]),
    );
    expect(await m.containsValue({ x: [1, 'y'] })).toBe(true);
    expect(await m.containsValue(2.5)).toBe(true);
    expect(await m.containsValue('2.5')).toBe(false);
    expect(await m.isEmpty()).toBe(false);
    const empty = await c.getMap<string, unknown>('conf-empty');
    expect(await empty.keySet()).toEqual([]);
    expect((await empty.values()).toArray()).toEqual([]);
    expect(await empty.entrySet()).toEqual([]);
    expect(await empty.containsValue(1)).toBe(false);
  }, 60_000);

  it('near cache: replace, replace(k, old, new), remove(k, v) and setTtl reach a reader', async () => {
    const reader = await client({ nearCache: true });
    const writer = await client();
    const r = await reader.getMap<string, string>('nc');
    const w = await writer.getMap<string, string>('nc');
    const sees = async (expected: string | null) =>
      expect(
        await eventually(
          () => r.get('cas'),
          (v) => v === expected,
        ),
      ).toBe(expected);
    await w.put('cas', 'v1');
    await sees('v1');
    expect(await r.get('cas')).toBe('v1'); // now near-cached
    expect(await w.replace('cas', 'v2')).toBe('v1');
    await sees('v2');
    expect(await w.replaceIfSame('cas', 'v2', 'v3')).toBe(true);
    await sees('v3');
    expect(await w.remove('cas', 'v3')).toBe(true);
    await sees(null);
    await w.put('cas', 'v4');
    await sees('v4');
    expect(await w.setTtl('cas', 600_000)).toBe(true);
    await sees('v4');
  }, 60_000);

  it('near cache: another client write, clear and destroy reach a reader', async () => {
    const reader = await client({ nearCache: true });
    const writer = await client();
    const r = await reader.getMap<string, string>('nc');
    const w = await writer.getMap<string, string>('nc');
    await w.put('k', 'v1');
    expect(await r.get('k')).toBe('v1');
    expect(await r.get('k')).toBe('v1');
    await w.put('k', 'v2');
    expect(
      await eventually(
        () => r.get('k'),
        (v) => v === 'v2',
      ),
    ).toBe('v2');
    await w.clear();
    expect(
      await eventually(
        () => r.get('k'),
        (v) => v === null,
      ),
    ).toBeNull();
    await w.put('k', 'v3');
    expect(
      await eventually(
        () => r.get('k'),
        (v) => v === 'v3',
      ),
    ).toBe('v3');
    await w.destroy();
    expect(
      await eventually(
        () => r.get('k'),
        (v) => v === null,
      ),
    ).toBeNull();
  }, 60_000);

  it('refuses a wrong cluster name', async () => {
    await expect(client({ clusterName: 'not-dev', timeout: 1000 })).rejects.toThrow();
  }, 60_000);
});
