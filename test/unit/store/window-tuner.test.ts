import { jest } from '@jest/globals';

import { MiniSimTuner } from '../../../cache-node/src/store/policy/window-tuner.js';
import { TinyLfuPolicy } from '../../../cache-node/src/store/policy/tinylfu.js';

// Simulations of tens of thousands of accesses: slow only on a loaded machine.
jest.setTimeout(60_000);

const hashOf = (key: number) => Math.imul(key + 1, 0x9e3779b1) | 0;

/** Feeds keys and returns the last window share the tuner chose. */
function lastChoice(tuner: MiniSimTuner, keys: Iterable<number>): number | undefined {
  let choice: number | undefined;
  for (const key of keys) choice = tuner.access(hashOf(key)) ?? choice;
  return choice;
}

function* recency(steps: number): Generator<number> {
  // Every key is read twice, 30 steps apart, and never again: only recency can hit.
  for (let t = 0; t < steps; t++) {
    yield t;
    if (t >= 30) yield t - 30;
  }
}

function* frequency(count: number): Generator<number> {
  // A fixed popular set mixed with one-off keys: admission by frequency is what pays.
  let x = 12345;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    yield i % 2 === 0 ? x % 115 : 1_000_000 + i;
  }
}

describe('window tuner (mini-simulation)', () => {
  test('picks a large window when only recency hits', () => {
    const choice = lastChoice(new MiniSimTuner(128), recency(20_000));
    expect(choice).toBeGreaterThanOrEqual(0.3);
  });

  test('picks a small window when frequency decides', () => {
    const choice = lastChoice(new MiniSimTuner(128), frequency(40_000));
    expect(choice).toBeLessThanOrEqual(0.1);
  });

  test('decides only once per period and never before', () => {
    const tuner = new MiniSimTuner(128);
    let decisions = 0;
    for (let i = 0; i < 1279; i++) if (tuner.access(hashOf(i)) !== undefined) decisions++;
    expect(decisions).toBe(0);
    if (tuner.access(hashOf(5)) !== undefined) decisions++;
    expect(decisions).toBe(1);
  });

  test('the policy follows the tuner: its window grows under a recency workload', () => {
    const p = new TinyLfuPolicy(128);
    expect(p.regions.windowTarget).toBe(1);
    for (const key of recency(20_000)) p.onMiss(hashOf(key));
    expect(p.regions.windowTarget).toBeGreaterThanOrEqual(0.3 * 128 - 1);
  });
});
