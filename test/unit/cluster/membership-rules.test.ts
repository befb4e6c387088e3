import {
  adoptEpoch,
  aliveIds,
  epochAfterChange,
  stalled,
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
