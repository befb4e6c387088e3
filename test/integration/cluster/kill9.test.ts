/**
 * kill -9 of a member under a mixed read/write load with backupCount 1: every acknowledged write
 * survives, reads never go back in time, and the survivors converge on a table without it.
 */
import { jest } from '@jest/globals';
import { converged, describeStates, TestCluster, waitFor } from './harness.js';
import { ClientWriteLoad, WriteLoad } from './load.js';

const loads: { stop(): Promise<void> }[] = [];
afterEach(() => Promise.all(loads.splice(0).map((l) => l.stop())));

jest.setTimeout(90_000);

describe('kill -9 of one member under load', () => {
  const cluster = new TestCluster();
  afterAll(() => cluster.stopAll());

  it('loses no acknowledged write and keeps serving', async () => {
    await cluster.start(3);
    await waitFor(
      () => converged(cluster, 3),
      20_000,
      () => `3 members to converge: ${describeStates()}`,
    );
    const load = new WriteLoad('kill9', () => cluster.running());
    loads.push(load);
    load.start();
    const hzLoad = new ClientWriteLoad('kill9');
    loads.push(hzLoad);
    await hzLoad.start(cluster.running());
    // Bounded by counts, not time: the machine may be slow, the assertions stay the same.
    await waitFor(() => load.acks >= 60 && hzLoad.acks >= 60, 20_000, 'load before the kill');
    const before = load.acks;
    const hzBefore = hzLoad.acks;
    await cluster.kill9(cluster.running()[1]);
    await waitFor(
      () => load.acks >= before + 60 && hzLoad.acks >= hzBefore + 60,
      30_000,
      'writes to continue after the kill',
    );
    await load.stop();
    await hzLoad.stop();

    await waitFor(
      () => converged(cluster, 2),
      20_000,
      () => `survivors to converge: ${describeStates()}`,
    );
    for (const m of cluster.running()) {
      expect(await load.lostOn(m)).toEqual([]);
      expect(await hzLoad.lostOn(m)).toEqual([]);
    }
    expect(load.staleReads).toEqual([]);
  });
});
