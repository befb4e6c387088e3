/**
 * Entries by key identity: a Map from the 30-bit identity hash to a chain of entries with that
 * hash, compared byte by byte. Lookups hash the key bytes directly instead of building a string
 * key per operation (which dominated the cost of a read).
 */
import { sameIdentity, type EntryRecord } from './entry.js';

export class EntryIndex {
  private readonly heads = new Map<number, EntryRecord>();
  size = 0;

  get(key: Buffer, hash: number): EntryRecord | undefined {
    for (let e = this.heads.get(hash) ?? null; e !== null; e = e.chain) {
      if (sameIdentity(e.key, key)) return e;
    }
    return undefined;
  }

  /** Adds an entry whose identity is not present. */
  add(e: EntryRecord): void {
    e.chain = this.heads.get(e.identity) ?? null;
    this.heads.set(e.identity, e);
    this.size++;
  }

  delete(e: EntryRecord): boolean {
    const head = this.heads.get(e.identity);
    if (head === undefined) return false;
    if (head === e) {
      if (e.chain) this.heads.set(e.identity, e.chain);
      else this.heads.delete(e.identity);
    } else {
      let prev = head;
      while (prev.chain !== null && prev.chain !== e) prev = prev.chain;
      if (prev.chain !== e) return false;
      prev.chain = e.chain;
    }
    e.chain = null;
    this.size--;
    return true;
  }

  clear(): void {
    this.heads.clear();
    this.size = 0;
  }

  /** Every entry, oldest identity first. */
  *values(): IterableIterator<EntryRecord> {
    for (const head of this.heads.values()) {
      for (let e: EntryRecord | null = head; e !== null; e = e.chain) yield e;
    }
  }
}
