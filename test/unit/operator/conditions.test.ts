import { decideConditions, mergeConditions } from '../../../operator/src/reconcile/conditions.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');

describe('decideConditions', () => {
  const base = { desired: 3, ready: 3, progress: undefined, error: undefined };
  const byType = (h: Parameters<typeof decideConditions>[0]) =>
    Object.fromEntries(decideConditions(h).map((c) => [c.type, `${c.status}/${c.reason}`]));

  it('is Available and settled when every member is ready', () => {
    expect(byType(base)).toEqual({
      Available: 'True/AllMembersReady',
      Progressing: 'False/Reconciled',
      Degraded: 'False/AsExpected',
    });
  });

  it('reports a rollout as Progressing, not Degraded', () => {
    expect(byType({ ...base, ready: 2, progress: 'updating c-2' })).toEqual({
      Available: 'True/SomeMembersReady',
      Progressing: 'True/Reconciling',
      Degraded: 'False/AsExpected',
    });
  });

  it('is Degraded with the error reason when a reconcile fails', () => {
    const h = { ...base, error: { reason: 'ApplyFailed', message: 'boom' } };
    expect(byType(h).Degraded).toBe('True/ApplyFailed');
  });

  it('is not Available without ready members', () => {
    expect(byType({ ...base, ready: 0 }).Available).toBe('False/NoMembersReady');
    expect(byType({ ...base, desired: 0, ready: 0 }).Available).toBe('False/ScaledToZero');
  });
});

describe('mergeConditions', () => {
  const c = { type: 'Available' as const, status: 'True' as const, reason: 'R', message: 'm' };

  it('keeps lastTransitionTime while the status is unchanged', () => {
    const first = mergeConditions(undefined, [c], 1, t0);
    const again = mergeConditions(first, [{ ...c, message: 'other' }], 2, t1);
    expect(again[0]).toMatchObject({ lastTransitionTime: t0.toISOString(), observedGeneration: 2 });
  });

  it('moves lastTransitionTime when the status flips', () => {
    const first = mergeConditions(undefined, [c], 1, t0);
    const flipped = mergeConditions(first, [{ ...c, status: 'False' }], 1, t1);
    expect(flipped[0].lastTransitionTime).toBe(t1.toISOString());
  });
});
