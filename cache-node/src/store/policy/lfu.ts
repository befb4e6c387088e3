/**
 * O(1) LFU (Shah, Mitra and Matani, 2010): a list of frequency buckets in increasing order, each
 * holding its entries least recent first. A hit moves the entry to the next bucket (created when
 * missing); the victim is the least recent entry of the lowest bucket. Counts are per resident
 * entry and leave with it.
 */
import { NodeList } from './list.js';
import type { EvictionPolicy, PolicyNode } from './types.js';

export class FrequencyBucket {
  readonly entries = new NodeList(1);
  prev: FrequencyBucket | null = null;
  next: FrequencyBucket | null = null;
  constructor(readonly count: number) {}
}

export class LfuPolicy implements EvictionPolicy {
  readonly name = 'lfu' as const;
  readonly usesMisses = false;
  private lowest: FrequencyBucket | null = null;
  size = 0;

  onHit(node: PolicyNode): void {
    const from = node.bucket;
    if (!from) return;
    let to = from.next;
    if (!to || to.count !== from.count + 1) {
      to = new FrequencyBucket(from.count + 1);
      to.prev = from;
      to.next = from.next;
      if (from.next) from.next.prev = to;
      from.next = to;
    }
    from.entries.unlink(node);
    to.entries.push(node);
    node.bucket = to;
    if (from.entries.size === 0) this.dropBucket(from);
  }
  onMiss(): void {}
  onAdd(node: PolicyNode): void {
    let first = this.lowest;
    if (!first || first.count !== 1) {
      first = new FrequencyBucket(1);
      first.next = this.lowest;
      if (this.lowest) this.lowest.prev = first;
      this.lowest = first;
    }
    first.entries.push(node);
    node.bucket = first;
    this.size++;
  }
  onUpdate(node: PolicyNode): void {
    this.onHit(node);
  }
  onRemove(node: PolicyNode): void {
    const bucket = node.bucket;
    if (!bucket) return;
    bucket.entries.unlink(node);
    node.bucket = null;
    this.size--;
    if (bucket.entries.size === 0) this.dropBucket(bucket);
  }
  evict(): PolicyNode | undefined {
    const bucket = this.lowest;
    const victim = bucket?.entries.head;
    if (!victim) return undefined;
    this.onRemove(victim);
    return victim;
  }
  age(): void {}
  setCapacity(): void {}
  clear(): void {
    for (let b = this.lowest; b; b = b.next) {
      for (const n of b.entries) n.bucket = null;
      b.entries.clear();
    }
    this.lowest = null;
    this.size = 0;
  }

  /** For tests: [count, entries in bucket] from the lowest bucket up. */
  buckets(): [number, number][] {
    const out: [number, number][] = [];
    for (let b = this.lowest; b; b = b.next) out.push([b.count, b.entries.size]);
    return out;
  }

  private dropBucket(bucket: FrequencyBucket): void {
    if (bucket.prev) bucket.prev.next = bucket.next;
    else this.lowest = bucket.next;
    if (bucket.next) bucket.next.prev = bucket.prev;
  }
}
