/**
 * The store's conditional writes behind IMap.replace, replace(k, old, new), remove(k, v) and
 * setTtl: what they write, what they return, and the one change event each emits; and the
 * unordered scan behind the map-wide reads.
 */
import { encodeJson } from '../../../cache-node/src/data/index.js';
import { sameData, type ChangeEvent } from '../../../cache-node/src/store/index.js';
import { k, makeStore, v } from './helpers.js';

function setup(over: Parameters<typeof makeStore>[0] = []) {
  const { store, clock } = makeStore(over);
  const m = store.map(over.length > 0 ? 'm0' : 'a')!;
  const events: ChangeEvent[] = [];
  store.onChange((e) => events.push(e));
  return { store, clock, m, events };
}

/** The same Data with a different partition-hash header (bytes 0-3). */
function withHeader(data: Buffer, hash: number): Buffer {
  const copy = Buffer.from(data);
  copy.writeInt32BE(hash, 0);
  return copy;
}

describe('sameData', () => {
  test('compares type and payload, not the partition-hash header', () => {
    expect(sameData(v('x'), v('x'))).toBe(true);
    expect(sameData(v('x'), withHeader(v('x'), 77))).toBe(true);
    expect(sameData(v('x'), v('y'))).toBe(false);
    expect(sameData(v('x'), v('xx'))).toBe(false);
    // Same text, different type (String vs JSON): not the same value.
    expect(sameData(v('1'), encodeJson('1'))).toBe(false);
    expect(sameData(Buffer.from([1, 2]), Buffer.from([1, 2]))).toBe(true);
    expect(sameData(Buffer.from([1, 2]), Buffer.from([1, 3]))).toBe(false);
  });
});

describe('replace', () => {
  test('a missing key: nothing written, no event, undefined', () => {
    const { m, events } = setup();
    expect(m.replace(k('x'), v('1'))).toBeUndefined();
    expect(m.has(k('x'))).toBe(false);
    expect(events).toEqual([]);
  });

  test('a present key: written, the old value returned, one put event with both values', () => {
    const { m, events } = setup();
    m.set(k('x'), v('1'));
    events.length = 0;
    expect(m.replace(k('x'), v('2'), { origin: 'c1' })?.equals(v('1'))).toBe(true);
    expect(m.peek(k('x'))?.equals(v('2'))).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'put', origin: 'c1', value: v('2'), oldValue: v('1') });
  });

  test('takes the TTL of the write (the map default when none is given), as a put does', () => {
    const { m, clock } = setup([{ ttlSeconds: 10 }]);
    m.set(k('x'), v('1'), { ttlMs: 1000 });
    m.replace(k('x'), v('2'));
    clock.advance(5000);
    expect(m.get(k('x'))?.equals(v('2'))).toBe(true);
    clock.advance(5000);
    expect(m.get(k('x'))).toBeUndefined();
  });
});

describe('replaceIfSame', () => {
  test('writes only when the current value is the expected one', () => {
    const { m, events } = setup();
    expect(m.replaceIfSame(k('x'), v('1'), v('2'))).toBe(false);
    expect(m.has(k('x'))).toBe(false);
    m.set(k('x'), v('1'));
    events.length = 0;
    expect(m.replaceIfSame(k('x'), v('0'), v('2'))).toBe(false);
    expect(m.peek(k('x'))?.equals(v('1'))).toBe(true);
    expect(events).toEqual([]);
    // The expected value may carry another partition-hash header: still the same value.
    expect(m.replaceIfSame(k('x'), withHeader(v('1'), 5), v('2'), { origin: 'c' })).toBe(true);
    expect(m.peek(k('x'))?.equals(v('2'))).toBe(true);
    expect(events.map((e) => [e.kind, e.origin])).toEqual([['put', 'c']]);
  });

  test('an expired entry is absent: no replacement', () => {
    const { m, clock } = setup();
    m.set(k('x'), v('1'), { ttlMs: 100 });
    clock.advance(100);
    expect(m.replaceIfSame(k('x'), v('1'), v('2'))).toBe(false);
    expect(m.has(k('x'))).toBe(false);
  });
});

describe('deleteIfSame', () => {
  test('removes only the expected value; one remove event', () => {
    const { m, events } = setup();
    expect(m.deleteIfSame(k('x'), v('1'))).toBe(false);
    m.set(k('x'), v('1'));
    events.length = 0;
    expect(m.deleteIfSame(k('x'), v('2'))).toBe(false);
    expect(m.has(k('x'))).toBe(true);
    expect(m.deleteIfSame(k('x'), v('1'), 'c')).toBe(true);
    expect(m.has(k('x'))).toBe(false);
    expect(m.size).toBe(0);
    expect(events.map((e) => [e.kind, e.origin])).toEqual([['remove', 'c']]);
    expect(m.deleteIfSame(k('x'), v('1'))).toBe(false);
  });
});

describe('setTtl', () => {
  test('a missing key: false, no event', () => {
    const { m, events } = setup();
    expect(m.setTtl(k('x'), 1000)).toBe(false);
    expect(events).toEqual([]);
  });

  test('moves the deadline from now, keeps the value, emits one ttl event', () => {
    const { m, clock, events } = setup();
    m.set(k('x'), v('1'));
    clock.advance(1000);
    events.length = 0;
    expect(m.setTtl(k('x'), 500, 'c')).toBe(true);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'ttl', origin: 'c', value: v('1') });
    expect(m.peekEntry(k('x'))?.expiresAt).toBe(clock.t + 500);
    clock.advance(499);
    expect(m.get(k('x'))?.equals(v('1'))).toBe(true);
    clock.advance(1);
    expect(m.get(k('x'))).toBeUndefined();
  });

  test('0 = never; undefined = the map default; a later deadline is honoured by the sweep', () => {
    const { store, m, clock } = setup([{ ttlSeconds: 2 }]);
    m.set(k('x'), v('1'), { ttlMs: 100 });
    expect(m.setTtl(k('x'), 0)).toBe(true);
    clock.advance(10_000);
    expect(m.has(k('x'))).toBe(true);
    expect(m.setTtl(k('x'), undefined)).toBe(true);
    expect(m.peekEntry(k('x'))?.expiresAt).toBe(clock.t + 2000);
    // An entry queued at an early deadline and then extended is not expired early by the sweep.
    m.set(k('y'), v('2'), { ttlMs: 100 });
    m.setTtl(k('y'), 5000);
    clock.advance(200);
    (store.getMap('m0') as unknown as { sweep(): number }).sweep();
    expect(m.has(k('y'))).toBe(true);
    clock.advance(5000);
    expect(m.has(k('y'))).toBe(false);
  });
});

describe('peekEntry', () => {
  test('metadata of a live entry without counting a read', () => {
    const { m, clock } = setup();
    expect(m.peekEntry(k('x'))).toBeUndefined();
    m.set(k('x'), v('1'), { ttlMs: 100, maxIdleMs: 50 });
    const e = m.peekEntry(k('x'))!;
    expect(e.value.equals(v('1'))).toBe(true);
    expect(e).toMatchObject({ expiresAt: clock.t + 100, maxIdleMs: 50 });
    expect(m.stats().hits + m.stats().misses).toBe(0);
  });
});

describe('forEachLive', () => {
  test('visits live entries only, stops when asked, counts no reads', () => {
    const { m, clock } = setup();
    m.set(k('a'), v('1'));
    m.set(k('b'), v('2'), { ttlMs: 100 });
    m.set(k('c'), v('3'));
    clock.advance(100); // b has expired
    const seen: string[] = [];
    m.forEachLive((key, value, p) => {
      seen.push(`${key.toString('utf8', 12)}=${value.toString('utf8', 12)}@${p}`);
    });
    expect(seen.sort()).toEqual(
      ['a', 'c'].map((x, i) => `${x}=${i * 2 + 1}@${m.peekEntry(k(x))!.partitionId}`),
    );
    let visits = 0;
    m.forEachLive(() => {
      visits++;
      return false;
    });
    expect(visits).toBe(1);
    expect(m.stats().hits + m.stats().misses).toBe(0);
  });
});
