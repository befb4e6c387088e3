import {
  computePartitionTable,
  interimTable,
  ownerChanges,
  ownerOf,
  partitionsOwnedBy,
  tableFingerprint,
  type TableMember,
} from '../../../cache-node/src/cluster/partition-table.js';

const members = (n: number, zones?: string[]): TableMember[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `mdc-${i}`,
    ...(zones ? { zone: zones[i % zones.length] } : {}),
  }));

describe('computePartitionTable', () => {
  it('is deterministic and independent of the order of the member list', () => {
    const a = computePartitionTable(members(5), 271, 1);
    const b = computePartitionTable([...members(5)].reverse(), 271, 1);
    expect(b).toEqual(a);
    expect(tableFingerprint(b)).toBe(tableFingerprint(a));
  });

  it('assigns every partition an owner and backupCount backups on distinct members', () => {
    const t = computePartitionTable(members(4), 271, 2);
    expect(t.replicas).toHaveLength(271);
    for (const r of t.replicas) {
      expect(r).toHaveLength(3);
      expect(new Set(r).size).toBe(3);
    }
  });

  it('caps replicas at the number of members', () => {
    const t = computePartitionTable(members(2), 271, 3);
    for (const r of t.replicas) expect(r).toHaveLength(2);
    expect(computePartitionTable([], 10, 1).replicas.every((r) => r.length === 0)).toBe(true);
  });

  it.each([2, 3, 5, 8])('balances ownership across %i members', (n) => {
    const t = computePartitionTable(members(n), 271, 1);
    const avg = 271 / n;
    for (const m of t.members) {
      const owned = partitionsOwnedBy(t, m).length;
      expect(owned).toBeGreaterThan(avg * 0.6);
      expect(owned).toBeLessThan(avg * 1.4);
    }
  });

  it('moves only the partitions the new member wins when one joins', () => {
    const before = computePartitionTable(members(4), 271, 1);
    const after = computePartitionTable(members(5), 271, 1);
    for (let p = 0; p < 271; p++) {
      if (ownerOf(before, p) !== ownerOf(after, p)) expect(ownerOf(after, p)).toBe('mdc-4');
    }
    // About a fifth of the partitions move, not most of them.
    expect(ownerChanges(before, after)).toBeLessThan(271 * 0.3);
    expect(ownerChanges(before, after)).toBeGreaterThan(271 * 0.1);
  });

  it('promotes the first backup when an owner leaves (no zones)', () => {
    const before = computePartitionTable(members(4), 271, 1);
    const after = computePartitionTable(
      members(4).filter((m) => m.id !== 'mdc-2'),
      271,
      1,
    );
    for (let p = 0; p < 271; p++) {
      if (ownerOf(before, p) === 'mdc-2') expect(ownerOf(after, p)).toBe(before.replicas[p][1]);
      else expect(ownerOf(after, p)).toBe(ownerOf(before, p));
    }
  });

  it('spreads backups across zones when members carry one', () => {
    const ms = members(6, ['a', 'b', 'c']);
    const zoneOf = new Map(ms.map((m) => [m.id, m.zone]));
    const t = computePartitionTable(ms, 271, 2);
    for (const r of t.replicas) expect(new Set(r.map((id) => zoneOf.get(id))).size).toBe(3);
    const t2 = computePartitionTable(members(4, ['a', 'b']), 271, 1);
    const z2 = new Map(members(4, ['a', 'b']).map((m) => [m.id, m.zone]));
    for (const r of t2.replicas) expect(z2.get(r[0])).not.toBe(z2.get(r[1]));
  });

  it('reuses zones only once every zone holds a replica', () => {
    const ms = members(4, ['a', 'b']);
    const zoneOf = new Map(ms.map((m) => [m.id, m.zone]));
    const t = computePartitionTable(ms, 100, 3);
    for (const r of t.replicas) {
      expect(zoneOf.get(r[0])).not.toBe(zoneOf.get(r[1]));
      expect(new Set(r).size).toBe(4);
    }
  });
});

describe('interimTable', () => {
  it('keeps surviving replicas in order so the backup that has the data serves', () => {
    const ms = members(4, ['a', 'b']);
    const before = computePartitionTable(ms, 271, 1);
    const target = computePartitionTable(
      ms.filter((m) => m.id !== 'mdc-1'),
      271,
      1,
    );
    const interim = interimTable(before, target);
    expect(interim.members).toEqual(target.members);
    for (let p = 0; p < 271; p++) {
      const expected = before.replicas[p].filter((id) => id !== 'mdc-1');
      expect(interim.replicas[p]).toEqual(expected);
      expect(expected.length).toBeGreaterThan(0);
    }
  });

  it('falls back to the target for partitions that lost every replica', () => {
    const before = computePartitionTable(members(2), 10, 0);
    const target = computePartitionTable([{ id: 'mdc-9' }], 10, 0);
    expect(interimTable(before, target).replicas).toEqual(target.replicas);
  });
});
