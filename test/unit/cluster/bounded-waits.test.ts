import { BoundedWaits, type WaitClock } from '../../../cache-node/src/cluster/bounded-waits.js';

/** A manual clock: timers fire only when the test advances time. */
class FakeClock implements WaitClock<number> {
  t = 0;
  private nextId = 1;
  readonly timers = new Map<number, { at: number; fn: () => void }>();
  armed = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    this.armed++;
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimeout = (id: number) => {
    this.timers.delete(id);
  };
  /** Moves time forward, firing due timers in order. */
  advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers].filter(([, x]) => x.at <= end).sort((a, b) => a[1].at - b[1].at);
      if (due.length === 0) break;
      const [id, timer] = due[0];
      this.timers.delete(id);
      this.t = timer.at;
      timer.fn();
    }
    this.t = end;
  }
}

const flush = () => new Promise<void>((r) => setImmediate(r));

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Tracks whether a promise has settled. */
function watch(p: Promise<void>) {
  const state = { done: false };
  void p.then(() => (state.done = true));
  return state;
}

describe('BoundedWaits', () => {
  it('releases a wait when its ack arrives, and leaves no timer armed', async () => {
    const clock = new FakeClock();
    const waits = new BoundedWaits(500, clock);
    const ack = deferred();
    const w = watch(waits.bound(ack.promise));
    expect(clock.timers.size).toBe(1);
    ack.resolve();
    await flush();
    expect(w.done).toBe(true);
    expect(clock.timers.size).toBe(0);
    expect(waits.size).toBe(0);
  });

  it('releases a wait whose ack failed, like an answered one', async () => {
    const clock = new FakeClock();
    const waits = new BoundedWaits(500, clock);
    const ack = deferred();
    const w = watch(waits.bound(ack.promise));
    ack.reject(new Error('member gone'));
    await flush();
    expect(w.done).toBe(true);
  });

  it('releases an unanswered wait at its bound, not before', async () => {
    const clock = new FakeClock();
    const waits = new BoundedWaits(500, clock);
    const w = watch(waits.bound(new Promise(() => undefined)));
    clock.advance(499);
    await flush();
    expect(w.done).toBe(false);
    clock.advance(1);
    await flush();
    expect(w.done).toBe(true);
    expect(clock.timers.size).toBe(0);
  });

  it('uses one timer for many waits and re-arms for the oldest still pending', async () => {
    const clock = new FakeClock();
    const waits = new BoundedWaits(500, clock);
    const first = watch(waits.bound(new Promise(() => undefined)));
    clock.advance(100);
    const second = watch(waits.bound(new Promise(() => undefined)));
    clock.advance(100);
    const answered = deferred();
    const third = watch(waits.bound(answered.promise));
    expect(clock.armed).toBe(1);
    answered.resolve();
    await flush();
    expect(third.done).toBe(true);

    clock.advance(300); // t = 500: only the first is due
    await flush();
    expect([first.done, second.done]).toEqual([true, false]);
    expect(clock.timers.size).toBe(1);
    clock.advance(99);
    await flush();
    expect(second.done).toBe(false);
    clock.advance(1); // t = 600
    await flush();
    expect(second.done).toBe(true);
    expect(clock.timers.size).toBe(0);
    expect(clock.armed).toBe(2);
  });

  it('arms a new timer for a wait made after every earlier one was released', async () => {
    const clock = new FakeClock();
    const waits = new BoundedWaits(500, clock);
    const ack = deferred();
    void waits.bound(ack.promise);
    ack.resolve();
    await flush();
    clock.advance(1000);
    const w = watch(waits.bound(new Promise(() => undefined)));
    clock.advance(500);
    await flush();
    expect(w.done).toBe(true);
  });
});
