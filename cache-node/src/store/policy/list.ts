/**
 * An intrusive doubly linked list over PolicyNode: O(1) push, unlink and move without
 * allocating. Head is the least recently used end, tail the most recent.
 */
import type { PolicyNode } from './types.js';

export class NodeList {
  head: PolicyNode | null = null;
  tail: PolicyNode | null = null;
  size = 0;

  constructor(readonly region: number) {}

  /** Appends at the most-recent end. */
  push(node: PolicyNode): void {
    node.region = this.region;
    node.prev = this.tail;
    node.next = null;
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.size++;
  }

  unlink(node: PolicyNode): void {
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = node.next = null;
    node.region = 0;
    this.size--;
  }

  /** Moves a node already on this list to the most-recent end. */
  touch(node: PolicyNode): void {
    if (this.tail === node) return;
    this.unlink(node);
    this.push(node);
  }

  /** Removes and returns the least recent node. */
  shift(): PolicyNode | undefined {
    const node = this.head;
    if (!node) return undefined;
    this.unlink(node);
    return node;
  }

  clear(): void {
    for (let n = this.head; n;) {
      const next = n.next;
      n.prev = n.next = null;
      n.region = 0;
      n = next;
    }
    this.head = this.tail = null;
    this.size = 0;
  }

  *[Symbol.iterator](): IterableIterator<PolicyNode> {
    for (let n = this.head; n; n = n.next) yield n;
  }
}
