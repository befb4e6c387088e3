/**
 * getAll / putAll through a non-smart client (its member routes every key, one request per owner
 * member) across 3 members, while one member is killed: each call either succeeds or fails with
 * an error; a putAll that succeeded stored every one of its entries (readable after the kill), and
 * a getAll that succeeded returned exactly the entries present: no entry silently lost or invented.
 */
import { jest } from '@jest/globals';
import hz from 'hazelcast-client';
import { converged, describeStates, TestCluster, waitFor } from './harness.js';

jest.setTimeout(90_000);

type Client = Awaited<ReturnType<typeof hz.Client.newHazelcastClient>>;

const MAP = 'bulk';
const PER_CALL = 60;

describe('getAll / putAll across members', () => {
  const cluster = new TestCluster();
  const clients: Client[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.shutdown().catch(() => undefined)));
    await cluster.stopAll();
  });

  it('return and store exactly the right entries while a member is killed', async () => {
    const members = await cluster.start(3);
    await waitFor(
      () => converged(cluster, 3),
      20_000,
      () => `3 members to converge: ${describeStates()}`,
    );
    // Connected to members[0] only, which survives: every other owner is reached through it.
    const client = await hz.Client.newHazelcastClient({
      network: { clusterMembers: [`${members[0].host}:${members[0].port}`], smartRouting: false },
      properties: {
        'hazelcast.logging.level': 'ERROR',
        'hazelcast.client.invocation.timeout.millis': 30_000,
      },
    });
    clients.push(client);
    const map = await client.getMap<string, string>(MAP);

    const stored = new Map<string, string>(); // entries of acknowledged putAll calls
    const failures: string[] = [];
    const wrongReads: string[] = [];
    let calls = 0;
    let stopping = false;

    const putter = async () => {
      for (let call = 0; !stopping; call++) {
        const batch: [string, string][] = Array.from({ length: PER_CALL }, (_, i) => [
          `c${call}-k${i}`,
          `v${call}-${i}`,
        ]);
        try {
          await map.putAll(batch);
          for (const [k, v] of batch) stored.set(k, v);
          calls++;
        } catch (err) {
          failures.push(`putAll ${call}: ${(err as Error).message}`);
        }
      }
    };
    const getter = async () => {
      while (!stopping) {
        // Known keys (from acknowledged calls) and keys never written, in one call.
        const known = [...stored.keys()].slice(-PER_CALL);
        const absent = Array.from({ length: 10 }, (_, i) => `never-${i}`);
        const expected = new Map(known.map((k) => [k, stored.get(k)!]));
        try {
          const got = new Map(await map.getAll([...known, ...absent]));
          for (const [k, v] of expected) {
            if (got.get(k) !== v) wrongReads.push(`${k}: ${String(got.get(k))} != ${v}`);
          }
          for (const k of got.keys()) if (!expected.has(k)) wrongReads.push(`unexpected ${k}`);
        } catch (err) {
          failures.push(`getAll: ${(err as Error).message}`);
        }
      }
    };
    const running = [putter(), getter()];
    try {
      await waitFor(() => calls >= 10, 20_000, 'putAll calls before the kill');
      const before = calls;
      await cluster.kill9(members[2]);
      await waitFor(() => calls >= before + 10, 30_000, 'putAll calls after the kill');
    } finally {
      stopping = true;
      await Promise.all(running);
    }
    await waitFor(
      () => converged(cluster, 2),
      20_000,
      () => `survivors to converge: ${describeStates()}`,
    );

    // The client retries the retryable error a lost owner causes, so calls succeed.
    expect(failures).toEqual([]);
    expect(wrongReads).toEqual([]);
    const keys = [...stored.keys()];
    const lost: string[] = [];
    for (let i = 0; i < keys.length; i += 500) {
      const slice = keys.slice(i, i + 500);
      const got = new Map(await map.getAll(slice));
      for (const k of slice) if (got.get(k) !== stored.get(k)) lost.push(k);
    }
    expect(lost).toEqual([]);
    expect(await map.size()).toBe(stored.size);
  });
});
