import { jest } from '@jest/globals';
import { encodeString, partitionIdOf } from '../../../cache-node/src/data/index.js';
import {
  CapacityError,
  ENTRY_OVERHEAD_BYTES,
  type ChangeEvent,
} from '../../../cache-node/src/store/index.js';
import { k, makeStore, v } from './helpers.js';

describe('maps', () => {
  test('declared maps exist; undeclared names are refused unless allowed', () => {
    const { store } = makeStore([{ name: 'users' }]);
    expect(store.mapNames()).toEqual(['users']);
    expect(store.map('users')).toBeDefined();
    expect(store.map('other')).toBeUndefined();
    const allow = makeStore([{ name: 'users' }], { undeclaredMaps: 'allow' }).store;
    expect(allow.map('other')?.settings.maxEntries).toBe(1000);
  });

  test('with no declared maps any name is created with the default settings', () => {
    const { store } = makeStore();
    expect(store.getMap('a')).toBeUndefined();
    const a = store.map('a')!;
    expect(a.settings).toMatchObject({ name: 'a', eviction: 'tinylfu', maxEntries: 1000 });
    expect(store.getMap('a')).toBe(a);
    expect(store.map('')).toBeUndefined();
  });

  test('destroyMap removes entries and emits one clear', () => {
    const { store } = makeStore();
    store.map('a')!.set(k('x'), v('1'));
    const events: ChangeEvent[] = [];
    store.onChange((e) => events.push(e));
    expect(store.destroyMap('a')).toBe(true);
    expect(store.getMap('a')).toBeUndefined();
    expect(events.map((e) => e.kind)).toEqual(['clear']);
    expect(store.destroyMap('a')).toBe(false);
  });
});

describe('entries', () => {
  test('key identity ignores the 4-byte hash header and the original key bytes are kept', () => {
    const { store } = makeStore();
    const m = store.map('a')!;
    const plain = k('key');
    const withHeader = Buffer.from(plain);
    withHeader.writeInt32BE(12345, 0);
    m.set(withHeader, v('1'));
    expect(m.get(plain)?.equals(v('1'))).toBe(true);
    const [entry] = [...m.entries()];
    expect(entry.key.equals(withHeader)).toBe(true);
    expect(entry.partitionId).toBe(partitionIdOf(withHeader, 271));
  });

  test('set returns the previous value; setIfAbsent keeps the existing one', () => {
    const { store } = makeStore();
    const m = store.map('a')!;
    expect(m.set(k('x'), v('1'))).toBeUndefined();
    expect(m.set(k('x'), v('2'))?.equals(v('1'))).toBe(true);
    expect(m.setIfAbsent(k('x'), v('3'))?.equals(v('2'))).toBe(true);
    expect(m.peek(k('x'))?.equals(v('2'))).toBe(true);
    expect(m.setIfAbsent(k('y'), v('4'))).toBeUndefined();
    expect(m.peek(k('y'))?.equals(v('4'))).toBe(true);
  });

  test('delete, evict, has, clear', () => {
    const { store } = makeStore();
    const m = store.map('a')!;
    m.set(k('x'), v('1'));
    m.set(k('y'), v('2'));
    expect(m.has(k('x'))).toBe(true);
    expect(m.delete(k('x'))?.equals(v('1'))).toBe(true);
    expect(m.delete(k('x'))).toBeUndefined();
    expect(m.evict(k('y'))).toBe(true);
    expect(m.evict(k('y'))).toBe(false);
    m.set(k('z'), v('3'));
    expect(m.clear()).toBe(1);
    expect(m.size).toBe(0);
    expect(m.bytes).toBe(0);
    expect(m.totals()).toMatchObject({ puts: 3, removals: 2, evictions: 1 });
  });

  test('peek and has have no side effects on stats', () => {
    const { store } = makeStore();
    const m = store.map('a')!;
    m.set(k('x'), v('1'));
    m.peek(k('x'));
    m.has(k('y'));
    expect(m.totals()).toMatchObject({ hits: 0, misses: 0 });
    m.get(k('x'));
    m.get(k('y'));
    expect(m.totals()).toMatchObject({ hits: 1, misses: 1 });
  });
});

describe('byte accounting and limits', () => {
  test('bytes = key + value + overhead per entry, updated on overwrite and removal', () => {
    const { store } = makeStore();
    const m = store.map('a')!;
    const key = k('abc');
    m.set(key, Buffer.alloc(100));
    expect(m.bytes).toBe(key.length + 100 + ENTRY_OVERHEAD_BYTES);
    m.set(key, Buffer.alloc(10));
    expect(m.bytes).toBe(key.length + 10 + ENTRY_OVERHEAD_BYTES);
    m.delete(key);
    expect(m.bytes).toBe(0);
  });

  test('maxSizeBytes evicts down to the limit', () => {
    const { store } = makeStore([{ name: 'b', maxSizeBytes: 4096, eviction: 'lru' }]);
    const m = store.map('b')!;
    for (let i = 0; i < 100; i++) m.set(k(`k${i}`), Buffer.alloc(200));
    expect(m.bytes).toBeLessThanOrEqual(4096);
    const per = k('k10').length + 200 + ENTRY_OVERHEAD_BYTES;
    expect(m.size).toBe(Math.floor(4096 / per));
    expect(m.has(k('k99'))).toBe(true);
    expect(m.has(k('k0'))).toBe(false);
  });

  test('a single value larger than maxSizeBytes is refused and nothing changes', () => {
    const { store } = makeStore([{ name: 'b', maxSizeBytes: 2048 }]);
    const m = store.map('b')!;
    m.set(k('x'), v('small'));
    expect(() => m.set(k('x'), Buffer.alloc(4096))).toThrow(CapacityError);
    expect(m.peek(k('x'))?.equals(v('small'))).toBe(true);
    expect(m.size).toBe(1);
  });

  test('eviction "none" refuses new keys when full but allows overwrites', () => {
    const { store } = makeStore([{ name: 'n', maxEntries: 2, eviction: 'none' }]);
    const m = store.map('n')!;
    m.set(k('a'), v('1'));
    m.set(k('b'), v('2'));
    expect(() => m.set(k('c'), v('3'))).toThrow(/full \(2 of maxEntries 2\)/);
    expect(m.has(k('c'))).toBe(false);
    m.set(k('a'), v('9'));
    expect(m.peek(k('a'))?.equals(v('9'))).toBe(true);
    expect(m.totals().evictions).toBe(0);
  });

  test('eviction "none" refuses a write that would exceed maxSizeBytes', () => {
    const { store } = makeStore([{ name: 'n', maxSizeBytes: 2048, eviction: 'none' }]);
    const m = store.map('n')!;
    m.set(k('a'), Buffer.alloc(1000));
    expect(() => m.set(k('b'), Buffer.alloc(1000))).toThrow(CapacityError);
    expect(m.size).toBe(1);
  });

  test('maxEntries holds for every policy', () => {
    for (const eviction of ['tinylfu', 'lru', 'lfu'] as const) {
      const { store } = makeStore([{ name: 'p', maxEntries: 10, eviction }]);
      const m = store.map('p')!;
      for (let i = 0; i < 100; i++) m.set(k(`k${i}`), v('x'));
      expect(m.size).toBe(10);
      expect(m.totals().evictions).toBe(90);
    }
  });

  test('updateSettings shrinking evicts down; switching policy keeps entries', () => {
    const { store } = makeStore([{ name: 'p', maxEntries: 10, eviction: 'lru' }]);
    const m = store.map('p')!;
    for (let i = 0; i < 10; i++) m.set(k(`k${i}`), v('x'));
    m.updateSettings({ maxEntries: 4 });
    expect(m.size).toBe(4);
    expect([...m.entries()].map((e) => e.key.toString('latin1', 12))).toEqual([
      'k6',
      'k7',
      'k8',
      'k9',
    ]);
    m.updateSettings({ eviction: 'lfu' });
    expect(m.size).toBe(4);
    m.set(k('new'), v('x'));
    expect(m.size).toBe(4);
    expect(m.settings.eviction).toBe('lfu');
  });
});

describe('change events', () => {
  test('exactly one event per change, after it is applied, with partition and values', () => {
    const { store } = makeStore([{ name: 'c', maxEntries: 1, eviction: 'lru' }]);
    const m = store.map('c')!;
    const seen: [ChangeEvent, boolean][] = [];
    store.onChange((e) => seen.push([e, e.key ? m.has(e.key) : m.size === 0]));
    m.set(k('a'), v('1'), { origin: 'client-1' });
    m.set(k('a'), v('2'));
    m.set(k('b'), v('3'));
    m.delete(k('b'), 'client-2');
    m.set(k('c'), v('4'));
    m.evict(k('c'));
    m.set(k('d'), v('5'));
    m.clear('client-3');
    const kinds = seen.map(([e]) => e.kind);
    expect(kinds).toEqual(['put', 'put', 'put', 'evict', 'remove', 'put', 'evict', 'put', 'clear']);
    const [first, second, third, evicted, removed] = seen.map(([e]) => e);
    expect(first).toMatchObject({
      map: 'c',
      origin: 'client-1',
      partitionId: partitionIdOf(k('a'), 271),
    });
    expect(first.oldValue).toBeUndefined();
    expect(second.oldValue?.equals(v('1'))).toBe(true);
    expect(second.value?.equals(v('2'))).toBe(true);
    expect(third.key?.equals(k('b'))).toBe(true);
    expect(evicted.key?.equals(k('a'))).toBe(true);
    expect(evicted.oldValue?.equals(v('2'))).toBe(true);
    expect(removed).toMatchObject({ origin: 'client-2' });
    expect(seen[8][0]).toMatchObject({ kind: 'clear', origin: 'client-3' });
    // Applied before the event: puts are visible, removals are gone.
    expect(seen.map(([, visible]) => visible)).toEqual([
      true,
      true,
      true,
      false,
      false,
      true,
      false,
      true,
      true,
    ]);
  });

  test('unsubscribe stops delivery; a throwing listener does not stop the others', () => {
    const { store } = makeStore();
    const m = store.map('a')!;
    const got: string[] = [];
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    store.onChange(() => {
      throw new Error('boom');
    });
    const off = store.onChange((e) => got.push(e.kind));
    m.set(k('x'), v('1'));
    off();
    m.set(k('x'), v('2'));
    expect(got).toEqual(['put']);
    expect(m.peek(k('x'))?.equals(v('2'))).toBe(true);
    expect(warn).toHaveBeenCalledTimes(2);
    warn.mockRestore();
  });

  test('keys keep their content: string Data round trip', () => {
    const { store } = makeStore();
    const m = store.map('a')!;
    m.set(encodeString('ключ'), encodeString('значение'));
    expect(m.get(encodeString('ключ'))?.equals(encodeString('значение'))).toBe(true);
  });
});
