import { encodeString } from '../../../cache-node/src/data/index.js';
import {
  createStore,
  type MapSettings,
  type Scheduler,
  type StoreApi,
  type StoreOptions,
} from '../../../cache-node/src/store/index.js';

export class FakeClock {
  constructor(public t = 1_000_000) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Timers that fire only when the test says so. */
export class FakeScheduler implements Scheduler {
  readonly timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
  setInterval(fn: () => void, ms: number): { cancel(): void } {
    const t = { fn, ms, cancelled: false };
    this.timers.push(t);
    return { cancel: () => void (t.cancelled = true) };
  }
  get active(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
  /** Fires every active timer with this period. */
  fire(ms: number): void {
    for (const t of this.timers) if (!t.cancelled && t.ms === ms) t.fn();
  }
}

export const k = (s: string): Buffer => encodeString(s);
export const v = (s: string): Buffer => encodeString(s);

export function makeStore(
  maps: Partial<MapSettings>[] = [],
  over: Partial<StoreOptions> = {},
): { store: StoreApi; clock: FakeClock; scheduler: FakeScheduler } {
  const clock = new FakeClock();
  const scheduler = new FakeScheduler();
  const store = createStore({
    clock,
    scheduler,
    partitionCount: 271,
    maps: maps.map((m, i) => ({
      name: `m${i}`,
      eviction: 'tinylfu',
      ttlSeconds: 0,
      maxIdleSeconds: 0,
      ...m,
    })),
    defaultMap: { eviction: 'tinylfu', ttlSeconds: 0, maxIdleSeconds: 0, maxEntries: 1000 },
    undeclaredMaps: 'reject',
    hotKeys: { topK: 5, halfLifeSeconds: 60 },
    maintenance: {
      expirySweepIntervalSeconds: 5,
      sketchAgingIntervalSeconds: 0,
      statsWindowSeconds: 60,
      statsBuckets: 6,
    },
    ...over,
  });
  return { store, clock, scheduler };
}
