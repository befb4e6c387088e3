import { jest } from '@jest/globals';

import { LfuPolicy, LruPolicy, TinyLfuPolicy } from '../../../cache-node/src/store/policy/index.js';
import type { EvictionPolicy, PolicyNode } from '../../../cache-node/src/store/policy/index.js';
import { admits } from '../../../cache-node/src/store/policy/tinylfu.js';
import { murmur3 } from '../../../cache-node/src/data/index.js';

// Simulations of tens of thousands of accesses: slow only on a loaded machine.
jest.setTimeout(60_000);

interface Node extends PolicyNode {
  key: number;
}

/** A minimal cache around a policy: what the store does, without bytes or expiry. */
class Sim {
  readonly nodes = new Map<number, Node>();
  hits = 0;
  requests = 0;
  evictedNonResident = 0;
  constructor(
    readonly policy: EvictionPolicy,
    readonly capacity: number,
  ) {}
  access(key: number): boolean {
    this.requests++;
    const n = this.nodes.get(key);
    if (n) {
      this.hits++;
      this.policy.onHit(n);
      return true;
    }
    const b = Buffer.alloc(4);
    b.writeInt32BE(key);
    const hash = murmur3(b);
    this.policy.onMiss(hash);
    const node: Node = { key, hash, prev: null, next: null, region: 0, bucket: null };
    this.nodes.set(key, node);
    this.policy.onAdd(node);
    while (this.nodes.size > this.capacity) {
      const victim = this.policy.evict() as Node;
      // Checked once per test (expect() per eviction would dominate the run time).
      if (!this.nodes.delete(victim.key)) this.evictedNonResident++;
    }
    return false;
  }
  run(keys: Iterable<number>): number {
    const h0 = this.hits;
    const r0 = this.requests;
    for (const key of keys) this.access(key);
    return (this.hits - h0) / (this.requests - r0);
  }
}

function* loop(n: number, times: number): Generator<number> {
  for (let t = 0; t < times; t++) for (let i = 0; i < n; i++) yield i;
}

/** Deterministic skewed stream: key i with probability ∝ 1/(i+1) over `universe` keys. */
function* zipf(universe: number, count: number, offset = 0, seed = 7): Generator<number> {
  let x = seed;
  const weights = Array.from({ length: universe }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) cdf.push((acc += w / total));
  for (let c = 0; c < count; c++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const u = x / 2 ** 32;
    let lo = 0;
    let hi = universe - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    yield lo + offset;
  }
}

function* range(from: number, to: number): Generator<number> {
  for (let i = from; i < to; i++) yield i;
}

const policies = (cap: number): [string, () => EvictionPolicy][] => [
  ['lru', () => new LruPolicy()],
  ['lfu', () => new LfuPolicy()],
  ['tinylfu', () => new TinyLfuPolicy(cap)],
];

describe('every policy', () => {
  test.each(policies(100))(
    '%s keeps exactly capacity entries and evicts only residents',
    (_, make) => {
      const sim = new Sim(make(), 100);
      sim.run(zipf(1000, 20_000));
      expect(sim.nodes.size).toBe(100);
      expect(sim.policy.size).toBe(100);
      expect(sim.evictedNonResident).toBe(0);
    },
  );

  test.each(policies(50))('%s: onRemove forgets an entry and evict never returns it', (_, make) => {
    const sim = new Sim(make(), 50);
    sim.run(range(0, 50));
    const gone = sim.nodes.get(10)!;
    sim.policy.onRemove(gone);
    sim.nodes.delete(10);
    const evicted = new Set<PolicyNode>();
    for (let i = 0; i < 49; i++) evicted.add(sim.policy.evict()!);
    expect(evicted.has(gone)).toBe(false);
    expect(evicted.size).toBe(49);
    expect(sim.policy.evict()).toBeUndefined();
  });
});

describe('lru', () => {
  test('evicts the least recently used and a hit refreshes', () => {
    const sim = new Sim(new LruPolicy(), 3);
    sim.run([1, 2, 3, 1, 4]);
    expect([...sim.nodes.keys()].sort()).toEqual([1, 3, 4]);
    expect((sim.policy as LruPolicy).order().map((n) => (n as Node).key)).toEqual([3, 1, 4]);
  });
});

describe('lfu', () => {
  test('keeps frequency buckets ordered and evicts the least frequent, oldest first', () => {
    const p = new LfuPolicy();
    const sim = new Sim(p, 3);
    sim.run([1, 1, 1, 2, 2, 3]);
    expect(p.buckets()).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
    sim.run([4]);
    expect(sim.nodes.has(3)).toBe(false);
    expect(p.buckets()).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
  });
});

describe('tinylfu', () => {
  test('admission: more frequent wins, ties go to the victim, warm ties win only by chance', () => {
    expect(admits(3, 2, 1)).toBe(true);
    expect(admits(2, 2, 0)).toBe(false);
    expect(admits(1, 5, 0)).toBe(false);
    expect(admits(6, 6, 128)).toBe(true);
    expect(admits(6, 6, 1)).toBe(false);
    expect(admits(5, 5, 0)).toBe(false);
  });

  test('regions stay consistent: window + probation + protected = size', () => {
    const p = new TinyLfuPolicy(200, { adaptation: 'none' });
    const sim = new Sim(p, 200);
    sim.run(zipf(5000, 50_000));
    const r = p.regions;
    expect(r.window + r.probation + r.protected).toBe(200);
    expect(r.window).toBeLessThanOrEqual(r.windowTarget + 1);
    expect(r.protected).toBeLessThanOrEqual(Math.ceil(0.8 * (200 - r.windowTarget)));
  });

  test('a scan does not flush the frequently used set (LRU loses it)', () => {
    const hot = (): Generator<number> => loop(80, 50);
    const tiny = new Sim(new TinyLfuPolicy(100), 100);
    const lru = new Sim(new LruPolicy(), 100);
    for (const sim of [tiny, lru]) {
      sim.run(hot());
      sim.run(range(1_000_000, 1_010_000));
    }
    const tinyAfter = tiny.run(range(0, 80));
    const lruAfter = lru.run(range(0, 80));
    expect(lruAfter).toBe(0);
    expect(tinyAfter).toBeGreaterThan(0.9);
  });

  test('a loop larger than the cache still hits (LRU gets nothing)', () => {
    const tiny = new Sim(new TinyLfuPolicy(100), 100);
    const lru = new Sim(new LruPolicy(), 100);
    const tinyRatio = tiny.run(loop(150, 60));
    const lruRatio = lru.run(loop(150, 60));
    expect(lruRatio).toBe(0);
    expect(tinyRatio).toBeGreaterThan(0.4);
  });

  test('after a skew shift the new hot set takes over (aging)', () => {
    const sim = new Sim(new TinyLfuPolicy(100), 100);
    sim.run(zipf(1000, 30_000, 0));
    // Same shape, disjoint keys: old counts must fade for the new keys to be admitted.
    sim.run(zipf(1000, 30_000, 10_000, 11));
    const ratio = sim.run(zipf(1000, 10_000, 10_000, 13));
    const lru = new Sim(new LruPolicy(), 100);
    lru.run(zipf(1000, 30_000, 10_000, 11));
    const lruRatio = lru.run(zipf(1000, 10_000, 10_000, 13));
    expect(ratio).toBeGreaterThanOrEqual(lruRatio);
    const oldKeys = [...sim.nodes.keys()].filter((key) => key < 10_000).length;
    expect(oldKeys).toBeLessThan(10);
  });

  test('beats LRU on a skewed workload', () => {
    const tiny = new Sim(new TinyLfuPolicy(100), 100).run(zipf(5000, 30_000));
    const lru = new Sim(new LruPolicy(), 100).run(zipf(5000, 30_000));
    expect(tiny).toBeGreaterThan(lru + 0.02);
  });

  test('age() halves the sketch', () => {
    const p = new TinyLfuPolicy(100);
    for (let i = 0; i < 8; i++) p.onMiss(42);
    expect(p.frequency(42)).toBe(8);
    p.age();
    expect(p.frequency(42)).toBe(4);
  });

  test('a one-entry window and capacity 1 still work', () => {
    const sim = new Sim(new TinyLfuPolicy(1), 1);
    sim.run([1, 2, 1, 1, 3]);
    expect(sim.nodes.size).toBe(1);
  });
});
