import { recommend, type MapStats } from '../../../cache-node/src/store/index.js';
import { StatsWindow, Counter } from '../../../cache-node/src/store/stats-window.js';
import { k, makeStore, v } from './helpers.js';

describe('stats window', () => {
  test('counts age out bucket by bucket', () => {
    const w = new StatsWindow(60_000, 6); // 10 s buckets
    w.add(Counter.hits, 0);
    w.add(Counter.hits, 9_999);
    w.add(Counter.misses, 10_000);
    expect(w.sum(10_000)).toMatchObject({ hits: 2, misses: 1 });
    expect(w.sum(59_999)).toMatchObject({ hits: 2, misses: 1 });
    expect(w.sum(60_000)).toMatchObject({ hits: 0, misses: 1 });
    expect(w.sum(70_000)).toMatchObject({ hits: 0, misses: 0 });
  });

  test('a reused bucket starts from zero', () => {
    const w = new StatsWindow(60_000, 6);
    w.add(Counter.puts, 0, 5);
    w.add(Counter.puts, 60_000);
    expect(w.sum(60_000).puts).toBe(1);
  });

  test('map stats: windowed counters, current size and hit ratio', () => {
    const { store, clock } = makeStore([{ name: 's', maxEntries: 100 }]);
    const m = store.map('s')!;
    expect(m.stats().hitRatio).toBeNull();
    m.set(k('a'), v('1'));
    m.get(k('a'));
    m.get(k('a'));
    m.get(k('a'));
    m.get(k('b'));
    let s = m.stats();
    expect(s).toMatchObject({
      hits: 3,
      misses: 1,
      hitRatio: 0.75,
      puts: 1,
      entries: 1,
      maxEntries: 100,
      maxSizeBytes: null,
    });
    expect(s.averageEntryBytes).toBe(m.bytes);
    clock.advance(61_000);
    s = m.stats();
    expect(s).toMatchObject({ hits: 0, misses: 0, hitRatio: null, entries: 1 });
    expect(m.totals()).toMatchObject({ hits: 3, misses: 1, puts: 1 });
  });

  test('store recommendations cover every map', () => {
    const { store } = makeStore([
      { name: 'small', maxEntries: 1000 },
      { name: 'other', maxEntries: 1000 },
    ]);
    store.map('small')!.set(k('a'), v('1'));
    store.map('other')!.set(k('a'), v('1'));
    expect(store.recommendations().map((r) => [r.map, r.id])).toEqual([
      ['small', 'lower-max-entries'],
      ['other', 'lower-max-entries'],
    ]);
  });
});

const base: MapStats = {
  map: 'm',
  windowSeconds: 300,
  hits: 50,
  misses: 50,
  hitRatio: 0.5,
  puts: 100,
  removals: 0,
  evictions: 20,
  expirations: 0,
  entries: 1000,
  bytes: 300_000,
  averageEntryBytes: 300,
  maxEntries: 1000,
  maxSizeBytes: null,
  eviction: 'tinylfu',
};
const ids = (s: Partial<MapStats>) => recommend({ ...base, ...s }).map((r) => r.id);

describe('recommendations', () => {
  test('raise-max-entries fires at hit ratio 0.5 and eviction rate 0.2 (inclusive) and cites them', () => {
    const [r] = recommend(base);
    expect(r).toMatchObject({ id: 'raise-max-entries', severity: 'warning' });
    expect(r.evidence).toMatchObject({
      hitRatio: 0.5,
      evictions: 20,
      puts: 100,
      evictionRate: 0.2,
    });
    expect(r.message).toContain('50.0%');
    expect(ids({ hits: 51, misses: 49, hitRatio: 0.51 })).toEqual([]);
    expect(ids({ evictions: 19 })).toEqual([]);
  });

  test('no reads means no hit-ratio verdict', () => {
    expect(ids({ hits: 0, misses: 0, hitRatio: null, evictions: 100 })).toEqual([]);
  });

  test('a byte-bound map is told to raise maxSizeBytes', () => {
    expect(ids({ maxEntries: null, maxSizeBytes: 300_000 })).toEqual(['raise-max-size-bytes']);
  });

  test('lower-max-entries at ≤ 10% use with no evictions, only for an active map', () => {
    const low = { entries: 100, evictions: 0, hitRatio: 0.9, hits: 90, misses: 10 };
    const [r] = recommend({ ...base, ...low });
    expect(r).toMatchObject({
      id: 'lower-max-entries',
      evidence: { entries: 100, maxEntries: 1000, utilisation: 0.1 },
    });
    expect(ids({ ...low, entries: 101 })).toEqual([]);
    expect(ids({ ...low, evictions: 1 })).toEqual([]);
    expect(ids({ ...low, hits: 0, misses: 0, hitRatio: null, puts: 0 })).toEqual([]);
  });

  test('set-max-size-bytes at an average of 10 KiB without a byte limit', () => {
    const big = { averageEntryBytes: 10_240, evictions: 0 };
    expect(ids(big)).toEqual(['set-max-size-bytes']);
    expect(ids({ ...big, averageEntryBytes: 10_239 })).toEqual([]);
    expect(ids({ ...big, maxSizeBytes: 1 << 30 })).toEqual([]);
  });

  test('capacity-nearly-full for eviction "none" at 90%', () => {
    const none = { eviction: 'none' as const, evictions: 0, hitRatio: 0.9, hits: 9, misses: 1 };
    expect(ids({ ...none, entries: 900 })).toEqual(['capacity-nearly-full']);
    expect(ids({ ...none, entries: 899 })).toEqual([]);
    expect(ids({ ...none, entries: 10, maxEntries: null, maxSizeBytes: 1000, bytes: 900 })).toEqual(
      ['capacity-nearly-full'],
    );
  });
});
