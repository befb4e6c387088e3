import { describe, expect, it } from '@jest/globals';
import { PartitionSequences } from '../../../cache-node/src/nearcache/partition-sequences.js';
import {
  InvalidationHub,
  clearPartitionOf,
  type Invalidation,
} from '../../../cache-node/src/nearcache/invalidation.js';
import {
  NearCacheListeners,
  type Timers,
} from '../../../cache-node/src/protocol/near-cache-listeners.js';
import { MessageDecoder, type Message } from '../../../cache-node/src/protocol/frame.js';
import { readUuid } from '../../../cache-node/src/protocol/codecs.js';
import { encodeString, partitionIdOf } from '../../../cache-node/src/data/index.js';

let counter = 0;
const uuids = () => `00000000-0000-4000-8000-${(++counter).toString(16).padStart(12, '0')}`;

describe('PartitionSequences', () => {
  it('counts per (map, partition) from 1 and reports current values', () => {
    const s = new PartitionSequences(4, uuids);
    expect(s.next('a', 1)).toBe(1);
    expect(s.next('a', 1)).toBe(2);
    expect(s.next('b', 1)).toBe(1);
    expect(s.current('a', 2)).toBe(0);
    expect(s.metadata(['a', 'zz'], [1, 2])).toEqual({
      sequences: [
        [
          'a',
          [
            [1, 2],
            [2, 0],
          ],
        ],
        [
          'zz',
          [
            [1, 0],
            [2, 0],
          ],
        ],
      ],
      uuids: [
        [1, s.partitionUuid(1)],
        [2, s.partitionUuid(2)],
      ],
    });
  });

  it('rotation gives a new UUID and restarts that partition only', () => {
    const s = new PartitionSequences(2, uuids);
    s.next('a', 0);
    s.next('a', 1);
    const before = s.partitionUuid(0);
    expect(s.rotate(0)).not.toBe(before);
    expect(s.current('a', 0)).toBe(0);
    expect(s.current('a', 1)).toBe(1);
  });

  it('exports and imports a partition lineage (migration)', () => {
    const a = new PartitionSequences(2, uuids);
    a.next('m', 1);
    a.next('m', 1);
    const b = new PartitionSequences(2, uuids);
    b.import(1, a.export(1));
    expect(b.partitionUuid(1)).toBe(a.partitionUuid(1));
    expect(b.next('m', 1)).toBe(3);
  });
});

describe('InvalidationHub', () => {
  it('maps changes to invalidations: client source, member for internal causes, clear on partition(name)', () => {
    const s = new PartitionSequences(271, uuids);
    const hub = new InvalidationHub(s, 'member');
    const got: Invalidation[] = [];
    hub.subscribe((i) => got.push(i));
    const key = encodeString('k');
    hub.onChange({
      map: 'm',
      kind: 'put',
      key,
      partitionId: partitionIdOf(key, 271),
      origin: 'client',
    });
    hub.onChange({ map: 'm', kind: 'expire', key, partitionId: partitionIdOf(key, 271) });
    hub.onChange({ map: 'm', kind: 'clear', origin: 'client' });
    expect(got.map((i) => [i.key && i.key.equals(key), i.sourceUuid, i.sequence])).toEqual([
      [true, 'client', 1],
      [true, 'member', 2],
      [null, 'client', 1],
    ]);
    expect(got[2].partitionId).toBe(clearPartitionOf('m', 271));
    expect(clearPartitionOf('nc', 271)).toBe(224); // spec §5.4 vector for "nc"
  });

  it('does not stamp changes of partitions owned elsewhere (backup copies)', () => {
    const hub = new InvalidationHub(new PartitionSequences(2, uuids), 'member', (p) => p === 0);
    const got: Invalidation[] = [];
    hub.subscribe((i) => got.push(i));
    hub.onChange({ map: 'm', kind: 'put', key: encodeString('x'), partitionId: 1 });
    expect(got).toHaveLength(0);
  });
});

class FakeTimers implements Timers {
  pending: (() => void)[] = [];
  setTimeout(fn: () => void): unknown {
    this.pending.push(fn);
    return fn;
  }
  clearTimeout(h: unknown): void {
    this.pending = this.pending.filter((f) => f !== h);
  }
  fire(): void {
    const fns = this.pending.splice(0);
    for (const f of fns) f();
  }
}

function sink() {
  const decoder = new MessageDecoder({
    maxFrameBytes: 1 << 20,
    maxMessageBytes: 1 << 22,
    preamble: 'none',
  });
  const got: Message[] = [];
  return { id: ++counter, got, send: (b: Buffer) => void decoder.push(b, got) };
}

const inv = (seq: number, key: Buffer | null, partitionId = 3): Invalidation => ({
  map: 'm',
  key,
  partitionId,
  sourceUuid: 'aaaaaaaa-0000-4000-8000-000000000001',
  partitionUuid: 'bbbbbbbb-0000-4000-8000-000000000002',
  sequence: seq,
});

describe('NearCacheListeners', () => {
  it('delivers immediately with the registration correlation id, honouring localOnly', () => {
    const l = new NearCacheListeners({
      isLocalPartition: (p) => p !== 9,
      batchMaxDelayMillis: 0,
      batchSize: 100,
    });
    const smart = sink();
    const plain = sink();
    l.add(smart, 'm', 5n, true, 'r1');
    l.add(plain, 'm', 6n, false, 'r2');
    l.deliver(inv(1, encodeString('k')));
    l.deliver(inv(1, encodeString('k'), 9)); // a partition owned elsewhere
    expect(smart.got).toHaveLength(1);
    expect(plain.got).toHaveLength(2);
    expect(smart.got[0][0].content.readBigInt64LE(4)).toBe(5n);
    expect(plain.got[0][0].content.readBigInt64LE(4)).toBe(6n);
    expect(readUuid(plain.got[0][0].content, 33)).toBe('bbbbbbbb-0000-4000-8000-000000000002');
  });

  it('batches keys for at most the delay and flushes before a clear, in order', () => {
    const timers = new FakeTimers();
    const l = new NearCacheListeners({
      isLocalPartition: () => true,
      batchMaxDelayMillis: 5,
      batchSize: 3,
      timers,
    });
    const c = sink();
    l.add(c, 'm', 1n, true, 'r');
    l.deliver(inv(1, encodeString('a')));
    l.deliver(inv(2, encodeString('b')));
    expect(c.got).toHaveLength(0);
    timers.fire();
    expect(c.got).toHaveLength(1);
    expect(c.got[0][0].content.readInt32LE(0)).toBe(0x013f03);
    // Full batch goes at once; a clear flushes the pending key first.
    for (const [i, k] of ['c', 'd', 'e', 'f'].entries()) l.deliver(inv(3 + i, encodeString(k)));
    l.deliver(inv(7, null));
    const types = c.got.slice(1).map((m) => m[0].content.readInt32LE(0));
    expect(types).toEqual([0x013f03, 0x013f02, 0x013f02]);
    const seqs = c.got.slice(2).map((m) => m[0].content.readBigInt64LE(50));
    expect(seqs).toEqual([6n, 7n]);
  });

  it('forgets registrations of a closed connection', () => {
    const l = new NearCacheListeners({
      isLocalPartition: () => true,
      batchMaxDelayMillis: 0,
      batchSize: 1,
    });
    const c = sink();
    l.add(c, 'm', 1n, true, 'r');
    l.removeConnection(c);
    l.deliver(inv(1, encodeString('a')));
    expect(c.got).toHaveLength(0);
    expect(l.size).toBe(0);
  });
});
