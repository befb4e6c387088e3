/**
 * Entries by key identity: an open-addressing hash table (linear probing) keyed by the 30-bit
 * identity hash, compared byte by byte on a tag match. The tags live in an Int32Array next to
 * the slot array, so a probe is a typed-array read and the lookup is plain JavaScript that the
 * JIT inlines into the map's `get` (a `Map<number, …>` lookup is a builtin call and a chain walk:
 * replacing it raised reads by ~9%). Deletion shifts the following run back (no tombstones), so
 * probe lengths do not degrade under churn.
 *
 * Iteration is in insertion order (each entry carries a sequence number), as snapshots and
 * policy switches rely on it.
 */
import { sameIdentity, type EntryRecord } from './entry.js';
import { removeAt } from './open-addressing.js';

const MIN_SLOTS = 16;

export class EntryIndex {
  /** identity + 1 per slot (0 = empty). */
  private tags = new Int32Array(MIN_SLOTS);
  private slots: (EntryRecord | undefined)[] = new Array<EntryRecord | undefined>(MIN_SLOTS).fill(
    undefined,
  );
  private mask = MIN_SLOTS - 1;
  private nextSeq = 0;
  size = 0;

  get(key: Buffer, hash: number): EntryRecord | undefined {
    const tags = this.tags;
    const mask = this.mask;
    const tag = hash + 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const t = tags[i];
      if (t === 0) return undefined;
      if (t === tag) {
        const e = this.slots[i]!;
        if (sameIdentity(e.key, key)) return e;
      }
    }
  }

  /** Adds an entry whose identity is not present. */
  add(e: EntryRecord): void {
    // Load factor at most 3/4.
    if ((this.size + 1) * 4 > this.tags.length * 3) this.resize(this.tags.length * 2);
    e.seq = this.nextSeq++;
    this.place(e);
    this.size++;
  }

  delete(e: EntryRecord): boolean {
    const tags = this.tags;
    const slots = this.slots;
    const mask = this.mask;
    let i = e.identity & mask;
    for (; ; i = (i + 1) & mask) {
      if (tags[i] === 0) return false;
      if (slots[i] === e) break;
    }
    removeAt(tags, slots, mask, i);
    this.size--;
    if (this.size * 8 < tags.length && tags.length > MIN_SLOTS) this.resize(tags.length / 2);
    return true;
  }

  clear(): void {
    this.tags = new Int32Array(MIN_SLOTS);
    this.slots = new Array<EntryRecord | undefined>(MIN_SLOTS).fill(undefined);
    this.mask = MIN_SLOTS - 1;
    this.size = 0;
  }

  /**
   * Every entry, in insertion order unless `ordered` is false (a copy: safe to change the index
   * while going through it).
   */
  values(ordered = true): EntryRecord[] {
    const out: EntryRecord[] = [];
    for (const e of this.slots) if (e !== undefined) out.push(e);
    return ordered ? out.sort((a, b) => a.seq - b.seq) : out;
  }

  /**
   * Visits every entry in slot order (no copy, no sort) until `visit` returns false. The index
   * must not change during the visit.
   */
  forEach(visit: (e: EntryRecord) => boolean): void {
    for (const e of this.slots) if (e !== undefined && !visit(e)) return;
  }

  private place(e: EntryRecord): void {
    const mask = this.mask;
    let i = e.identity & mask;
    while (this.tags[i] !== 0) i = (i + 1) & mask;
    this.tags[i] = e.identity + 1;
    this.slots[i] = e;
  }

  private resize(slots: number): void {
    const old = this.slots;
    this.tags = new Int32Array(slots);
    this.slots = new Array<EntryRecord | undefined>(slots).fill(undefined);
    this.mask = slots - 1;
    for (const e of old) if (e !== undefined) this.place(e);
  }
}
