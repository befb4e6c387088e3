/**
 * hazelcast-client with smart routing against three member processes (the cluster's test
 * harness): one connection per member, every partition owned by a listed member, IMap operations
 * across partitions, near-cache hits for keys of every member (metadata answered for each member)
 * and invalidations after writes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import hz from 'hazelcast-client';
import { converged, TestCluster, waitFor, type Member } from '../cluster/harness.js';

type Client = Awaited<ReturnType<typeof hz.Client.newHazelcastClient>>;

const cluster = new TestCluster();
let members: Member[] = [];
const clients: Client[] = [];

function connect(nearCache: boolean): Promise<Client> {
  return hz.Client.newHazelcastClient({
    clusterName: 'dev',
    network: { clusterMembers: members.map((m) => `${m.host}:${m.port}`) },
    ...(nearCache ? { nearCaches: { nc: { invalidateOnChange: true } } } : {}),
    properties: {
      'hazelcast.logging.level': 'OFF',
      'hazelcast.invalidation.min.reconciliation.interval.seconds': 1,
      'hazelcast.invalidation.reconciliation.interval.seconds': 2,
    },
  }).then((c) => {
    clients.push(c);
    return c;
  });
}

/** Map.Get requests a member served (its operations counter), summed over members. */
async function servedGets(map: string): Promise<number[]> {
  return Promise.all(
    members.map(async (m) => {
      const text = await (await fetch(`${m.httpUrl}/metrics`)).text();
      return text
        .split('\n')
        .filter(
          (l) =>
            l.startsWith('metadatacache_operations_total{') &&
            l.includes(`map="${map}"`) &&
            l.includes('api="hazelcast"') &&
            l.includes('operation="get"'),
        )
        .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    }),
  );
}

beforeAll(async () => {
  members = await cluster.start(3);
  await waitFor(() => converged(cluster, 3), 30_000, '3 members to converge');
}, 90_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.shutdown().catch(() => undefined)));
  await cluster.stopAll();
}, 60_000);

describe('three members', () => {
  it('smart client: all members, IMap across partitions, near-cache hits and invalidations', async () => {
    const writer = await connect(false);
    const reader = await connect(true);
    expect(writer.getCluster().getMembers()).toHaveLength(3);

    const w = await writer.getMap<string, string>('nc');
    const r = await reader.getMap<string, string>('nc');
    const keys = Array.from({ length: 120 }, (_, i) => `key-${i}`);
    await w.putAll(keys.map((k): [string, string] => [k, `v1-${k}`]));
    expect(await w.size()).toBe(keys.length);
    expect((await w.getAll(keys)).length).toBe(keys.length);

    // Warm the reader's near cache, then read again: no member serves a Get (every partition
    // has a UUID from the metadata of its owner).
    for (const k of keys) expect(await r.get(k)).toBe(`v1-${k}`);
    const before = await servedGets('nc');
    expect(before.every((n) => n > 0)).toBe(true); // keys of every member were read from it
    for (const k of keys) expect(await r.get(k)).toBe(`v1-${k}`);
    expect(await servedGets('nc')).toEqual(before);

    // Writes through the writer reach the reader's near cache for keys of every member.
    for (const k of keys) await w.set(k, `v2-${k}`);
    for (const k of keys) {
      let v = await r.get(k);
      const deadline = Date.now() + 5000;
      while (v !== `v2-${k}` && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 20));
        v = await r.get(k);
      }
      expect(v).toBe(`v2-${k}`);
    }
  }, 60_000);
});
