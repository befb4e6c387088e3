/**
 * kill -9 of a member under a mixed read/write load with backupCount 1: every acknowledged write
 * survives, reads never go back in time, and the survivors converge on a table without it.
 */
import { jest } from '@jest/globals';
import { converged, httpGet, httpPut, TestCluster, waitFor, type Member } from './harness.js';

jest.setTimeout(90_000);

interface KeyState {
  acked: number;
  /** A write sent but not acknowledged (its outcome is unknown). */
  inFlight?: number;
}

describe('kill -9 of one member under load', () => {
  const cluster = new TestCluster();
  afterAll(() => cluster.stopAll());

  it('loses no acknowledged write and keeps serving', async () => {
    await cluster.start(3);
    await waitFor(() => converged(cluster, 3), 20_000, '3 members to converge');

    const keys = new Map<string, KeyState>();
    const pick = (): Member => {
      const live = cluster.running();
      return live[Math.floor(Math.random() * live.length)];
    };
    let stop = false;
    const staleReads: string[] = [];
    let acks = 0;
    const writer = async (w: number) => {
      for (let round = 1; !stop; round++) {
        for (let i = w; i < 200 && !stop; i += 8) {
          const key = `k${i}`;
          const st = keys.get(key) ?? { acked: 0 };
          keys.set(key, st);
          st.inFlight = round;
          const status = await httpPut(pick(), 'kill9', key, String(round)).catch(() => 0);
          if (status === 200 || status === 201 || status === 204) {
            st.acked = round;
            st.inFlight = undefined;
            acks++;
            const read = await httpGet(pick(), 'kill9', key).catch(() => undefined);
            if (read?.status === 200 && Number(read.body) < st.acked) {
              staleReads.push(`${key}: read ${read.body} after ack of ${st.acked}`);
            }
          }
        }
      }
    };
    const writers = Array.from({ length: 8 }, (_, w) => writer(w));
    // Bounded by counts, not time: the machine may be slow, the assertions stay the same.
    await waitFor(() => acks >= 60, 20_000, 'load before the kill');
    const victim = cluster.running()[1];
    const acksBefore = acks;
    await cluster.kill9(victim);
    await waitFor(() => acks >= acksBefore + 60, 20_000, 'writes to continue after the kill');
    stop = true;
    await Promise.all(writers);

    await waitFor(() => converged(cluster, 2), 20_000, 'survivors to converge');
    const lost: string[] = [];
    for (const m of cluster.running()) {
      for (const [key, st] of keys) {
        const { status, body } = await httpGet(m, 'kill9', key);
        const v = status === 200 ? Number(body) : 0;
        if (v !== st.acked && v !== st.inFlight)
          lost.push(`${m.name} ${key}: ${v} (acked ${st.acked})`);
      }
    }
    expect(lost).toEqual([]);
    expect(staleReads).toEqual([]);
  });
});
