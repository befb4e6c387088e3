import { describe, expect, it } from '@jest/globals';
import { ReplyBatcher } from '../../../cache-node/src/protocol/reply-batcher.js';

/** A batcher whose microtasks and replies in progress the test controls. */
function setup(firstFlush = 4, growth = 2, maxHops = 16) {
  const writes: number[][] = [];
  const turns: (() => void)[] = [];
  let inProgress = 0;
  const batcher = new ReplyBatcher({
    firstFlush,
    growth,
    maxHops,
    repliesPending: () => inProgress,
    write: (buf) => writes.push([...buf]),
    schedule: (fn) => turns.push(fn),
  });
  const runTurns = () => {
    let n = 0;
    while (turns.length > 0) {
      turns.shift()!();
      n++;
    }
    return n;
  };
  const runOneTurn = () => turns.shift()!();
  const reply = (i: number) => Buffer.from([i]);
  return {
    batcher,
    writes,
    runTurns,
    runOneTurn,
    reply,
    setInProgress: (n: number) => void (inProgress = n),
  };
}

describe('ReplyBatcher', () => {
  it('writes the first replies at once, then groups that double, then the rest in one write', () => {
    const s = setup(4, 2);
    for (let i = 0; i < 30; i++) s.batcher.push(s.reply(i));
    // 4, then 8, then 16 written while the batch was being built; 2 left for the turn.
    expect(s.writes.map((w) => w.length)).toEqual([4, 8, 16]);
    s.runTurns();
    expect(s.writes.map((w) => w.length)).toEqual([4, 8, 16, 2]);
    expect(s.writes.flat()).toEqual([...Array(30).keys()]);
  });

  it('starts the next batch small again', () => {
    const s = setup(4, 2);
    for (let i = 0; i < 13; i++) s.batcher.push(s.reply(i));
    s.runTurns();
    s.writes.length = 0;
    for (let i = 0; i < 5; i++) s.batcher.push(s.reply(i));
    s.runTurns();
    expect(s.writes.map((w) => w.length)).toEqual([4, 1]);
  });

  it('with growth 1 writes every firstFlush replies', () => {
    const s = setup(4, 1);
    for (let i = 0; i < 10; i++) s.batcher.push(s.reply(i));
    s.runTurns();
    expect(s.writes.map((w) => w.length)).toEqual([4, 4, 2]);
  });

  it('waits a bounded number of turns for replies still being built', () => {
    const s = setup(100, 2, 3);
    s.batcher.push(s.reply(1));
    s.setInProgress(1);
    // The scheduled turn re-queues itself while a reply is pending, at most maxHops times.
    expect(s.runTurns()).toBe(4);
    expect(s.writes).toEqual([[1]]);
  });

  it('writes as soon as no reply is in progress', () => {
    const s = setup(100, 2, 16);
    s.batcher.push(s.reply(1));
    s.setInProgress(1);
    s.runOneTurn();
    expect(s.writes).toEqual([]);
    s.setInProgress(0);
    expect(s.runTurns()).toBe(1);
    expect(s.writes).toEqual([[1]]);
  });

  it('counts queued bytes, flushes on demand and discards on destroy', () => {
    const s = setup(100, 2);
    s.batcher.push(Buffer.alloc(10));
    s.batcher.push(Buffer.alloc(5));
    expect(s.batcher.pendingBytes).toBe(15);
    s.batcher.flushNow();
    expect(s.writes.map((w) => w.length)).toEqual([15]);
    expect(s.batcher.pendingBytes).toBe(0);
    s.batcher.push(Buffer.alloc(3));
    s.batcher.discard();
    expect(s.batcher.pendingBytes).toBe(0);
    s.runTurns();
    expect(s.writes).toHaveLength(1);
  });
});
