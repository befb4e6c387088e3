/**
 * Bélády's optimal replacement (OPT) for a request sequence: on a miss with a full cache, evict
 * the resident key whose next use is farthest in the future. Every missed key is inserted (no
 * bypass), as in the reference numbers of the traces README.
 */
import type { TraceKey } from './trace.js';

/** next[i] = index of the next request for the same key, or Infinity. */
export function nextUses(trace: readonly TraceKey[]): Float64Array {
  const next = new Float64Array(trace.length);
  const seen = new Map<TraceKey, number>();
  for (let i = trace.length - 1; i >= 0; i--) {
    const k = trace[i];
    next[i] = seen.get(k) ?? Infinity;
    seen.set(k, i);
  }
  return next;
}

/** Hits of OPT at `capacity`. Max-heap of (next use, key) with lazy deletion of stale items. */
export function optHits(trace: readonly TraceKey[], capacity: number): number {
  const next = nextUses(trace);
  const resident = new Map<TraceKey, number>(); // key -> its current next use
  const heapUse: number[] = [];
  const heapKey: TraceKey[] = [];
  const push = (use: number, key: TraceKey) => {
    let i = heapUse.length;
    heapUse.push(use);
    heapKey.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heapUse[p] >= use) break;
      heapUse[i] = heapUse[p]!;
      heapKey[i] = heapKey[p]!;
      i = p;
    }
    heapUse[i] = use;
    heapKey[i] = key;
  };
  const pop = (): [number, TraceKey] => {
    const top: [number, TraceKey] = [heapUse[0], heapKey[0]];
    const lu = heapUse.pop()!;
    const lk = heapKey.pop()!;
    const n = heapUse.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && heapUse[r] > heapUse[l] ? r : l;
        if (heapUse[c] <= lu) break;
        heapUse[i] = heapUse[c]!;
        heapKey[i] = heapKey[c]!;
        i = c;
      }
      heapUse[i] = lu;
      heapKey[i] = lk;
    }
    return top;
  };
  let hits = 0;
  for (let i = 0; i < trace.length; i++) {
    const k = trace[i];
    if (resident.has(k)) hits++;
    else if (resident.size >= capacity) {
      for (;;) {
        const [use, victim] = pop();
        if (resident.get(victim) === use) {
          resident.delete(victim);
          break;
        }
      }
    }
    resident.set(k, next[i]);
    push(next[i], k);
  }
  return hits;
}
