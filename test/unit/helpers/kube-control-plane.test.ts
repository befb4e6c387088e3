import { ownerPid } from '../../helpers/kube-control-plane.js';

describe('ownerPid (orphaned control plane sweep)', () => {
  test('reads the starting pid from a temp state dir name', () => {
    expect(ownerPid('metadatacache-kube-4242-k3x9ab')).toBe(4242);
  });

  test('ignores every other name, including the shared default dir', () => {
    expect(ownerPid('metadatacache-kube')).toBeUndefined();
    expect(ownerPid('metadatacache-kube-4242')).toBeUndefined();
    expect(ownerPid('metadatacache-kube-x-abc')).toBeUndefined();
    expect(ownerPid('other-4242-abc')).toBeUndefined();
  });
});
