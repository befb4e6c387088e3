/**
 * The system clock read at most once per run of synchronous code, like libuv's cached loop
 * time. Reading the wall clock costs ~65 ns here (a large share of a ~1 µs cached read); a
 * batch of requests handled in one turn (one socket read, one HTTP request) shares one reading.
 * The reading is dropped in a microtask, so the next callback, await or timer sees fresh time:
 * time seen by the store lags the wall clock by at most the synchronous work done since the
 * first read in the turn.
 *
 * Only the real clock is wrapped: an injected clock (tests) is read on every call.
 */
import type { Clock } from './types.js';

export class TurnClock implements Clock {
  private cached = 0;
  private valid = false;
  private readonly forget = (): void => {
    this.valid = false;
  };

  constructor(
    private readonly source: () => number = Date.now,
    /** Runs a callback once the current synchronous run is over. */
    private readonly afterTurn: (fn: () => void) => void = queueMicrotask,
  ) {}

  now(): number {
    if (this.valid) return this.cached;
    this.cached = this.source();
    this.valid = true;
    this.afterTurn(this.forget);
    return this.cached;
  }
}
