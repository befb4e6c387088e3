/**
 * A real network partition: one member of three is cut off by the kernel for longer than the
 * failure timeout, then the network heals. The cut is made with policy-routing blackhole rules on
 * the member's address inside the test's private network namespace (`npm run test:e2e` runs the
 * tier in one), so every packet from or to it is dropped, for members and clients alike, while
 * every process keeps running (unlike SIGSTOP, both sides stay active and remove each other).
 *
 * The load: HTTP writes to random reachable members, and a smart hazelcast-client (whose
 * heartbeat timeout is 5 s, see load.ts: a blackholed connection is never closed by the kernel).
 *
 * Checked: the two others keep serving and taking writes; the cut-off member refuses to serve
 * while it cannot reach a majority; once healed it never answers with a value older than the
 * last acknowledged write; the cluster ends as one group of three (the majority's data wins,
 * nothing acknowledged is lost).
 */
import { jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  converged,
  describeStates,
  httpGet,
  TestCluster,
  waitFor,
  type Member,
} from '../../integration/cluster/harness.js';
import { ClientWriteLoad, WriteLoad } from '../../integration/cluster/load.js';

jest.setTimeout(150_000);

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const RULE_FROM = '10';
const RULE_TO = '11';

/** Cut `m` off: drop every packet from or to its address (before the local routing table). */
function cutOff(m: Member): void {
  ip('rule', 'add', 'pref', RULE_FROM, 'from', m.host, 'blackhole');
  ip('rule', 'add', 'pref', RULE_TO, 'to', m.host, 'blackhole');
}

function heal(): void {
  for (const pref of [RULE_FROM, RULE_TO]) {
    try {
      ip('rule', 'del', 'pref', pref);
    } catch {
      // not there
    }
  }
}

const loads: { stop(): Promise<void> }[] = [];

describe('a member cut off by a network partition, then healed', () => {
  const cluster = new TestCluster();
  let movedLocalRule = false;

  beforeAll(() => {
    if (process.env.MDC_IN_TEST_NETNS !== '1') {
      throw new Error(
        'run inside the test network namespace: npm run test:e2e (it changes routing)',
      );
    }
    // Rules only apply before the local table's rule (priority 0): move that one behind ours.
    ip('rule', 'add', 'pref', '100', 'lookup', 'local');
    ip('rule', 'del', 'pref', '0');
    movedLocalRule = true;
  });

  afterAll(async () => {
    heal();
    await Promise.all(loads.splice(0).map((l) => l.stop()));
    await cluster.stopAll();
    if (movedLocalRule) {
      ip('rule', 'add', 'pref', '0', 'lookup', 'local');
      ip('rule', 'del', 'pref', '100');
    }
  });

  it('keeps the majority serving, the cut-off member silent, and loses nothing on heal', async () => {
    const members = await cluster.start(3);
    await waitFor(
      () => converged(cluster, 3),
      30_000,
      () => `3 members to converge: ${describeStates()}`,
    );
    const victim = members[0];
    let isolated = false;
    const reachable = () => cluster.running().filter((m) => !(isolated && m === victim));
    const load = new WriteLoad('partition', reachable);
    loads.push(load);
    load.start();
    const hzLoad = new ClientWriteLoad('partition');
    loads.push(hzLoad);
    await hzLoad.start(cluster.running());
    await waitFor(() => load.acks >= 60 && hzLoad.acks >= 60, 20_000, 'load before the cut');

    const logsBefore = victim.logs.length;
    isolated = true;
    cutOff(victim);
    await waitFor(
      () => converged({ running: reachable }, 2),
      30_000,
      () => `the two others to converge without it: ${describeStates()}`,
    );
    const before = load.acks;
    const hzBefore = hzLoad.acks;
    await waitFor(
      () => load.acks >= before + 60 && hzLoad.acks >= hzBefore + 60,
      30_000,
      () => `writes to continue on the majority side (${load.lastFailure})`,
    );
    // The cut-off member noticed it lost the majority and stopped serving (it cannot be asked:
    // nothing reaches it, so its log says so).
    await waitFor(
      () => victim.logs.slice(logsBefore).some((l) => l.includes('not serving until a majority')),
      15_000,
      'the cut-off member to stop serving',
    );

    // Stop writing so the final state is exact, then heal and read the cut-off member at once.
    await Promise.all(loads.splice(0).map((l) => l.stop()));
    heal();
    isolated = false;
    const stale: string[] = [];
    const healedAt = Date.now();
    while (Date.now() - healedAt < 3000) {
      for (const [key, st] of load.keys) {
        const r = await httpGet(victim, 'partition', key).catch(() => undefined);
        if (r?.status === 200 && Number(r.body) < st.acked)
          stale.push(`${key}: ${r.body} < ${st.acked}`);
      }
    }
    expect(stale).toEqual([]);

    await waitFor(
      () => converged(cluster, 3),
      30_000,
      () => `one cluster of 3 again: ${describeStates()}`,
    );
    const lost: string[] = [];
    for (const m of cluster.running())
      lost.push(...(await load.lostOn(m)), ...(await hzLoad.lostOn(m)));
    if (lost.length > 0) {
      // What the members decided, for the failure message.
      for (const m of cluster.members) {
        const said = m.logs.filter(
          (l) => /cluster|membership/.test(l) && !/request failed/.test(l),
        );
        console.log(`${m.name}:\n${said.slice(-30).join('\n')}`);
      }
    }
    expect(lost).toEqual([]);
    expect(load.staleReads).toEqual([]);
  });
});
