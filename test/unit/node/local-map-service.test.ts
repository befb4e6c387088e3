import { keyFromString, encodeString } from '../../../cache-node/src/data/index.js';
import { createLocalMapService } from '../../../cache-node/src/service/local-map-service.js';
import { UnknownMapError } from '../../../cache-node/src/service/map-service.js';
import { createStore } from '../../../cache-node/src/store/index.js';
import type { ChangeEvent } from '../../../cache-node/src/store/types.js';

const k = keyFromString;
const v = encodeString;

function setup(opts: Parameters<typeof createLocalMapService>[1] = {}) {
  let now = 1_000_000;
  const store = createStore({
    clock: { now: () => now },
    scheduler: { setInterval: () => ({ cancel: () => undefined }) },
    partitionCount: 271,
    maps: [{ name: 'users', eviction: 'tinylfu', ttlSeconds: 0, maxIdleSeconds: 0 }],
    defaultMap: { eviction: 'tinylfu', ttlSeconds: 0, maxIdleSeconds: 0, maxEntries: 100 },
    undeclaredMaps: 'reject',
    hotKeys: { topK: 5, halfLifeSeconds: 60 },
    maintenance: {
      expirySweepIntervalSeconds: 5,
      sketchAgingIntervalSeconds: 0,
      statsWindowSeconds: 60,
      statsBuckets: 6,
    },
  });
  const events: ChangeEvent[] = [];
  store.onChange((e) => events.push(e));
  return {
    store,
    svc: createLocalMapService(store, opts),
    events,
    advance: (ms: number) => (now += ms),
  };
}

describe('createLocalMapService', () => {
  it('reads and writes the store map, returning previous values', async () => {
    const { svc, store } = setup();
    expect(await svc.put('users', k('a'), v('1'))).toBeUndefined();
    expect(await svc.put('users', k('a'), v('2'))).toEqual(v('1'));
    expect(await svc.get('users', k('a'))).toEqual(v('2'));
    expect(await svc.putIfAbsent('users', k('a'), v('3'))).toEqual(v('2'));
    expect(await svc.containsKey('users', k('a'))).toBe(true);
    expect(await svc.size('users')).toBe(1);
    expect(store.getMap('users')!.peek(k('a'))).toEqual(v('2'));
    expect(await svc.remove('users', k('a'))).toEqual(v('2'));
    expect(await svc.delete('users', k('a'))).toBe(false);
  });

  it('passes TTLs and origins through to the store', async () => {
    const { svc, events, advance } = setup();
    await svc.set('users', k('t'), v('x'), { ttlMs: 1000, origin: 'client-1' });
    expect(events.at(-1)).toMatchObject({ kind: 'put', origin: 'client-1' });
    await svc.delete('users', k('t'), 'client-2');
    expect(events.at(-1)).toMatchObject({ kind: 'remove', origin: 'client-2' });
    await svc.set('users', k('t'), v('x'), { ttlMs: 1000 });
    advance(1001);
    expect(await svc.get('users', k('t'))).toBeUndefined();
  });

  it('handles bulk operations', async () => {
    const { svc } = setup();
    await svc.putAll('users', [
      [k('a'), v('1')],
      [k('b'), v('2')],
      [k('c'), v('3')],
    ]);
    expect(await svc.getAll('users', [k('a'), k('zz'), k('c')])).toEqual([
      [k('a'), v('1')],
      [k('c'), v('3')],
    ]);
    expect(await svc.evict('users', k('a'), 'o')).toBe(true);
    await svc.evictAll('users');
    expect(await svc.size('users')).toBe(0);
    await svc.putAll('users', [[k('d'), v('4')]]);
    await svc.clear('users');
    expect(await svc.size('users')).toBe(0);
  });

  it('serves the conditional writes and map-wide reads', async () => {
    const { svc, events } = setup();
    expect(await svc.replace('users', k('a'), v('1'))).toBeUndefined();
    expect(await svc.size('users')).toBe(0);
    await svc.set('users', k('a'), v('1'));
    expect(await svc.replace('users', k('a'), v('2'), { origin: 'c' })).toEqual(v('1'));
    expect(events.at(-1)).toMatchObject({ kind: 'put', origin: 'c' });
    expect(await svc.replaceIfSame('users', k('a'), v('1'), v('3'))).toBe(false);
    expect(await svc.replaceIfSame('users', k('a'), v('2'), v('3'))).toBe(true);
    expect(await svc.containsValue('users', v('3'))).toBe(true);
    expect(await svc.containsValue('users', v('2'))).toBe(false);
    await svc.set('users', k('b'), v('4'));
    // In no particular order.
    const byText = (a: Buffer, b: Buffer) => a.compare(b);
    expect((await svc.keySet('users')).sort(byText)).toEqual([k('a'), k('b')]);
    expect((await svc.values('users')).sort(byText)).toEqual([v('3'), v('4')]);
    expect((await svc.entrySet('users')).sort(([a], [b]) => byText(a, b))).toEqual([
      [k('a'), v('3')],
      [k('b'), v('4')],
    ]);
    expect(await svc.setTtl('users', k('b'), 10, 'c')).toBe(true);
    expect(events.at(-1)).toMatchObject({ kind: 'ttl', origin: 'c' });
    expect(await svc.setTtl('users', k('zz'), 10)).toBe(false);
    expect(await svc.removeIfSame('users', k('a'), v('2'))).toBe(false);
    expect(await svc.removeIfSame('users', k('a'), v('3'), 'c')).toBe(true);
    expect(events.at(-1)).toMatchObject({ kind: 'remove', origin: 'c' });
    expect(await svc.size('users')).toBe(1);
  });

  it('destroys a map and its entries', async () => {
    const { svc, events } = setup();
    await svc.set('users', k('a'), v('1'));
    await svc.destroy('users');
    expect(events.at(-1)).toMatchObject({ kind: 'clear', map: 'users' });
    expect(await svc.size('users')).toBe(0);
  });

  it('rejects refused map names with UnknownMapError, as a rejected promise', async () => {
    const { svc } = setup();
    const attempt = svc.get('orders', k('a'));
    await expect(attempt).rejects.toBeInstanceOf(UnknownMapError);
    await expect(svc.put('orders', k('a'), v('1'))).rejects.toThrow('unknown map "orders"');
    await expect(svc.destroy('orders')).rejects.toBeInstanceOf(UnknownMapError);
  });

  describe('with isAllowed (as a node runs it)', () => {
    const allowed = (name: string) => name === 'users' || name.startsWith('dyn');

    it('answers reads of a map never written without creating it', async () => {
      const { svc, store } = setup({ isAllowed: allowed });
      expect(await svc.get('dyn1', k('a'))).toBeUndefined();
      expect(await svc.containsKey('dyn1', k('a'))).toBe(false);
      expect(await svc.getAll('dyn1', [k('a')])).toEqual([]);
      expect(await svc.size('dyn1')).toBe(0);
      expect(await svc.delete('dyn1', k('a'))).toBe(false);
      expect(await svc.evict('dyn1', k('a'))).toBe(false);
      expect(await svc.replace('dyn1', k('a'), v('1'))).toBeUndefined();
      expect(await svc.replaceIfSame('dyn1', k('a'), v('1'), v('2'))).toBe(false);
      expect(await svc.removeIfSame('dyn1', k('a'), v('1'))).toBe(false);
      expect(await svc.setTtl('dyn1', k('a'), 10)).toBe(false);
      expect(await svc.containsValue('dyn1', v('1'))).toBe(false);
      expect(await svc.keySet('dyn1')).toEqual([]);
      expect(await svc.values('dyn1')).toEqual([]);
      expect(await svc.entrySet('dyn1')).toEqual([]);
      await svc.evictAll('dyn1');
      await svc.clear('dyn1');
      await svc.destroy('dyn1');
      expect(store.mapNames()).toEqual(['users']);
    });

    it('still refuses names the predicate refuses, on reads too', async () => {
      const { svc } = setup({ isAllowed: allowed });
      await expect(svc.get('orders', k('a'))).rejects.toBeInstanceOf(UnknownMapError);
      await expect(svc.size('orders')).rejects.toBeInstanceOf(UnknownMapError);
    });
  });
});
