import type { KubernetesObject } from '@kubernetes/client-node';
import { decideLease } from '../../../operator/src/kube/leader.js';
import {
  SupervisedInformer,
  type InformerLike,
} from '../../../operator/src/kube/supervised-informer.js';
import { ManualTimers } from './fake-timers.js';

type Cb = (arg?: unknown) => void;

/** A scriptable stand-in for client-node's ListWatch. */
class FakeInformer {
  handlers = new Map<string, Cb[]>();
  stopped = false;
  constructor(readonly items: KubernetesObject[]) {}
  on(verb: string, cb: Cb) {
    this.handlers.set(verb, [...(this.handlers.get(verb) ?? []), cb]);
  }
  off() {}
  emit(verb: string, arg?: unknown) {
    for (const cb of this.handlers.get(verb) ?? []) cb(arg);
  }
  start() {
    this.emit('connect');
    for (const i of this.items) this.emit('add', i);
    return Promise.resolve();
  }
  stop() {
    this.stopped = true;
    return Promise.resolve();
  }
  get(name: string) {
    return this.items.find((i) => i.metadata?.name === name);
  }
  list() {
    return this.items;
  }
}

function setup() {
  const timers = new ManualTimers();
  const made: FakeInformer[] = [];
  const seen: string[] = [];
  const restarts: string[] = [];
  const inf = new SupervisedInformer<KubernetesObject>({
    name: 'things',
    create: () => {
      const f = new FakeInformer([{ metadata: { name: `gen${made.length}` } }]);
      made.push(f);
      return f as unknown as InformerLike<KubernetesObject>;
    },
    onChange: (obj, verb) => seen.push(`${verb}:${obj.metadata?.name}`),
    timers,
    staleAfterMs: 60_000,
    baseDelayMs: 1000,
    onRestart: (_n, why) => restarts.push(why),
  });
  return { timers, made, seen, restarts, inf };
}

describe('SupervisedInformer', () => {
  it('rebuilds the informer (a fresh list) after a watch error, with backoff', async () => {
    const { timers, made, seen, restarts, inf } = setup();
    await inf.start();
    expect(inf.hasSynced).toBe(true);
    made[0].emit('error', new Error('connection reset'));
    await timers.advance(999);
    expect(made).toHaveLength(1);
    await timers.advance(1);
    expect(made).toHaveLength(2);
    expect(made[0].stopped).toBe(true);
    expect(restarts[0]).toContain('connection reset');
    expect(seen).toEqual(['add:gen0', 'add:gen1']);
    expect(inf.get('gen1')).toBeDefined();
    await inf.stop();
  });

  it('restarts a watch that went silent', async () => {
    const { timers, made, restarts, inf } = setup();
    await inf.start();
    await timers.advance(60_000);
    expect(made.length).toBeGreaterThan(1);
    expect(restarts[0]).toContain('no watch activity');
    await inf.stop();
  });

  it('keeps a watch that is heard from', async () => {
    const { timers, made, inf } = setup();
    await inf.start();
    for (let i = 0; i < 4; i++) {
      await timers.advance(30_000);
      made[0].emit('update', { metadata: { name: 'x' } });
    }
    expect(made).toHaveLength(1);
    await inf.stop();
  });

  it('ignores events from an informer it replaced', async () => {
    const { timers, made, seen, inf } = setup();
    await inf.start();
    made[0].emit('error', new Error('x'));
    await timers.advance(1000);
    made[0].emit('add', { metadata: { name: 'late' } });
    expect(seen).not.toContain('add:late');
    await inf.stop();
  });
});

describe('decideLease', () => {
  const lease = (holder: string | undefined, renewTimeMs: number) => ({
    holder,
    renewTimeMs,
    durationSeconds: 15,
  });
  it('creates a missing Lease, renews its own, follows a live holder, takes over an expired one', () => {
    expect(decideLease(undefined, 'a', 0)).toBe('create');
    expect(decideLease(lease('a', 0), 'a', 1000)).toBe('renew');
    expect(decideLease(lease('b', 0), 'a', 15_000)).toBe('follow');
    expect(decideLease(lease('b', 0), 'a', 15_001)).toBe('takeover');
    expect(decideLease(lease(undefined, 0), 'a', 1)).toBe('takeover');
  });
});
