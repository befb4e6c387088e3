import { identityHash } from '../../../cache-node/src/store/entry.js';
import { HotKeys } from '../../../cache-node/src/store/hot-keys.js';
import { k, makeStore } from './helpers.js';

const name = (b: Buffer) => b.toString('latin1', 12);
const id = (s: string) => identityHash(k(s));

describe('hot keys', () => {
  test('ranks the most read keys with their counts', () => {
    const h = new HotKeys(3, 60_000, 0, 1);
    const reads: [string, number][] = [
      ['a', 10],
      ['b', 5],
      ['c', 7],
      ['d', 1],
    ];
    for (const [key, n] of reads) for (let i = 0; i < n; i++) h.record(id(key), k(key), 0);
    const top = h.top(0);
    expect(top.map((t) => name(t.key))).toEqual(['a', 'c', 'b']);
    expect(top.map((t) => t.score)).toEqual([10, 7, 5]);
  });

  test('scores halve every half-life, so new popularity overtakes old', () => {
    const h = new HotKeys(2, 1_000, 0, 1);
    for (let i = 0; i < 8; i++) h.record(id('old'), k('old'), 0);
    expect(h.top(1_000)[0].score).toBeCloseTo(4);
    expect(h.top(3_000)[0].score).toBeCloseTo(1);
    for (let i = 0; i < 3; i++) h.record(id('new'), k('new'), 3_000);
    expect(h.top(3_000).map((t) => name(t.key))).toEqual(['new', 'old']);
  });

  test('memory is bounded: at most 4×topK slots however many keys are read', () => {
    const h = new HotKeys(5, 60_000, 0, 1);
    for (let i = 0; i < 10_000; i++) h.record(id(`k${i}`), k(`k${i}`), i);
    expect(h.tracked).toBe(20);
    for (let i = 0; i < 1_000; i++) h.record(id('heavy'), k('heavy'), 10_000 + i);
    expect(name(h.top(11_000)[0].key)).toBe('heavy');
  });

  test('rescales the landmark without changing reported scores', () => {
    const h = new HotKeys(1, 1, 0, 1);
    h.record(id('a'), k('a'), 0);
    h.record(id('a'), k('a'), 100); // exponent 100 > rescale threshold
    expect(h.top(100)[0].score).toBeCloseTo(1, 6);
    expect(Number.isFinite(h.top(100)[0].score)).toBe(true);
  });

  test('topK 0 disables tracking; limit caps the answer', () => {
    const off = new HotKeys(0, 1000, 0);
    off.record(id('a'), k('a'), 0);
    expect(off.top(0)).toEqual([]);
    const h = new HotKeys(3, 1000, 0, 1);
    for (const key of ['a', 'b', 'c']) h.record(id(key), k(key), 0);
    expect(h.top(0, 2)).toHaveLength(2);
  });

  test('a large top-K under churn keeps every slot findable and forgets deleted keys', () => {
    const h = new HotKeys(200, 60_000, 0, 1);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 5_000; i++) h.record(id(`c${i}`), k(`c${i}`), 0);
      for (let i = 0; i < 50; i++) {
        for (let r = 0; r < 100; r++) h.record(id(`hot${i}`), k(`hot${i}`), 0);
      }
    }
    expect(h.tracked).toBe(800);
    const top = h.top(0, 50).map((t) => name(t.key));
    expect(top.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `hot${i}`).sort());
    h.forget(id('hot7'), k('hot7'));
    expect(h.tracked).toBe(799);
    expect(h.top(0, 200).map((t) => name(t.key))).not.toContain('hot7');
    // A forgotten key takes a fresh slot; a tracked key's slot is found and grows.
    h.record(id('hot7'), k('hot7'), 0);
    expect(h.tracked).toBe(800);
    const before = h.top(0, 200).find((t) => name(t.key) === 'hot8')!.score;
    h.record(id('hot8'), k('hot8'), 0);
    expect(h.top(0, 200).find((t) => name(t.key) === 'hot8')!.score).toBe(before + 1);
  });

  test('sampling does not alias with a periodic access pattern', () => {
    const h = new HotKeys(4, 60_000, 0, 4);
    const keys = ['a', 'b', 'c', 'd'];
    for (let i = 0; i < 4_000; i++) h.record(id(keys[i % 4]), k(keys[i % 4]), 0);
    const top = h.top(0);
    expect(top.map((t) => name(t.key)).sort()).toEqual(keys);
    // Each key was read 1,000 times; sampled reads count 4 each.
    for (const t of top) {
      expect(t.score).toBeGreaterThan(800);
      expect(t.score).toBeLessThan(1_200);
    }
  });

  test('the map feeds hot keys from sampled reads and forgets deleted keys', () => {
    const { store, clock } = makeStore();
    const m = store.map('a')!;
    m.set(k('x'), k('1'));
    for (let i = 0; i < 400; i++) m.get(k('x'));
    for (let i = 0; i < 100; i++) m.get(k('y'));
    clock.advance(60_000);
    const top = m.hotKeys();
    expect(top.map((h) => name(h.key))).toEqual(['x', 'y']);
    // One read in four is sampled with weight 4; one half-life has passed.
    expect(top[0].score).toBeGreaterThan(150);
    expect(top[0].score).toBeLessThan(250);
    expect(top[1].score).toBeGreaterThan(25);
    expect(top[1].score).toBeLessThan(75);
    m.delete(k('x'));
    expect(m.hotKeys().map((h) => name(h.key))).toEqual(['y']);
  });
});
