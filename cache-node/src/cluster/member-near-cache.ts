/**
 * A member's own near cache of entries it read from other owners (the HTTP API on any member
 * benefits), invalidated by the owners' broadcast. Bounded LRU over a Map (insertion order).
 *
 * A read reserves its key before asking the owner; an invalidation in between cancels the
 * reservation, so a response carrying the old value is never cached after the change.
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
