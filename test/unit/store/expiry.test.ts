import { partitionHash } from '../../../cache-node/src/data/index.js';
import type { ChangeEvent } from '../../../cache-node/src/store/index.js';
import { k, makeStore, v } from './helpers.js';

describe('TTL and max-idle', () => {
  test('map TTL: an entry is served until its deadline and never after (checked on read)', () => {
    const { store, clock } = makeStore([{ name: 't', ttlSeconds: 10 }]);
    const m = store.map('t')!;
    m.set(k('a'), v('1'));
    clock.advance(9_999);
    expect(m.get(k('a'))).toBeDefined();
    clock.advance(1);
    expect(m.get(k('a'))).toBeUndefined();
    expect(m.totals()).toMatchObject({ hits: 1, misses: 1, expirations: 1 });
    expect(m.size).toBe(0);
  });

  test('a write resets the TTL; per-write overrides win over the map default', () => {
    const { store, clock } = makeStore([{ name: 't', ttlSeconds: 10 }]);
    const m = store.map('t')!;
    m.set(k('a'), v('1'));
    m.set(k('forever'), v('1'), { ttlMs: 0 });
    m.set(k('short'), v('1'), { ttlMs: 500 });
    clock.advance(600);
    expect(m.has(k('short'))).toBe(false);
    clock.advance(8_000);
    m.set(k('a'), v('2'));
    clock.advance(5_000);
    expect(m.peek(k('a'))?.equals(v('2'))).toBe(true);
    clock.advance(1_000_000);
    expect(m.has(k('a'))).toBe(false);
    expect(m.has(k('forever'))).toBe(true);
  });

  test('max-idle: reads keep an entry alive, peek does not', () => {
    const { store, clock } = makeStore([{ name: 'i', maxIdleSeconds: 5 }]);
    const m = store.map('i')!;
    m.set(k('a'), v('1'));
    m.set(k('b'), v('1'));
    for (let i = 0; i < 4; i++) {
      clock.advance(4_000);
      expect(m.get(k('a'))).toBeDefined();
      m.peek(k('b'));
    }
    expect(m.has(k('a'))).toBe(true);
    expect(m.has(k('b'))).toBe(false);
    m.set(k('c'), v('1'), { maxIdleMs: 0 });
    clock.advance(1_000_000);
    expect(m.has(k('c'))).toBe(true);
  });

  test('the sweep timer expires due entries with one expire event each', () => {
    const { store, clock, scheduler } = makeStore([{ name: 't', ttlSeconds: 10 }]);
    const m = store.map('t')!;
    const events: ChangeEvent[] = [];
    store.onChange((e) => events.push(e));
    for (let i = 0; i < 5; i++) m.set(k(`k${i}`), v('x'), { ttlMs: (i + 1) * 1000 });
    m.set(k('stay'), v('x'), { ttlMs: 0 });
    store.start();
    clock.advance(3_000);
    scheduler.fire(5_000);
    expect(m.size).toBe(3);
    const expired = events.filter((e) => e.kind === 'expire');
    expect(expired.map((e) => e.key!.toString('latin1', 12))).toEqual(['k0', 'k1', 'k2']);
    expect(expired[0].oldValue?.equals(v('x'))).toBe(true);
    clock.advance(100_000);
    scheduler.fire(5_000);
    expect([...m.entries()].map((e) => e.key.toString('latin1', 12))).toEqual(['stay']);
    expect(m.totals().expirations).toBe(5);
  });

  test('sweep re-queues an idle entry that was read since it was queued', () => {
    const { store, clock, scheduler } = makeStore([{ name: 'i', maxIdleSeconds: 10 }]);
    const m = store.map('i')!;
    store.start();
    m.set(k('a'), v('1'));
    clock.advance(8_000);
    m.get(k('a'));
    clock.advance(4_000);
    scheduler.fire(5_000);
    expect(m.has(k('a'))).toBe(true);
    clock.advance(7_000);
    scheduler.fire(5_000);
    expect(m.size).toBe(0);
    expect(m.totals().expirations).toBe(1);
  });

  test('an overwrite without TTL is not expired by a stale queue item', () => {
    const { store, clock, scheduler } = makeStore();
    const m = store.map('a')!;
    store.start();
    m.set(k('a'), v('1'), { ttlMs: 1000 });
    m.set(k('a'), v('2'));
    clock.advance(2000);
    scheduler.fire(5_000);
    expect(m.peek(k('a'))?.equals(v('2'))).toBe(true);
  });

  test('start registers the configured timers and stop cancels every one (idempotent)', () => {
    const { store, scheduler } = makeStore([], {
      maintenance: {
        expirySweepIntervalSeconds: 7,
        sketchAgingIntervalSeconds: 30,
        statsWindowSeconds: 60,
        statsBuckets: 6,
      },
    });
    store.start();
    store.start();
    expect(scheduler.timers.map((t) => t.ms).sort()).toEqual([30_000, 7_000]);
    store.stop();
    expect(scheduler.active).toBe(0);
    store.stop();
    expect(scheduler.active).toBe(0);
  });

  test('the aging timer halves the map sketches', () => {
    const { store, scheduler } = makeStore([{ name: 'a', maxEntries: 100 }], {
      maintenance: {
        expirySweepIntervalSeconds: 7,
        sketchAgingIntervalSeconds: 30,
        statsWindowSeconds: 60,
        statsBuckets: 6,
      },
    });
    const m = store.map('a')!;
    // Fill, then read a cold key often: with a halved sketch its count drops.
    for (let i = 0; i < 8; i++) m.get(k('hot'));
    store.start();
    const policy = (m as unknown as { evictionPolicy: { frequency(h: number): number } })
      .evictionPolicy;
    const before = policy.frequency(partitionHash(k('hot')));
    scheduler.fire(30_000);
    expect(policy.frequency(partitionHash(k('hot')))).toBe(before / 2);
  });
});
