import { describe, expect, it } from '@jest/globals';
import {
  mayFoundCluster,
  statefulSetOrdinal,
  type FoundingInput,
} from '../../../cache-node/src/cluster/founding.js';

const base: FoundingInput = {
  selfId: 'mdc-0',
  peerIds: [],
  allAnswered: true,
  elapsedMs: 0,
  joinWindowMs: 3000,
  statefulSetOrdinals: false,
  ordinalWaitMs: 30_000,
};

describe('statefulSetOrdinal', () => {
  it('reads the trailing ordinal of a pod name', () => {
    expect(statefulSetOrdinal('mdc-0')).toBe(0);
    expect(statefulSetOrdinal('my-cache-12')).toBe(12);
  });
  it('is undefined for ids that are not pod names', () => {
    expect(statefulSetOrdinal('127.0.0.1:5701')).toBeUndefined();
    expect(statefulSetOrdinal('node')).toBeUndefined();
    expect(statefulSetOrdinal('mdc-01')).toBeUndefined();
  });
});

describe('mayFoundCluster', () => {
  it('only the lowest id in view founds', () => {
    expect(mayFoundCluster({ ...base, selfId: 'b', peerIds: ['c'] })).toBe(true);
    expect(mayFoundCluster({ ...base, selfId: 'b', peerIds: ['a', 'c'] })).toBe(false);
  });

  it('waits for the join window unless every discovered member answered', () => {
    const waiting = { ...base, selfId: 'a', allAnswered: false };
    expect(mayFoundCluster({ ...waiting, elapsedMs: 2999 })).toBe(false);
    expect(mayFoundCluster({ ...waiting, elapsedMs: 3000 })).toBe(true);
  });

  it('on a StatefulSet, a pod other than ordinal 0 that sees nobody waits to join', () => {
    const alone = { ...base, selfId: 'mdc-2', statefulSetOrdinals: true, elapsedMs: 5000 };
    expect(mayFoundCluster(alone)).toBe(false);
    // Without the StatefulSet rule it would have founded a cluster of its own.
    expect(mayFoundCluster({ ...alone, statefulSetOrdinals: false })).toBe(true);
  });

  it('ordinal 0 founds after the usual window', () => {
    const zero = { ...base, selfId: 'mdc-0', statefulSetOrdinals: true, allAnswered: false };
    expect(mayFoundCluster({ ...zero, elapsedMs: 1000 })).toBe(false);
    expect(mayFoundCluster({ ...zero, elapsedMs: 3000 })).toBe(true);
  });

  it('falls back to the lowest id once ordinal 0 stayed away for the whole wait', () => {
    const orphan = {
      ...base,
      selfId: 'mdc-1',
      peerIds: ['mdc-2'],
      statefulSetOrdinals: true,
      elapsedMs: 30_000,
    };
    expect(mayFoundCluster(orphan)).toBe(true);
    expect(mayFoundCluster({ ...orphan, elapsedMs: 29_999 })).toBe(false);
    expect(mayFoundCluster({ ...orphan, selfId: 'mdc-2', peerIds: ['mdc-1'] })).toBe(false);
  });
});
