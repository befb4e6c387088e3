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
