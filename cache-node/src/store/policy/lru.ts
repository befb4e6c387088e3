/** Exact LRU: one list, hits move to the recent end, the least recent is evicted. */
import { NodeList } from './list.js';
import type { EvictionPolicy, PolicyNode } from './types.js';

export class LruPolicy implements EvictionPolicy {
  readonly name = 'lru' as const;
  readonly usesMisses = false;
  private readonly list = new NodeList(1);

  get size(): number {
    return this.list.size;
  }
  onHit(node: PolicyNode): void {
    this.list.touch(node);
  }
  onMiss(): void {}
  onAdd(node: PolicyNode): void {
    this.list.push(node);
  }
  onUpdate(node: PolicyNode): void {
    this.list.touch(node);
  }
  onRemove(node: PolicyNode): void {
    if (node.region === this.list.region) this.list.unlink(node);
  }
  evict(): PolicyNode | undefined {
    return this.list.shift();
  }
  age(): void {}
  setCapacity(): void {}
  clear(): void {
    this.list.clear();
  }
  /** For tests: least to most recent. */
  order(): PolicyNode[] {
    return [...this.list];
  }
}

/** Eviction "none": tracks nothing and never picks a victim (the map refuses new keys when full). */
export class NoEvictionPolicy implements EvictionPolicy {
  readonly name = 'none' as const;
  readonly usesMisses = false;
  size = 0;
  onHit(): void {}
  onMiss(): void {}
  onAdd(): void {
    this.size++;
  }
  onUpdate(): void {}
  onRemove(): void {
    this.size--;
  }
  evict(): undefined {
    return undefined;
  }
  age(): void {}
  setCapacity(): void {}
  clear(): void {
    this.size = 0;
  }
}
