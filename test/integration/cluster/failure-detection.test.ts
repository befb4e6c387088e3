/**
 * Failure detection is configurable: with `member.failureTimeoutMillis` 1000 (heartbeats every
 * 100 ms) the others remove a member stopped with SIGSTOP well before the default 5 s timeout
 * could, and sooner than a cluster with the defaults does in the same run.
 */
import { jest } from '@jest/globals';
import {
  converged,
  describeStates,
  memberState,
  TestCluster,
  waitFor,
  type Member,
} from './harness.js';

jest.setTimeout(120_000);

/** Milliseconds from SIGSTOP of the last member until every other member's view drops it. */
async function detectionMs(cluster: TestCluster): Promise<number> {
  const members = await cluster.start(3);
  await waitFor(
    () => converged(cluster, 3),
    30_000,
    () => `3 members to converge: ${describeStates()}`,
  );
  const victim = members[2];
  const others = members.filter((m) => m !== victim);
  const removed = async (m: Member) => {
    const s = await memberState(m);
    return s !== undefined && !s.members.includes(victim.name);
  };
  const start = Date.now();
  cluster.pause(victim);
  await waitFor(
    async () => (await Promise.all(others.map(removed))).every(Boolean),
    30_000,
    'the others to remove the stopped member',
  );
  return Date.now() - start;
}

describe('failure detection timing', () => {
  const fast = new TestCluster({
    memberSettings: { heartbeatIntervalMillis: 100, failureTimeoutMillis: 1000 },
  });
  const standard = new TestCluster();
  afterAll(async () => {
    await fast.stopAll();
    await standard.stopAll();
  });

  it('a smaller failure timeout removes a stopped member sooner', async () => {
    const fastMs = await detectionMs(fast);
    await fast.stopAll();
    const standardMs = await detectionMs(standard);
    // The default cannot remove a member before 5 s of silence (its last answer may predate the
    // stop by a heartbeat); the fast one needs 1 s plus the delays of a loaded machine.
    expect(standardMs).toBeGreaterThanOrEqual(4000);
    expect(fastMs).toBeLessThan(3500);
    expect(fastMs).toBeLessThan(standardMs);
  });
});
