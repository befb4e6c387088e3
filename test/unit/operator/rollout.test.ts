import type { PodFacts } from '../../../operator/src/reconcile/pods.js';
import {
  decidePartition,
  decideReplicas,
  type ObservedSet,
} from '../../../operator/src/reconcile/rollout.js';

const pod = (ordinal: number, revision = 'new', ready = true): PodFacts => ({
  name: `c-${ordinal}`,
  ordinal,
  ready,
  terminating: false,
  revision,
  podIP: `10.0.0.${ordinal}`,
});

const set = (over: Partial<ObservedSet> = {}): ObservedSet => ({
  replicas: 3,
  partition: 0,
  templateHash: 'T2',
  updateRevision: 'new',
  controllerSynced: true,
  ...over,
});

describe('decidePartition: one member at a time, highest first', () => {
  it('creates a new set with every pod on the template', () => {
    expect(decidePartition(undefined, 'T1', 3, []).partition).toBe(0);
  });

  it('lets only the highest member take a new template', () => {
    const d = decidePartition(set({ templateHash: 'T1' }), 'T2', 3, [
      pod(0, 'old'),
      pod(1, 'old'),
      pod(2, 'old'),
    ]);
    expect(d.partition).toBe(2);
    expect(d.progress).toBeDefined();
  });

  it('waits while the member being updated is not ready', () => {
    const pods = [pod(0, 'old'), pod(1, 'old'), pod(2, 'new', false)];
    expect(decidePartition(set({ partition: 2 }), 'T2', 3, pods)).toMatchObject({
      partition: 2,
      progress: expect.stringContaining('c-2') as string,
    });
  });

  it('waits while the controller has not yet replaced the member', () => {
    const pods = [pod(0, 'old'), pod(1, 'old'), pod(2, 'old')];
    expect(decidePartition(set({ partition: 2 }), 'T2', 3, pods).partition).toBe(2);
  });

  it('moves to the next member once the previous one is updated and ready', () => {
    const pods = [pod(0, 'old'), pod(1, 'old'), pod(2)];
    expect(decidePartition(set({ partition: 2 }), 'T2', 3, pods).partition).toBe(1);
  });

  it('settles at partition 0 when every member is updated', () => {
    expect(decidePartition(set({ partition: 1 }), 'T2', 3, [pod(0), pod(1), pod(2)])).toEqual({
      partition: 0,
      progress: undefined,
    });
  });

  it('holds the partition while the StatefulSet controller catches up', () => {
    const d = decidePartition(set({ partition: 2, controllerSynced: false }), 'T2', 3, []);
    expect(d.partition).toBe(2);
  });
});

describe('decideReplicas: scale out at once, scale in one member at a time', () => {
  it('scales out to the desired count at once', () => {
    expect(decideReplicas(5, 3, [pod(0), pod(1), pod(2)]).replicas).toBe(5);
  });

  it('removes the highest member when all remaining members are ready', () => {
    expect(decideReplicas(2, 4, [pod(0), pod(1), pod(2), pod(3)]).replicas).toBe(3);
  });

  it('waits until the departing member has handed off and left', () => {
    const d = decideReplicas(2, 3, [pod(0), pod(1), pod(2), pod(3)]);
    expect(d.replicas).toBe(3);
    expect(d.progress).toContain('c-3');
  });

  it('waits while a remaining member is not ready', () => {
    expect(decideReplicas(1, 3, [pod(0), pod(1, 'new', false), pod(2)]).replicas).toBe(3);
  });

  it('keeps a steady set as it is', () => {
    expect(decideReplicas(3, 3, [pod(0), pod(1), pod(2)])).toEqual({
      replicas: 3,
      progress: undefined,
    });
  });
});
