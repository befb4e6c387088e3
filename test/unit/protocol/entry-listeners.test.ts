import { describe, expect, it } from '@jest/globals';
import {
  EntryEventType,
  EntryListeners,
  entryEventTypeOf,
} from '../../../cache-node/src/protocol/entry-listeners.js';
import { readUuid } from '../../../cache-node/src/protocol/codecs.js';
import { Flags, MessageDecoder, type Message } from '../../../cache-node/src/protocol/frame.js';
import { encodeString } from '../../../cache-node/src/data/index.js';

const MEMBER = '11111111-2222-4333-8444-555555555555';

function sink() {
  const d = new MessageDecoder({
    maxFrameBytes: 1 << 16,
    maxMessageBytes: 1 << 18,
    preamble: 'none',
  });
  const got: Message[] = [];
  return { id: 1, got, send: (b: Buffer) => void d.push(b, got) };
}

describe('entry listeners', () => {
  it('classifies store changes as entry event types', () => {
    const key = encodeString('k');
    expect(entryEventTypeOf({ map: 'm', kind: 'put', key })).toBe(EntryEventType.ADDED);
    expect(entryEventTypeOf({ map: 'm', kind: 'put', key, oldValue: key })).toBe(
      EntryEventType.UPDATED,
    );
    expect(entryEventTypeOf({ map: 'm', kind: 'remove', key })).toBe(EntryEventType.REMOVED);
    expect(entryEventTypeOf({ map: 'm', kind: 'evict', key })).toBe(EntryEventType.EVICTED);
    expect(entryEventTypeOf({ map: 'm', kind: 'expire', key })).toBe(EntryEventType.EXPIRED);
    expect(entryEventTypeOf({ map: 'm', kind: 'clear' })).toBe(EntryEventType.CLEAR_ALL);
  });

  it('filters by map, flags, key and ownership; values only when asked', () => {
    const l = new EntryListeners(MEMBER, (p) => p !== 9);
    const all = sink();
    const keyed = sink();
    l.add({
      id: 'a',
      map: 'm',
      conn: all,
      correlation: 5n,
      includeValue: false,
      flags: 1 | 4,
      localOnly: true,
    });
    l.add({
      id: 'b',
      map: 'm',
      conn: keyed,
      correlation: 6n,
      includeValue: true,
      flags: 1,
      localOnly: true,
      key: encodeString('only'),
    });
    const v = encodeString('v');
    l.onChange({ map: 'm', kind: 'put', key: encodeString('x'), value: v, partitionId: 1 });
    l.onChange({ map: 'm', kind: 'put', key: encodeString('only'), value: v, partitionId: 2 });
    l.onChange({ map: 'other', kind: 'put', key: encodeString('x'), value: v, partitionId: 1 });
    l.onChange({ map: 'm', kind: 'remove', key: encodeString('x'), oldValue: v, partitionId: 1 });
    l.onChange({ map: 'm', kind: 'put', key: encodeString('y'), value: v, partitionId: 9 });
    expect(all.got).toHaveLength(2);
    expect(keyed.got).toHaveLength(1);
    const [event] = keyed.got;
    const c = event[0].content;
    expect(c.readInt32LE(0)).toBe(0x011802);
    expect(c.readBigInt64LE(4)).toBe(6n);
    expect(c.readInt32LE(16)).toBe(EntryEventType.ADDED);
    expect(readUuid(c, 20)).toBe(MEMBER);
    expect(event[2].content).toEqual(v);
    // Without includeValue the value frame is NULL.
    expect(all.got[0][2].flags & Flags.IS_NULL).toBeTruthy();
    expect(l.remove('a')).toBe(true);
    l.removeConnection(keyed);
    l.onChange({ map: 'm', kind: 'put', key: encodeString('only'), value: v, partitionId: 2 });
    expect(keyed.got).toHaveLength(1);
  });
});
