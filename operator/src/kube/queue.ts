/**
 * A work queue of keys (namespace/name): deduplicated, never the same key in two workers at once
 * (a key added while it runs is run again afterwards), per-key exponential backoff on errors.
 * Level-triggered: the handler looks at the current state, so coalescing adds loses nothing.
 */
import { backoffDelay, type Timers } from './timers.js';

export type HandlerResult =
  | { result: 'success' | 'gone' }
  | { result: 'requeue'; requeueAfterMs?: number }
  | { result: 'error'; error?: Error };

export interface QueueOptions {
  handler: (key: string) => Promise<HandlerResult>;
  timers: Timers;
  concurrency?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Called whenever the number of waiting keys changes. */
  onDepth?: (depth: number) => void;
  onResult?: (key: string, result: HandlerResult, seconds: number) => void;
}

export class WorkQueue {
  private readonly ready: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly delayed = new Map<string, { at: number; handle: unknown }>();
  private readonly failures = new Map<string, number>();
  private active = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: QueueOptions) {}

  get depth(): number {
    return this.ready.length + this.delayed.size;
  }

  add(key: string): void {
    if (this.stopped) return;
    const pending = this.delayed.get(key);
    if (pending) {
      this.o.timers.clearTimeout(pending.handle);
      this.delayed.delete(key);
    }
    if (this.running.has(key)) {
      this.dirty.add(key);
    } else if (!this.queued.has(key)) {
      this.queued.add(key);
      this.ready.push(key);
    }
    this.changed();
    this.pump();
  }

  /** Adds the key after `ms`, unless it is added sooner (the earlier time wins). */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return;
    if (ms <= 0) return this.add(key);
    const at = this.o.timers.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (this.queued.has(key)) return;
    if (pending) this.o.timers.clearTimeout(pending.handle);
    const handle = this.o.timers.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { at, handle });
    this.changed();
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Stops taking work; resolves when running handlers are done. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const { handle } of this.delayed.values()) this.o.timers.clearTimeout(handle);
    this.delayed.clear();
    this.ready.length = 0;
    this.queued.clear();
    await this.idle();
  }

  /** Resolves when no handler is running and nothing is ready to run. */
  idle(): Promise<void> {
    if (this.active === 0 && this.ready.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private changed(): void {
    this.o.onDepth?.(this.depth);
  }

  private pump(): void {
    const max = this.o.concurrency ?? 4;
    while (!this.stopped && this.active < max && this.ready.length > 0) {
      const key = this.ready.shift()!;
      this.queued.delete(key);
      this.running.add(key);
      this.active++;
      this.changed();
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    const started = this.o.timers.now();
    let outcome: HandlerResult;
    try {
      outcome = await this.o.handler(key);
    } catch (err) {
      outcome = { result: 'error', error: err instanceof Error ? err : new Error(String(err)) };
    }
    this.o.onResult?.(key, outcome, (this.o.timers.now() - started) / 1000);
    this.running.delete(key);
    this.active--;
    if (outcome.result === 'error') {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      this.addAfter(key, backoffDelay(n, this.o.baseDelayMs ?? 200, this.o.maxDelayMs ?? 60_000));
    } else {
      this.failures.delete(key);
      if (outcome.result === 'requeue') this.addAfter(key, outcome.requeueAfterMs ?? 1000);
    }
    // Changes seen while it ran: run again, but an error's backoff already covers them.
    if (this.dirty.delete(key) && outcome.result !== 'error') this.add(key);
    this.pump();
    if (this.active === 0 && this.ready.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach((w) => w());
    }
  }
}
