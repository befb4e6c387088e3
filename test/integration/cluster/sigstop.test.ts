/**
 * A member cut off from the others (SIGSTOP) long enough to be removed, then resumed: the others
 * keep serving without it; once back it serves no value older than the last acknowledged write
 * (it learns it was evicted, drops its data and rejoins), and the cluster ends as one group.
 */
import { jest } from '@jest/globals';
import { converged, describeStates, httpGet, TestCluster, waitFor } from './harness.js';
import { WriteLoad } from './load.js';

jest.setTimeout(150_000);

const loads: WriteLoad[] = [];
afterEach(() => Promise.all(loads.splice(0).map((l) => l.stop())));

describe('a member stopped with SIGSTOP and resumed', () => {
  const cluster = new TestCluster();
  afterAll(() => cluster.stopAll());

  it('serves nothing stale once back and leaves no lasting split', async () => {
    const members = await cluster.start(3);
    await waitFor(
      () => converged(cluster, 3),
      20_000,
      () => `3 members to converge: ${describeStates()}`,
    );
    const load = new WriteLoad('sigstop', () => cluster.running());
    loads.push(load);
    load.start();
    await waitFor(
      () => load.acks >= 60,
      20_000,
      () => `load before the stop (${load.lastFailure})`,
    );

    const victim = members[0];
    cluster.pause(victim);
    await waitFor(
      () => converged(cluster, 2),
      20_000,
      () => `the others to converge without it: ${describeStates()}`,
    );
    const before = load.acks;
    await waitFor(() => load.acks >= before + 60, 20_000, 'writes while it is stopped');

    cluster.resume(victim);
    // Read every key from the resumed member right away: never older than acknowledged.
    const stale: string[] = [];
    for (const [key, st] of load.keys) {
      const acked = st.acked;
      const r = await httpGet(victim, 'sigstop', key).catch(() => undefined);
      if (r?.status === 200 && Number(r.body) < acked) stale.push(`${key}: ${r.body} < ${acked}`);
    }
    expect(stale).toEqual([]);

    await waitFor(
      () => converged(cluster, 3),
      30_000,
      () => `one cluster of 3 again: ${describeStates()}`,
    );
    const after = load.acks;
    await waitFor(() => load.acks >= after + 60, 20_000, 'writes after it is back');
    await load.stop();
    for (const m of cluster.running()) expect(await load.lostOn(m)).toEqual([]);
    expect(load.staleReads).toEqual([]);
  });
});
