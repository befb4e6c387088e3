/**
 * Graceful scale-in (SIGTERM: the member hands its partitions off before exiting) and scale-out
 * (new members receive partitions in the background), both under load: zero entries lost, every
 * key readable throughout.
 */
import { jest } from '@jest/globals';
import { converged, describeStates, TestCluster, waitFor } from './harness.js';
import { WriteLoad } from './load.js';

const loads: WriteLoad[] = [];
afterEach(() => Promise.all(loads.splice(0).map((l) => l.stop())));

jest.setTimeout(120_000);

describe('scaling under load', () => {
  let cluster: TestCluster;
  afterEach(() => cluster.stopAll());

  it('scales in from 4 to 3 with a graceful hand-off and loses nothing', async () => {
    cluster = new TestCluster({ settings: { backupCount: 1 } });
    await cluster.start(4);
    await waitFor(
      () => converged(cluster, 4),
      25_000,
      () => `4 members to converge: ${describeStates()}`,
    );
    const load = new WriteLoad('scalein', () => cluster.running());
    loads.push(load);
    load.start();
    await waitFor(
      () => load.acks >= 60,
      20_000,
      () => `load before the scale-in (${load.lastFailure})`,
    );
    const before = load.acks;
    const leaving = cluster.running()[2];
    expect(await cluster.terminate(leaving)).toBe(0);
    await waitFor(() => load.acks >= before + 60, 20_000, 'writes after the scale-in');
    await load.stop();
    await waitFor(
      () => converged(cluster, 3),
      20_000,
      () => `3 members to converge: ${describeStates()}`,
    );
    for (const m of cluster.running()) expect(await load.lostOn(m)).toEqual([]);
    expect(load.staleReads).toEqual([]);
    expect(leaving.logs.some((l) => l.includes('hand-off timed out'))).toBe(false);
  });

  it('scales out from 3 to 5 and loses nothing', async () => {
    cluster = new TestCluster({ settings: { backupCount: 1 } });
    await cluster.start(3);
    await waitFor(
      () => converged(cluster, 3),
      25_000,
      () => `3 members to converge: ${describeStates()}`,
    );
    const load = new WriteLoad('scaleout', () => cluster.running());
    loads.push(load);
    load.start();
    await waitFor(() => load.acks >= 60, 20_000, 'load before the scale-out');
    const before = load.acks;
    await Promise.all([cluster.add(), cluster.add()]);
    await waitFor(
      () => converged(cluster, 5),
      30_000,
      () => `5 members to converge: ${describeStates()}`,
    );
    await waitFor(() => load.acks >= before + 60, 20_000, 'writes after the scale-out');
    await load.stop();
    for (const m of cluster.running()) expect(await load.lostOn(m)).toEqual([]);
    expect(load.staleReads).toEqual([]);
  });
});
