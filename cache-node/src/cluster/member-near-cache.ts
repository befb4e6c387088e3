/**
 * A member's own near cache of entries it read from other owners (the HTTP API on any member
 * benefits), invalidated by the owners' broadcast. Bounded LRU over a Map (insertion order).
 *
 * A read reserves its key before asking the owner; an invalidation in between cancels the
 * reservation, so a response carrying the old value is never cached after the change.
 *
 * An invalidation may carry the key's new value (the owner ships small values with its broadcast):
 * a key cached here is then refreshed in place instead of dropped, so the next read after a write
 * is answered without a round trip to the owner. Keys not cached here are not added.
 */
export class MemberNearCache {
  private readonly entries = new Map<string, Buffer>();
  private readonly reservations = new Map<string, number>();
  private nextToken = 1;
  hits = 0;
  misses = 0;

  constructor(private readonly maxEntries: number) {}

  get enabled(): boolean {
    return this.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Key identity ignores the 4-byte partition-hash header, like the store. */
  private static id(map: string, key: Buffer): string {
    return `${map}\0${key.toString('base64', 4)}`;
  }

  get(map: string, key: Buffer): Buffer | undefined {
    const id = MemberNearCache.id(map, key);
    const v = this.entries.get(id);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(id);
    this.entries.set(id, v);
    return v;
  }

  reserve(map: string, key: Buffer): number {
    const token = this.nextToken++;
    this.reservations.set(MemberNearCache.id(map, key), token);
    return token;
  }

  /** Stores the owner's answer if nothing invalidated the key since `reserve`. */
  complete(map: string, key: Buffer, token: number, value: Buffer | undefined): void {
    const id = MemberNearCache.id(map, key);
    if (this.reservations.get(id) !== token) return;
    this.reservations.delete(id);
    if (value === undefined || !this.enabled) return;
    this.entries.delete(id);
    this.entries.set(id, value);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  invalidate(map: string, key: Buffer | null): void {
    if (key === null) {
      this.invalidateMap(map);
      return;
    }
    const id = MemberNearCache.id(map, key);
    this.entries.delete(id);
    this.reservations.delete(id);
  }

  /**
   * The owner's broadcast for a key, with its state right after the change: refresh the entry if
   * it is cached (it stays as fresh as an invalidation would leave it: the next change arrives on
   * the same ordered stream), else behave as `invalidate`.
   */
  update(map: string, key: Buffer, value: Buffer): void {
    const id = MemberNearCache.id(map, key);
    this.reservations.delete(id);
    if (this.entries.has(id)) this.entries.set(id, value);
  }

  invalidateMap(map: string): void {
    const prefix = `${map}\0`;
    for (const id of this.entries.keys()) if (id.startsWith(prefix)) this.entries.delete(id);
    for (const id of this.reservations.keys())
      if (id.startsWith(prefix)) this.reservations.delete(id);
  }

  clear(): void {
    this.entries.clear();
    this.reservations.clear();
  }
}
