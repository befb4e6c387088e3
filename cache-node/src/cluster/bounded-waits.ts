/**
 * Waits for acknowledgements, but never longer than a bound, with one timer for all waits.
 *
 * A write waits for the other members' invalidation acks for at most a bound; a timer per wait
 * (as before) stayed armed after the ack and fired 500 ms later for nothing: at 1000 writes/s
 * that was up to 2000 needless timer wake-ups a second per owner. Here waits are kept in arrival
 * order (their deadlines grow with it), one timer is armed for the oldest pending one, and it is
 * cleared as soon as nothing is pending, so when acks arrive in time no timer ever fires.
 */

export interface WaitClock<T> {
  now(): number;
  setTimeout(fn: () => void, ms: number): T;
  clearTimeout(timer: T): void;
}

interface Wait {
  deadline: number;
  release(): void;
}

export class BoundedWaits<T = unknown> {
  private readonly pending = new Map<number, Wait>();
  private nextId = 0;
  private timer: T | undefined;

  constructor(
    private readonly limitMs: number,
    private readonly clock: WaitClock<T>,
  ) {}

  /** Number of waits not yet released (diagnostics, tests). */
  get size(): number {
    return this.pending.size;
  }

  /** Resolves when `ack` settles (either way) or `limitMs` after now, whichever comes first. */
  bound(ack: Promise<unknown>): Promise<void> {
    return new Promise<void>((resolve) => {
      const id = this.nextId++;
      const release = () => {
        if (!this.pending.delete(id)) return;
        if (this.pending.size === 0) this.disarm();
        resolve();
      };
      this.pending.set(id, { deadline: this.clock.now() + this.limitMs, release });
      if (this.timer === undefined) this.arm(this.limitMs);
      ack.then(release, release);
    });
  }

  private arm(ms: number): void {
    this.timer = this.clock.setTimeout(() => this.expire(), ms);
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Releases every wait past its deadline; re-arms for the oldest one left. */
  private expire(): void {
    this.timer = undefined;
    const now = this.clock.now();
    for (const w of this.pending.values()) {
      if (w.deadline > now) {
        this.arm(w.deadline - now);
        return;
      }
      w.release();
    }
  }
}
