/**
 * An informer that keeps itself alive. client-node's ListWatch stops for good on a watch error
 * other than 410 Gone (which it re-lists itself) and can go quiet without an error; this wrapper
 * rebuilds it (a fresh list) after an error, with backoff, and when nothing at all was heard for
 * `staleAfterMs` (the apiserver ends every watch within an hour, which reconnects, so a healthy
 * watch is never silent for long).
 */
import type { Informer, KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import { backoffDelay, type Timers } from './timers.js';

export type InformerLike<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

export interface SupervisedInformerOptions<T extends KubernetesObject> {
  name: string;
  /** Builds a new, unstarted informer (a fresh list and watch). */
  create: () => InformerLike<T>;
  onChange: (obj: T, verb: 'add' | 'update' | 'delete') => void;
  timers: Timers;
  staleAfterMs?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Reports restarts (for logs and tests). */
  onRestart?: (name: string, reason: string) => void;
}

export class SupervisedInformer<T extends KubernetesObject> implements ObjectCache<T> {
  private current: InformerLike<T> | undefined;
  private lastHeard = 0;
  private failures = 0;
  private synced = false;
  private stopped = true;
  private watchdog: unknown;
  private retry: unknown;
  private generation = 0;

  constructor(private readonly o: SupervisedInformerOptions<T>) {}

  /** True once the first list has been received. */
  get hasSynced(): boolean {
    return this.synced;
  }

  get(name: string, namespace?: string): T | undefined {
    return this.current?.get(name, namespace);
  }

  list(namespace?: string): readonly T[] {
    return this.current?.list(namespace) ?? [];
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.spawn();
    this.armWatchdog();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.o.timers.clearTimeout(this.watchdog);
    this.o.timers.clearTimeout(this.retry);
    await this.current?.stop();
  }

  /** Throws the old informer away and lists again. */
  async restart(reason: string): Promise<void> {
    if (this.stopped) return;
    this.o.onRestart?.(this.o.name, reason);
    await this.current?.stop();
    await this.spawn();
  }

  private async spawn(): Promise<void> {
    const gen = ++this.generation;
    const inf = this.o.create();
    const heard = () => {
      if (gen === this.generation) this.lastHeard = this.o.timers.now();
    };
    const forward = (verb: 'add' | 'update' | 'delete') => (obj: T) => {
      if (gen !== this.generation) return;
      heard();
      this.o.onChange(obj, verb);
    };
    inf.on('add', forward('add'));
    inf.on('update', forward('update'));
    inf.on('delete', forward('delete'));
    inf.on('connect', heard);
    inf.on('error', (err?: unknown) => {
      if (gen !== this.generation || this.stopped) return;
      this.failures++;
      const delay = backoffDelay(
        this.failures,
        this.o.baseDelayMs ?? 500,
        this.o.maxDelayMs ?? 30_000,
      );
      const msg = err instanceof Error ? err.message : String(err);
      this.retry = this.o.timers.setTimeout(() => void this.restart(`watch error: ${msg}`), delay);
    });
    this.current = inf;
    this.lastHeard = this.o.timers.now();
    const failuresBefore = this.failures;
    try {
      await inf.start();
      // A failed list is reported through 'error' (start() still resolves).
      if (gen === this.generation && this.failures === failuresBefore) {
        this.failures = 0;
        this.synced = true;
      }
    } catch {
      // start() reports list failures through the 'error' callback too; the retry handles them.
    }
  }

  private armWatchdog(): void {
    const stale = this.o.staleAfterMs ?? 300_000;
    const check = () => {
      if (this.stopped) return;
      if (this.o.timers.now() - this.lastHeard >= stale) {
        void this.restart(`no watch activity for ${Math.round(stale / 1000)} s`);
      }
      this.watchdog = this.o.timers.setTimeout(check, Math.max(stale / 4, 10));
    };
    this.watchdog = this.o.timers.setTimeout(check, Math.max(stale / 4, 10));
  }
}
