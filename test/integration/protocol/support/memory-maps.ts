/**
 * A small in-memory MapService with change events, standing in for the store in protocol tests
 * that run before (or without) the real store. Same contract: keys compared from byte 4, values
 * opaque, `origin` copied into change events, TTL honoured on read with an injected clock.
 */
import type { Entry, MapService } from '../../../../cache-node/src/service/map-service.js';
import type { ChangeEvent, WriteOptions } from '../../../../cache-node/src/store/types.js';
import { partitionIdOf } from '../../../../cache-node/src/data/index.js';
import { sameData } from '../../../../cache-node/src/store/index.js';

interface Stored {
  key: Buffer;
  value: Buffer;
  expiresAt: number;
}

export class MemoryMaps implements MapService {
  private readonly maps = new Map<string, Map<string, Stored>>();
  private readonly listeners = new Set<(e: ChangeEvent) => void>();

  constructor(
    private readonly partitionCount = 271,
    private readonly now: () => number = Date.now,
  ) {}

  onChange(fn: (e: ChangeEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: Omit<ChangeEvent, 'partitionId'>): void {
    const full: ChangeEvent = e.key
      ? { ...e, partitionId: partitionIdOf(e.key, this.partitionCount) }
      : e;
    for (const fn of this.listeners) fn(full);
  }

  private m(name: string): Map<string, Stored> {
    let m = this.maps.get(name);
    if (!m) this.maps.set(name, (m = new Map<string, Stored>()));
    return m;
  }

  private live(name: string, key: Buffer): Stored | undefined {
    const id = key.subarray(4).toString('latin1');
    const s = this.m(name).get(id);
    if (s && s.expiresAt && s.expiresAt <= this.now()) {
      this.m(name).delete(id);
      this.emit({ map: name, kind: 'expire', key: s.key, oldValue: s.value });
      return undefined;
    }
    return s;
  }

  private store(name: string, key: Buffer, value: Buffer, opts?: WriteOptions): Buffer | undefined {
    const old = this.live(name, key);
    const ttl = opts?.ttlMs ?? 0;
    this.m(name).set(key.subarray(4).toString('latin1'), {
      key,
      value,
      expiresAt: ttl > 0 ? this.now() + ttl : 0,
    });
    this.emit({
      map: name,
      kind: 'put',
      key,
      value,
      ...(old ? { oldValue: old.value } : {}),
      ...(opts?.origin ? { origin: opts.origin } : {}),
    });
    return old?.value;
  }

  private drop(
    name: string,
    key: Buffer,
    kind: 'remove' | 'evict',
    origin?: string,
  ): Buffer | undefined {
    const old = this.live(name, key);
    if (!old) return undefined;
    this.m(name).delete(key.subarray(4).toString('latin1'));
    this.emit({
      map: name,
      kind,
      key: old.key,
      oldValue: old.value,
      ...(origin ? { origin } : {}),
    });
    return old.value;
  }

  get = (map: string, key: Buffer) => Promise.resolve(this.live(map, key)?.value);
  put = (map: string, key: Buffer, value: Buffer, opts?: WriteOptions) =>
    Promise.resolve(this.store(map, key, value, opts));
  set = async (map: string, key: Buffer, value: Buffer, opts?: WriteOptions) => {
    this.store(map, key, value, opts);
    return Promise.resolve();
  };
  putIfAbsent = (map: string, key: Buffer, value: Buffer, opts?: WriteOptions) => {
    const old = this.live(map, key);
    if (old) return Promise.resolve(old.value);
    this.store(map, key, value, opts);
    return Promise.resolve(undefined);
  };
  remove = (map: string, key: Buffer, origin?: string) =>
    Promise.resolve(this.drop(map, key, 'remove', origin));
  delete = (map: string, key: Buffer, origin?: string) =>
    Promise.resolve(this.drop(map, key, 'remove', origin) !== undefined);
  containsKey = (map: string, key: Buffer) => Promise.resolve(this.live(map, key) !== undefined);
  getAll = (map: string, keys: Buffer[]) => {
    const out: Entry[] = [];
    for (const k of keys) {
      const s = this.live(map, k);
      if (s) out.push([s.key, s.value]);
    }
    return Promise.resolve(out);
  };
  putAll = (map: string, entries: Entry[], opts?: WriteOptions) => {
    for (const [k, v] of entries) this.store(map, k, v, opts);
    return Promise.resolve();
  };
  evict = (map: string, key: Buffer, origin?: string) =>
    Promise.resolve(this.drop(map, key, 'evict', origin) !== undefined);
  evictAll = (map: string, origin?: string) => this.clear(map, origin);
  clear = (map: string, origin?: string) => {
    this.m(map).clear();
    this.emit({ map, kind: 'clear', ...(origin ? { origin } : {}) });
    return Promise.resolve();
  };
  size = (map: string) => Promise.resolve(this.m(map).size);
  replace = (map: string, key: Buffer, value: Buffer, opts?: WriteOptions) =>
    Promise.resolve(this.live(map, key) ? this.store(map, key, value, opts) : undefined);
  replaceIfSame = (
    map: string,
    key: Buffer,
    expected: Buffer,
    value: Buffer,
    opts?: WriteOptions,
  ) => {
    const s = this.live(map, key);
    if (!s || !sameData(s.value, expected)) return Promise.resolve(false);
    this.store(map, key, value, opts);
    return Promise.resolve(true);
  };
  removeIfSame = (map: string, key: Buffer, expected: Buffer, origin?: string) => {
    const s = this.live(map, key);
    if (!s || !sameData(s.value, expected)) return Promise.resolve(false);
    return Promise.resolve(this.drop(map, key, 'remove', origin) !== undefined);
  };
  setTtl = (map: string, key: Buffer, ttlMs: number | undefined, origin?: string) => {
    const s = this.live(map, key);
    if (!s) return Promise.resolve(false);
    s.expiresAt = ttlMs ? this.now() + ttlMs : 0;
    this.emit({ map, kind: 'ttl', key: s.key, value: s.value, ...(origin ? { origin } : {}) });
    return Promise.resolve(true);
  };
  private liveEntries(map: string): Stored[] {
    return [...this.m(map).values()].filter((s) => this.live(map, s.key) !== undefined);
  }
  containsValue = (map: string, value: Buffer) =>
    Promise.resolve(this.liveEntries(map).some((s) => sameData(s.value, value)));
  entrySet = (map: string) =>
    Promise.resolve(this.liveEntries(map).map((s): Entry => [s.key, s.value]));
  keySet = (map: string) => Promise.resolve(this.liveEntries(map).map((s) => s.key));
  values = (map: string) => Promise.resolve(this.liveEntries(map).map((s) => s.value));
  destroy = (map: string, origin?: string) => {
    this.maps.delete(map);
    this.emit({ map, kind: 'clear', ...(origin ? { origin } : {}) });
    return Promise.resolve();
  };
}
