/**
 * The conditional writes and map-wide reads on 3 members with the real hazelcast-client: replace,
 * replace(k, old, new), remove(k, v) and setTtl through a non-smart client connected to one
 * member (so most keys are owned elsewhere and the write is decided on their owner), every
 * member's HTTP API and a near-cached reader on another member seeing the result, and keySet /
 * values / entrySet / containsValue returning each entry once although every entry also has a
 * backup copy on another member.
 */
import { jest } from '@jest/globals';
import hz from 'hazelcast-client';
import {
  converged,
  describeStates,
  httpGet,
  httpPut,
  TestCluster,
  waitFor,
  type Member,
} from './harness.js';

jest.setTimeout(60_000);

type Client = Awaited<ReturnType<typeof hz.Client.newHazelcastClient>>;

const MAP = 'ops';
const KEYS = Array.from({ length: 60 }, (_, i) => `key-${i}`);

function newClient(members: Member[], smart: boolean, nearCache: boolean): Promise<Client> {
  return hz.Client.newHazelcastClient({
    clusterName: 'dev',
    network: { clusterMembers: members.map((m) => `${m.host}:${m.port}`), smartRouting: smart },
    ...(nearCache ? { nearCaches: { [MAP]: { invalidateOnChange: true } } } : {}),
    properties: { 'hazelcast.logging.level': 'OFF' },
  });
}

/** Invalidations the members sent to client near caches for MAP, summed over members. */
async function clientInvalidations(members: Member[]): Promise<number> {
  const counts = await Promise.all(
    members.map(async (m) => {
      const text = await (await fetch(`${m.httpUrl}/metrics`)).text();
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('metadatacache_invalidations_sent_total{') &&
            l.includes(`map="${MAP}"`) &&
            l.includes('target="client"'),
        );
      return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** Poll `read` until it returns `expected` (client-side delivery is asynchronous). */
async function settles<T>(read: () => Promise<T>, expected: T, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await read();
  while (v !== expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    v = await read();
  }
  return v;
}

describe('IMap conditional writes and map-wide reads on 3 members', () => {
  const cluster = new TestCluster();
  const clients: Client[] = [];
  let members: Member[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.shutdown().catch(() => undefined)));
    await cluster.stopAll();
  });

  it('decides on the owner, reaches every member and near cache, reads each entry once', async () => {
    members = await cluster.start(3);
    await waitFor(
      () => converged(cluster, 3),
      20_000,
      () => `3 members to converge: ${describeStates()}`,
    );
    const smart = await newClient(members, true, false);
    const unisocket = await newClient([members[0]], false, false);
    const reader = await newClient([members[2]], false, true);
    clients.push(smart, unisocket, reader);
    const s = await smart.getMap<string, string>(MAP);
    const u = await unisocket.getMap<string, string>(MAP);
    const r = await reader.getMap<string, string>(MAP);

    for (const k of KEYS) await s.put(k, `v1-${k}`);
    // Warm the reader's near cache and every member's HTTP view (member near caches).
    for (const k of KEYS) expect(await r.get(k)).toBe(`v1-${k}`);
    for (const m of members) expect((await httpGet(m, MAP, KEYS[0])).body).toBe(`v1-${KEYS[0]}`);

    // replace on a missing key: null, nothing inserted anywhere.
    expect(await u.replace('missing', 'x')).toBeNull();
    expect(await u.replaceIfSame('missing', 'x', 'y')).toBe(false);
    expect(await s.containsKey('missing')).toBe(false);
    expect(await u.size()).toBe(KEYS.length);

    // Through member 0 only: the owner of each key (most live elsewhere) decides.
    for (const k of KEYS) expect(await u.replace(k, `v2-${k}`)).toBe(`v1-${k}`);
    for (const k of KEYS) expect(await u.replaceIfSame(k, `v1-${k}`, 'wrong')).toBe(false);
    for (const k of KEYS) expect(await u.replaceIfSame(k, `v2-${k}`, `v3-${k}`)).toBe(true);
    for (const k of KEYS) {
      expect(await s.get(k)).toBe(`v3-${k}`);
      expect(await settles(() => r.get(k), `v3-${k}`)).toBe(`v3-${k}`);
    }
    for (const m of members) {
      for (const k of KEYS.slice(0, 10)) {
        expect(`${m.name} ${(await httpGet(m, MAP, k)).body}`).toBe(`${m.name} v3-${k}`);
      }
    }

    // Exactly one invalidation reaches the one near-cached client per change, none otherwise.
    const before = await clientInvalidations(members);
    expect(await u.replaceIfSame(KEYS[0], 'wrong', 'x')).toBe(false);
    expect(await u.replace('missing', 'x')).toBeNull();
    expect(await clientInvalidations(members)).toBe(before);
    expect(await u.replace(KEYS[0], `v3-${KEYS[0]}`)).toBe(`v3-${KEYS[0]}`);
    expect(await clientInvalidations(members)).toBe(before + 1);

    // remove(k, v): only the expected value goes, on the owner and its backup.
    const gone = KEYS.slice(0, 6);
    for (const k of gone) expect(await u.remove(k, `v2-${k}`)).toBe(false);
    for (const k of gone) expect(await u.remove(k, `v3-${k}`)).toBe(true);
    for (const k of gone) expect(await settles(() => r.get(k), null)).toBeNull();
    for (const m of members) expect((await httpGet(m, MAP, gone[0])).status).toBe(404);
    const kept = KEYS.slice(gone.length);

    // setTtl through a non-owner: true for a present key, false for a missing one; value kept.
    expect(await u.setTtl(kept[0], 600_000)).toBe(true);
    expect(await u.setTtl(gone[0], 600_000)).toBe(false);
    expect(await settles(() => r.get(kept[0]), `v3-${kept[0]}`)).toBe(`v3-${kept[0]}`);

    // An entry written over HTTP (a new key: 201) is part of the map-wide reads too.
    expect(await httpPut(members[1], MAP, 'fromHttp', 'plain text')).toBe(201);
    const expectedKeys = [...kept, 'fromHttp'].sort();
    const expectedValues = [...kept.map((k) => `v3-${k}`), 'plain text'].sort();
    // Each entry exactly once (every entry is also a backup somewhere: 2 copies in 3 members).
    for (const m of [s, u, r]) {
      expect([...(await m.keySet())].sort()).toEqual(expectedKeys);
      expect((await m.values()).toArray().sort()).toEqual(expectedValues);
      const entries = await m.entrySet();
      expect(entries.map(([k]) => k).sort()).toEqual(expectedKeys);
      for (const [k, v] of entries) expect(v).toBe(k === 'fromHttp' ? 'plain text' : `v3-${k}`);
      expect(await m.containsValue(`v3-${kept.at(-1)}`)).toBe(true);
      expect(await m.containsValue('plain text')).toBe(true);
      expect(await m.containsValue(`v1-${kept[0]}`)).toBe(false);
    }
  });
});
