import { createStore, systemClock } from '../../../cache-node/src/store/index.js';
import { TurnClock } from '../../../cache-node/src/store/turn-clock.js';
import { k, v } from './helpers.js';

describe('turn clock', () => {
  test('reads the source once per synchronous turn and again after the turn ends', () => {
    let t = 100;
    let reads = 0;
    const pending: (() => void)[] = [];
    const clock = new TurnClock(
      () => {
        reads++;
        return t;
      },
      (fn) => pending.push(fn),
    );
    expect(clock.now()).toBe(100);
    t = 250;
    expect(clock.now()).toBe(100);
    expect(reads).toBe(1);
    expect(pending).toHaveLength(1);
    pending.shift()!();
    expect(clock.now()).toBe(250);
    expect(reads).toBe(2);
  });

  test('by default the cached reading is dropped in a microtask', async () => {
    let t = 1;
    const clock = new TurnClock(() => t);
    expect(clock.now()).toBe(1);
    t = 2;
    expect(clock.now()).toBe(1);
    await Promise.resolve();
    expect(clock.now()).toBe(2);
  });

  test('a store on the system clock stamps entries with wall time', async () => {
    const store = createStore({
      clock: systemClock,
      partitionCount: 271,
      maps: [],
      defaultMap: { eviction: 'tinylfu', ttlSeconds: 0, maxIdleSeconds: 0 },
      undeclaredMaps: 'allow',
      hotKeys: { topK: 5, halfLifeSeconds: 60 },
      maintenance: {
        expirySweepIntervalSeconds: 5,
        sketchAgingIntervalSeconds: 0,
        statsWindowSeconds: 60,
        statsBuckets: 6,
      },
    });
    await Promise.resolve();
    const before = Date.now();
    store.map('m')!.set(k('a'), v('1'));
    const [entry] = [...store.map('m')!.entries()];
    expect(entry.createdAt).toBeGreaterThanOrEqual(before);
    expect(entry.createdAt).toBeLessThanOrEqual(Date.now());
  });
});
