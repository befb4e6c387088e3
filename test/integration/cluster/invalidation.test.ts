/**
 * Invalidation across members: after a write acknowledged to a hazelcast-client, a smart client's
 * near cache, a non-smart client's near cache (connected to one member) and the HTTP API of every
 * member (its member near cache) all return the new value.
 */
import { jest } from '@jest/globals';
import hz from 'hazelcast-client';
import {
  converged,
  describeStates,
  httpGet,
  TestCluster,
  waitFor,
  type Member,
} from './harness.js';

jest.setTimeout(90_000);

type Client = Awaited<ReturnType<typeof hz.Client.newHazelcastClient>>;

const MAP = 'inv';
/** Client-side delivery is asynchronous; the benchmark measures it, this is only a safety net. */
const CLIENT_BOUND_MS = 1000;
const TTL_MS = 1000;
const SWEEP_S = 1;
const READER_NAMES = ['smart', 'unisocket'];

function newClient(members: Member[], smart: boolean, nearCache: boolean): Promise<Client> {
  return hz.Client.newHazelcastClient({
    clusterName: 'dev',
    network: { clusterMembers: members.map((m) => `${m.host}:${m.port}`), smartRouting: smart },
    ...(nearCache ? { nearCaches: { [MAP]: { invalidateOnChange: true } } } : {}),
    properties: { 'hazelcast.logging.level': 'OFF' },
  });
}

describe('invalidation broadcast across members', () => {
  const cluster = new TestCluster({
    settings: { maintenance: { expirySweepIntervalSeconds: SWEEP_S } },
  });
  const clients: Client[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.shutdown().catch(() => undefined)));
    await cluster.stopAll();
  });

  it('every member and every near cache sees an acknowledged write', async () => {
    const members = await cluster.start(3);
    await waitFor(
      () => converged(cluster, 3),
      20_000,
      () => `3 members to converge: ${describeStates()}`,
    );
    const writer = await newClient(members, true, false);
    const smartReader = await newClient(members, true, true);
    const dumbReader = await newClient([members[2]], false, true);
    clients.push(writer, smartReader, dumbReader);
    const w = await writer.getMap<string, string>(MAP);
    const readers = [
      await smartReader.getMap<string, string>(MAP),
      await dumbReader.getMap<string, string>(MAP),
    ];

    const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
    for (const k of keys) await w.put(k, 'v1');
    // Warm every near cache: client ones and each member's (HTTP reads of keys owned elsewhere).
    for (const k of keys) {
      for (const r of readers) expect(await r.get(k)).toBe('v1');
      for (const m of members) expect((await httpGet(m, MAP, k)).body).toBe('v1');
    }

    const lateClientReads: string[] = [];
    for (const [i, k] of keys.entries()) {
      const value = `v2-${i}`;
      await w.put(k, value);
      // Members apply the owner's invalidation before the write is acknowledged.
      for (const m of members)
        expect(`${m.name} ${(await httpGet(m, MAP, k)).body}`).toBe(`${m.name} ${value}`);
      for (const r of readers) {
        const start = Date.now();
        while ((await r.get(k)) !== value) {
          if (Date.now() - start > CLIENT_BOUND_MS) {
            lateClientReads.push(`${r.getName()} ${k}`);
            break;
          }
          await new Promise((res) => setTimeout(res, 1));
        }
      }
    }
    expect(lateClientReads).toEqual([]);

    // A clear reaches every near cache too.
    await w.clear();
    for (const [i, r] of readers.entries()) {
      await waitFor(
        async () => (await r.get(keys[0])) === null,
        CLIENT_BOUND_MS,
        `clear to reach the ${READER_NAMES[i]} reader`,
      );
    }
    for (const m of members) expect((await httpGet(m, MAP, keys[0])).status).toBe(404);

    // Expiry is a change no client made: the owner's sweep must still reach every near cache.
    // 12 keys: some are owned by a member other than the unisocket reader's (all but (1/3)^12).
    const short = keys.slice(0, 12);
    for (const k of short) await w.put(k, 'short-lived', TTL_MS);
    for (const k of short) for (const r of readers) expect(await r.get(k)).toBe('short-lived');
    for (const [i, r] of readers.entries()) {
      await waitFor(
        async () => (await Promise.all(short.map((k) => r.get(k)))).every((v) => v === null),
        TTL_MS + SWEEP_S * 1000 + CLIENT_BOUND_MS,
        `expiry to reach the ${READER_NAMES[i]} reader`,
      );
    }
  });
});
