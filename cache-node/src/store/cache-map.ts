/**
 * One named map: entries keyed by Data identity, byte accounting against the limits, the
 * eviction policy, expiry, hot keys and statistics. Single-threaded by construction (Node), so
 * every change is applied and then announced synchronously through `emit`.
 */
import {
  EntryRecord,
  entryBytes,
  identityFrom,
  identityHash,
  keyHash,
  keyHashFrom,
  payloadHash,
  sameData,
} from './entry.js';
import { EntryIndex } from './entry-index.js';
import { ExpiryQueue } from './expiry-queue.js';
import { HotKeys } from './hot-keys.js';
import { createPolicy, type EvictionPolicy, type TinyLfuOptions } from './policy/index.js';
import { Counter, StatsWindow } from './stats-window.js';
import {
  CapacityError,
  type CacheMapApi,
  type ChangeEvent,
  type ChangeKind,
  type Clock,
  type EntrySnapshot,
  type HotKey,
  type MapSettings,
  type MapStats,
  type MapTotals,
  type WriteOptions,
} from './types.js';

export interface MapContext {
  clock: Clock;
  partitionCount: number;
  emit(event: ChangeEvent): void;
  /** Whether anyone subscribed to changes. */
  listening(): boolean;
  hotKeys: { topK: number; halfLifeSeconds: number };
  stats: { windowSeconds: number; buckets: number };
  tinyLfu?: TinyLfuOptions;
}

/** Expected entries when a map has only a byte limit (or none), until it fills. */
const DEFAULT_CAPACITY_HINT = 1024;

/** When `write` stores: always, only if the key is absent, or only if it is present. */
type When = 'always' | 'ifAbsent' | 'ifPresent';

export class CacheMap implements CacheMapApi {
  private readonly records = new EntryIndex();
  private policy: EvictionPolicy;
  private capacityHint: number;
  private usedBytes = 0;
  private readonly expiry = new ExpiryQueue();
  private readonly hot: HotKeys;
  private readonly window: StatsWindow;
  private readonly counters: MapTotals = {
    hits: 0,
    misses: 0,
    puts: 0,
    removals: 0,
    evictions: 0,
    expirations: 0,
  };
  private current: MapSettings;

  constructor(
    settings: MapSettings,
    private readonly ctx: MapContext,
  ) {
    this.current = { ...settings };
    this.capacityHint = this.expectedEntries();
    this.policy = createPolicy(settings.eviction, this.capacityHint, ctx.tinyLfu);
    const now = ctx.clock.now();
    this.hot = new HotKeys(ctx.hotKeys.topK, ctx.hotKeys.halfLifeSeconds * 1000, now);
    this.window = new StatsWindow(ctx.stats.windowSeconds * 1000, ctx.stats.buckets);
  }

  get name(): string {
    return this.current.name;
  }
  get settings(): Readonly<MapSettings> {
    return this.current;
  }
  get size(): number {
    return this.records.size;
  }
  get bytes(): number {
    return this.usedBytes;
  }

  get(key: Buffer): Buffer | undefined {
    const p = payloadHash(key);
    const h = identityFrom(key, p);
    const now = this.ctx.clock.now();
    this.hot.record(h, key, now);
    const e = this.records.get(key, h);
    if (e === undefined || e.expiredAt(now)) {
      if (e !== undefined) this.drop(e, 'expire', now);
      this.counters.misses++;
      this.window.add(Counter.misses, now);
      if (this.policy.usesMisses) this.policy.onMiss(e?.hash ?? keyHashFrom(key, p));
      return undefined;
    }
    e.lastAccessAt = now;
    this.counters.hits++;
    this.window.add(Counter.hits, now);
    this.policy.onHit(e);
    return e.value;
  }

  peek(key: Buffer): Buffer | undefined {
    return this.live(key)?.value;
  }

  has(key: Buffer): boolean {
    return this.live(key) !== undefined;
  }

  set(key: Buffer, value: Buffer, opts?: WriteOptions): Buffer | undefined {
    return this.write(key, value, opts, 'always');
  }

  setIfAbsent(key: Buffer, value: Buffer, opts?: WriteOptions): Buffer | undefined {
    return this.write(key, value, opts, 'ifAbsent');
  }

  replace(key: Buffer, value: Buffer, opts?: WriteOptions): Buffer | undefined {
    return this.write(key, value, opts, 'ifPresent');
  }

  replaceIfSame(key: Buffer, expected: Buffer, value: Buffer, opts?: WriteOptions): boolean {
    // A write happened exactly when there was a (matching) previous value to return.
    return this.write(key, value, opts, 'ifPresent', expected) !== undefined;
  }

  deleteIfSame(key: Buffer, expected: Buffer, origin?: string): boolean {
    const e = this.live(key);
    if (!e || !sameData(e.value, expected)) return false;
    this.drop(e, 'remove', this.ctx.clock.now(), origin);
    return true;
  }

  setTtl(key: Buffer, ttlMs: number | undefined, origin?: string): boolean {
    const now = this.ctx.clock.now();
    const e = this.live(key, identityHash(key), now);
    if (!e) return false;
    const ttl = ttlMs ?? this.current.ttlSeconds * 1000;
    e.expiresAt = ttl > 0 ? now + ttl : 0;
    // The deadline may move later: requeue from scratch (as a rewrite does).
    e.scheduledAt = 0;
    this.expiry.schedule(e);
    this.announce('ttl', e, undefined, origin);
    return true;
  }

  peekEntry(key: Buffer): EntrySnapshot | undefined {
    const e = this.live(key);
    return e && snapshotOf(e);
  }

  delete(key: Buffer, origin?: string): Buffer | undefined {
    const e = this.live(key);
    if (!e) return undefined;
    this.drop(e, 'remove', this.ctx.clock.now(), origin);
    return e.value;
  }

  evict(key: Buffer, origin?: string): boolean {
    const e = this.live(key);
    if (!e) return false;
    this.drop(e, 'evict', this.ctx.clock.now(), origin);
    return true;
  }

  clear(origin?: string): number {
    const n = this.records.size;
    for (const e of this.records.values(false)) e.live = false;
    this.records.clear();
    this.policy.clear();
    this.expiry.clear();
    this.hot.clear();
    this.usedBytes = 0;
    const now = this.ctx.clock.now();
    this.counters.removals += n;
    this.window.add(Counter.removals, now, n);
    this.ctx.emit({ map: this.name, kind: 'clear', origin });
    return n;
  }

  *entries(): IterableIterator<EntrySnapshot> {
    const now = this.ctx.clock.now();
    for (const e of this.records.values()) {
      if (e.expiredAt(now)) continue;
      yield snapshotOf(e);
    }
  }

  forEachLive(visit: (key: Buffer, value: Buffer, partitionId: number) => boolean | void): void {
    const now = this.ctx.clock.now();
    this.records.forEach((e) => e.expiredAt(now) || visit(e.key, e.value, e.partitionId) !== false);
  }

  restore(s: EntrySnapshot): void {
    const now = this.ctx.clock.now();
    const h = identityHash(s.key);
    const existing = this.records.get(s.key, h);
    if (existing) this.unlink(existing);
    const e = new EntryRecord(
      h,
      s.key,
      s.value,
      keyHash(s.key),
      s.partitionId,
      entryBytes(s.key, s.value),
      s.createdAt,
      s.updatedAt,
      s.lastAccessAt,
      s.expiresAt,
      s.maxIdleMs,
    );
    if (e.expiredAt(now)) {
      if (existing) this.announce('remove', existing, undefined);
      return;
    }
    this.link(e);
    this.announce('put', e, existing?.value);
    this.enforceLimits(now);
  }

  stats(): MapStats {
    const now = this.ctx.clock.now();
    const w = this.window.sum(now);
    const reads = w.hits + w.misses;
    const n = this.records.size;
    return {
      map: this.name,
      windowSeconds: this.ctx.stats.windowSeconds,
      ...w,
      hitRatio: reads > 0 ? w.hits / reads : null,
      entries: n,
      bytes: this.usedBytes,
      averageEntryBytes: n > 0 ? this.usedBytes / n : 0,
      maxEntries: this.current.maxEntries ?? null,
      maxSizeBytes: this.current.maxSizeBytes ?? null,
      eviction: this.current.eviction,
    };
  }

  totals(): MapTotals {
    return { ...this.counters };
  }

  hotKeys(limit?: number): HotKey[] {
    return this.hot.top(this.ctx.clock.now(), limit);
  }

  updateSettings(settings: Partial<Omit<MapSettings, 'name'>>): void {
    const next: MapSettings = { ...this.current, ...settings, name: this.current.name };
    // Explicit undefined removes a limit.
    if ('maxEntries' in settings && settings.maxEntries === undefined) delete next.maxEntries;
    if ('maxSizeBytes' in settings && settings.maxSizeBytes === undefined) delete next.maxSizeBytes;
    const policyChanged = next.eviction !== this.current.eviction;
    this.current = next;
    this.capacityHint = this.expectedEntries();
    if (policyChanged) {
      this.policy = createPolicy(next.eviction, this.capacityHint, this.ctx.tinyLfu);
      // Re-admit in insertion order (oldest first), which approximates recency.
      for (const e of this.records.values()) {
        e.prev = e.next = null;
        e.region = 0;
        e.bucket = null;
        this.policy.onAdd(e);
      }
    } else {
      this.policy.setCapacity(this.capacityHint);
    }
    this.enforceLimits(this.ctx.clock.now());
  }

  /** Expires what is due; called by the store's sweep timer. */
  sweep(): number {
    const now = this.ctx.clock.now();
    let n = 0;
    this.expiry.sweep(now, (e) => {
      this.drop(e, 'expire', now);
      n++;
    });
    this.expiry.compact(this.records.size);
    return n;
  }

  /** Sketch aging on the store's timer. */
  age(): void {
    this.policy.age();
  }

  /** For tests and diagnostics. */
  get evictionPolicy(): EvictionPolicy {
    return this.policy;
  }

  // ---- internals ----

  private expectedEntries(): number {
    const s = this.current;
    if (s.maxEntries !== undefined) return s.maxEntries;
    return Math.max(DEFAULT_CAPACITY_HINT, this.records.size);
  }

  /** The live entry for a key (an expired one is expired on the spot). */
  private live(
    key: Buffer,
    h = identityHash(key),
    now = this.ctx.clock.now(),
  ): EntryRecord | undefined {
    const e = this.records.get(key, h);
    if (e === undefined) return undefined;
    if (e.expiredAt(now)) {
      this.drop(e, 'expire', now);
      return undefined;
    }
    return e;
  }

  private write(
    key: Buffer,
    value: Buffer,
    opts: WriteOptions | undefined,
    when: When,
    expected?: Buffer,
  ): Buffer | undefined {
    const s = this.current;
    const size = entryBytes(key, value);
    if (s.maxSizeBytes !== undefined && size > s.maxSizeBytes) {
      throw new CapacityError(
        `entry of ${size} bytes (key ${key.length} + value ${value.length} + overhead) exceeds maxSizeBytes ${s.maxSizeBytes} of map "${s.name}"`,
      );
    }
    const now = this.ctx.clock.now();
    const p = payloadHash(key);
    const h = identityFrom(key, p);
    const existing = this.live(key, h, now);
    if (when === 'ifAbsent') {
      if (existing) return existing.value;
    } else if (when === 'ifPresent') {
      if (!existing || (expected !== undefined && !sameData(existing.value, expected)))
        return undefined;
    }
    const ttlMs = opts?.ttlMs ?? s.ttlSeconds * 1000;
    const maxIdleMs = opts?.maxIdleMs ?? s.maxIdleSeconds * 1000;
    const expiresAt = ttlMs > 0 ? now + ttlMs : 0;

    if (s.eviction === 'none') this.checkRoom(existing, size);

    let e: EntryRecord;
    let old: Buffer | undefined;
    if (existing) {
      e = existing;
      old = e.value;
      this.usedBytes += size - e.bytes;
      e.value = value;
      e.bytes = size;
      e.updatedAt = now;
      e.lastAccessAt = now;
      e.expiresAt = expiresAt;
      e.maxIdleMs = maxIdleMs;
      // A rewrite may move the deadline later: requeue from scratch.
      e.scheduledAt = 0;
      this.expiry.schedule(e);
      this.policy.onUpdate(e);
    } else {
      const hash = keyHashFrom(key, p);
      const partitionId = Math.abs(hash) % this.ctx.partitionCount;
      e = new EntryRecord(
        h,
        key,
        value,
        hash,
        partitionId,
        size,
        now,
        now,
        now,
        expiresAt,
        maxIdleMs,
      );
      this.link(e);
    }
    this.counters.puts++;
    this.window.add(Counter.puts, now);
    this.announce('put', e, old, opts?.origin);
    this.enforceLimits(now);
    return old;
  }

  /** Eviction "none": refuse a write that would go over a limit. */
  private checkRoom(existing: EntryRecord | undefined, size: number): void {
    const s = this.current;
    if (!existing && s.maxEntries !== undefined && this.records.size >= s.maxEntries) {
      throw new CapacityError(
        `map "${s.name}" is full (${this.records.size} of maxEntries ${s.maxEntries}) and its eviction policy is "none"`,
      );
    }
    const after = this.usedBytes - (existing?.bytes ?? 0) + size;
    if (s.maxSizeBytes !== undefined && after > s.maxSizeBytes) {
      throw new CapacityError(
        `map "${s.name}" would hold ${after} bytes, over maxSizeBytes ${s.maxSizeBytes}, and its eviction policy is "none"`,
      );
    }
  }

  private link(e: EntryRecord): void {
    this.records.add(e);
    this.usedBytes += e.bytes;
    this.expiry.schedule(e);
    this.policy.onAdd(e);
  }

  private unlink(e: EntryRecord): void {
    this.records.delete(e);
    this.usedBytes -= e.bytes;
    e.live = false;
    this.policy.onRemove(e);
  }

  private drop(e: EntryRecord, kind: ChangeKind, now: number, origin?: string): void {
    this.unlink(e);
    if (kind === 'remove') {
      this.hot.forget(e.identity, e.key);
      this.counters.removals++;
      this.window.add(Counter.removals, now);
    } else if (kind === 'evict') {
      this.counters.evictions++;
      this.window.add(Counter.evictions, now);
    } else {
      this.counters.expirations++;
      this.window.add(Counter.expirations, now);
    }
    this.announce(kind, e, undefined, origin);
  }

  private announce(
    kind: ChangeKind,
    e: EntryRecord,
    old: Buffer | undefined,
    origin?: string,
  ): void {
    // No event object at all when nobody listens (benchmarks, tools).
    if (!this.ctx.listening()) return;
    const event: ChangeEvent = {
      map: this.name,
      kind,
      key: e.key,
      partitionId: e.partitionId,
    };
    if (kind === 'put' || kind === 'ttl') {
      event.value = e.value;
      if (old !== undefined) event.oldValue = old;
    } else {
      event.oldValue = e.value;
    }
    if (origin !== undefined) event.origin = origin;
    this.ctx.emit(event);
  }

  private over(): boolean {
    const s = this.current;
    return (
      (s.maxEntries !== undefined && this.records.size > s.maxEntries) ||
      (s.maxSizeBytes !== undefined && this.usedBytes > s.maxSizeBytes)
    );
  }

  private enforceLimits(now: number): void {
    while (this.over()) {
      const victim = this.policy.evict() as EntryRecord | undefined;
      if (victim === undefined) break;
      // The policy already unlinked it from its lists.
      this.records.delete(victim);
      this.usedBytes -= victim.bytes;
      victim.live = false;
      this.counters.evictions++;
      this.window.add(Counter.evictions, now);
      this.announce('evict', victim, undefined);
    }
    // A byte-limited map learns its entry capacity as it fills (sizes the sketch).
    if (this.current.maxEntries === undefined && this.records.size > 2 * this.capacityHint) {
      this.capacityHint = this.records.size;
      this.policy.setCapacity(this.capacityHint);
    }
  }
}

function snapshotOf(e: EntryRecord): EntrySnapshot {
  return {
    key: e.key,
    value: e.value,
    partitionId: e.partitionId,
    expiresAt: e.expiresAt,
    maxIdleMs: e.maxIdleMs,
    lastAccessAt: e.lastAccessAt,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}
