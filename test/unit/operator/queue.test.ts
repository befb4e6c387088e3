import { WorkQueue, type HandlerResult } from '../../../operator/src/kube/queue.js';
import { backoffDelay } from '../../../operator/src/kube/timers.js';
import { flush, ManualTimers } from './fake-timers.js';

describe('backoffDelay', () => {
  it('doubles from the base and caps at the maximum', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, 100, 1000))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(backoffDelay(0, 100, 1000)).toBe(0);
  });
});

function setup(results: Record<string, HandlerResult[]>) {
  const timers = new ManualTimers();
  const calls: string[] = [];
  const queue = new WorkQueue({
    timers,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    handler: (key) => {
      calls.push(key);
      return Promise.resolve(results[key]?.shift() ?? { result: 'success' });
    },
  });
  return { timers, calls, queue };
}

describe('WorkQueue', () => {
  it('coalesces repeated adds of a waiting key', async () => {
    const timers = new ManualTimers();
    const calls: string[] = [];
    const queue = new WorkQueue({
      timers,
      concurrency: 1,
      handler: (key) => {
        calls.push(key);
        return Promise.resolve({ result: 'success' });
      },
    });
    queue.add('busy');
    queue.add('a');
    queue.add('a');
    expect(queue.depth).toBe(1);
    await queue.idle();
    expect(calls).toEqual(['busy', 'a']);
  });

  it('retries a failing key with exponential backoff and forgets it after success', async () => {
    const err = { result: 'error' } as const;
    const { timers, calls, queue } = setup({ a: [err, err, err] });
    queue.add('a');
    await flush();
    expect(calls).toEqual(['a']);
    expect(timers.waiting()).toEqual([100]);
    await timers.advance(100);
    expect(timers.waiting()).toEqual([200]);
    await timers.advance(200);
    expect(timers.waiting()).toEqual([400]);
    await timers.advance(399);
    expect(calls).toHaveLength(3);
    await timers.advance(1);
    expect(calls).toHaveLength(4);
    expect(queue.failuresOf('a')).toBe(0);
  });

  it('runs a requeued key again after the requested delay', async () => {
    const { timers, calls, queue } = setup({ a: [{ result: 'requeue', requeueAfterMs: 5000 }] });
    queue.add('a');
    await flush();
    await timers.advance(4999);
    expect(calls).toEqual(['a']);
    await timers.advance(1);
    expect(calls).toEqual(['a', 'a']);
  });

  it('never runs one key twice at once, and reruns it when it changed meanwhile', async () => {
    const timers = new ManualTimers();
    let release!: () => void;
    let concurrent = 0;
    let maxConcurrent = 0;
    let runs = 0;
    const queue = new WorkQueue({
      timers,
      handler: async () => {
        runs++;
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        if (runs === 1) await new Promise<void>((r) => (release = r));
        concurrent--;
        return { result: 'success' };
      },
    });
    queue.add('a');
    await flush();
    queue.add('a');
    await flush();
    release();
    await queue.idle();
    expect({ runs, maxConcurrent }).toEqual({ runs: 2, maxConcurrent: 1 });
  });

  it('runs a key once for a burst of delayed adds (children changing in quick succession)', async () => {
    const { timers, calls, queue } = setup({});
    for (let i = 0; i < 4; i++) {
      queue.addAfter('a', 200);
      await timers.advance(40);
    }
    expect(calls).toEqual([]);
    await timers.advance(100);
    expect(calls).toEqual(['a']);
    await timers.advance(1000);
    expect(calls).toEqual(['a']);
  });

  it('reports depth and stops taking work after stop()', async () => {
    const { calls, queue } = setup({});
    await queue.stop();
    queue.add('a');
    await flush();
    expect(calls).toEqual([]);
  });
});
