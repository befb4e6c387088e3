import {
  adoptEpoch,
  aliveIds,
  epochAfterChange,
  inMinority,
  nextQuorumBase,
  outranks,
  stalled,
  standingOf,
  viewKey,
} from '../../../cache-node/src/cluster/membership-rules.js';

describe('aliveIds', () => {
  const peers = [
    { id: 'c', connected: true, lastHeardAt: 9_000 },
    { id: 'a', connected: true, lastHeardAt: 10_000 },
    { id: 'b', connected: false, lastHeardAt: 10_000 },
    { id: 'd', connected: true, lastHeardAt: undefined },
  ];

  it('keeps connected peers heard within the timeout, sorted', () => {
    expect(aliveIds(peers, 10_500, 2000)).toEqual(['a', 'c']);
  });

  it('drops a peer once the timeout has passed since its last answer', () => {
    expect(aliveIds(peers, 11_001, 2000)).toEqual(['a']);
    expect(aliveIds(peers, 11_000, 2000)).toEqual(['a', 'c']);
  });
});

describe('epochs', () => {
  it('grows above everything seen when the view changes', () => {
    expect(epochAfterChange(3, 7)).toBe(8);
    expect(epochAfterChange(9, 7)).toBe(10);
  });

  it('adopts a higher epoch only for the same view', () => {
    const v = viewKey(['b', 'a']);
    expect(v).toBe(viewKey(['a', 'b']));
    expect(adoptEpoch(4, v, v, 6)).toBe(6);
    expect(adoptEpoch(4, v, v, 3)).toBe(4);
    expect(adoptEpoch(4, v, viewKey(['a']), 9)).toBe(4);
  });

  it('converges members that changed views at different epochs', () => {
    // Two members see the same change from different starting epochs.
    const view = viewKey(['a', 'b', 'c']);
    let a = epochAfterChange(2, 0);
    let b = epochAfterChange(5, 2);
    a = adoptEpoch(a, view, view, b);
    b = adoptEpoch(b, view, view, a);
    expect(a).toBe(b);
  });
});

describe('stalled', () => {
  it('detects a watchdog that ran late beyond the threshold', () => {
    expect(stalled(1000, 1900, 1000)).toBe(false);
    expect(stalled(1000, 2001, 1000)).toBe(true);
  });
});

describe('which group rejoins when two groups that removed each other meet (outranks)', () => {
  it('the larger group wins, whatever the ids', () => {
    expect(outranks({ size: 2, lowestId: 'm2' }, { size: 1, lowestId: 'm1' })).toBe(true);
    expect(outranks({ size: 1, lowestId: 'm1' }, { size: 2, lowestId: 'm2' })).toBe(false);
  });

  it('on equal size the group holding the smallest id wins, and exactly one side wins', () => {
    const a = { size: 2, lowestId: 'm1' };
    const b = { size: 2, lowestId: 'm3' };
    expect(outranks(a, b)).toBe(true);
    expect(outranks(b, a)).toBe(false);
  });

  it('reads the standing from heartbeat fields, and none from a heartbeat without them', () => {
    expect(standingOf({ size: 3, lowest: 'm1' })).toEqual({ size: 3, lowestId: 'm1' });
    expect(standingOf({ size: '3', lowest: 'm1' })).toBeUndefined();
    expect(standingOf({})).toBeUndefined();
  });
});

describe('split-brain protection (nextQuorumBase, inMinority)', () => {
  const settleMs = 10_000;
  const step = (base: number, oldSize: number, newSize: number, stableMs = 0, leftGracefully = 0) =>
    nextQuorumBase({ base, oldSize, newSize, leftGracefully, stableMs, settleMs });

  it('grows with the view', () => {
    expect(step(1, 1, 2)).toBe(2);
    expect(step(2, 2, 3)).toBe(3);
  });

  it('a member cut off from both peers of 3 is in a minority; the other two are not', () => {
    expect(step(3, 3, 1)).toBe(3);
    expect(inMinority(1, 3)).toBe(true);
    expect(inMinority(2, 3)).toBe(false);
  });

  it('crashes spread over time keep the survivors serving; two at once do not', () => {
    const afterFirst = step(3, 3, 2, 60_000); // 3 → 2 after a long stable view
    expect(afterFirst).toBe(3);
    expect(inMinority(2, afterFirst)).toBe(false);
    // The 2-member view then stays unchanged for the settle time: the base follows it down.
    const afterSecond = step(afterFirst, 2, 1, settleMs);
    expect(afterSecond).toBe(2);
    expect(inMinority(1, afterSecond)).toBe(false); // exactly half still serves
    // The second crash before the view settled: 1 of 3.
    const tooSoon = step(afterFirst, 2, 1, settleMs - 1);
    expect(inMinority(1, tooSoon)).toBe(true);
  });

  it('a minority never settles its way back to serving alone', () => {
    expect(step(3, 1, 1, 3_600_000)).toBe(3);
  });

  it('graceful leaves shrink the base at once', () => {
    expect(step(4, 4, 3, 0, 1)).toBe(3);
    expect(step(3, 3, 1, 0, 2)).toBe(1);
    expect(inMinority(1, step(3, 3, 1, 0, 2))).toBe(false);
  });
});
