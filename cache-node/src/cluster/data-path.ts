/**
 * The clustered MapService: every key request is served by its partition's owner. Requests that
 * reach another member are forwarded to the owner over the member transport; the owner writes its
 * store, then replicates the key's new state to the backups (and, while a partition migrates, to
 * its future replicas) and waits for them (backupMode sync) before answering.
 */
import { partitionIdOf } from '../data/index.js';
import {
  SYNC_UNAVAILABLE,
  UnknownMapError,
  type Entry,
  type MapService,
} from '../service/map-service.js';
import { sameData } from '../store/entry.js';
import type { CacheMapApi, StoreApi, WriteOptions } from '../store/types.js';
import type { Channel, Message } from './channel.js';
import { ClusterUnavailableError, localErrorFor } from './errors.js';
import type { MemberNearCache } from './member-near-cache.js';
import { encodeRecords, recordAfterWrite, type ReplicaRecord } from './replication.js';

/** What the data path needs from the cluster: who owns what, and how to reach them. */
export interface Routing {
  readonly selfId: string;
  readonly partitionCount: number;
  /** Throws ClusterUnavailableError while this member cannot serve (joining, stalled). */
  assertReady(): void;
  ownerOf(p: number): string | undefined;
  /** Whether this member may answer a read of p itself (owner, or backup with readFromBackup). */
  servesReadLocally(p: number): boolean;
  /** Members (not this one) that must receive copies of writes to p. */
  replicaTargets(p: number): string[];
  channelTo(memberId: string): Channel | undefined;
  memberIds(): readonly string[];
  /** Counts the local write of p while its replication is in flight (migration waits for it). */
  trackWrite(p: number, done: Promise<unknown>): void;
  /** Invalidation acks collected while running `work` (the owner's broadcast to members). */
  collectInvalidationAcks<T>(work: () => T): [T, Promise<unknown>[]];
  /** The table is converged (no migration running): only then are owner answers cached. */
  stable(): boolean;
  /** The cluster incarnation replicas must belong to. */
  clusterId(): string;
  /** Entries of owned partitions in a map (for size). */
  ownedCount(map: string): number;
}

export type KeyOp =
  | 'get'
  | 'put'
  | 'set'
  | 'putIfAbsent'
  | 'remove'
  | 'delete'
  | 'containsKey'
  | 'evict'
  | 'replace'
  | 'replaceIfSame'
  | 'removeIfSame'
  | 'setTtl';
const READS = new Set<KeyOp>(['get', 'containsKey']);
const KEY_OPS = new Set<string>([
  'get',
  'put',
  'set',
  'putIfAbsent',
  'remove',
  'delete',
  'containsKey',
  'evict',
  'replace',
  'replaceIfSame',
  'removeIfSame',
  'setTtl',
]);

/** Map-wide reads (op 'mapop'): each member answers for the entries it owns, never backups. */
type MapRead = 'containsValue' | 'keySet' | 'values' | 'entrySet';
const MAP_READS = new Set<string>(['containsValue', 'keySet', 'values', 'entrySet']);

/**
 * A member's answer to keySet/values/entrySet stays well under the member transport's frame
 * floor (64 MiB): a bigger one is refused with a clear error instead of breaking the link.
 */
export const MAP_READ_MAX_BYTES = 48 * 1024 * 1024;

export const MAX_HOPS = 3;

export interface DataPathOptions {
  backupMode: 'sync' | 'async';
  backupTimeoutMs: number;
  onBackupFailure: (err: Error) => void;
  /** A read of a key owned elsewhere was served by (hit) or missed the member near cache. */
  onNearCacheRead?: (map: string, hit: boolean) => void;
  /** A member's share of keySet/values/entrySet above this is refused (default MAP_READ_MAX_BYTES). */
  mapReadMaxBytes?: number;
}

interface KeyResult {
  value?: Buffer | undefined;
  flag?: boolean;
}

export class ClusteredMapService implements MapService {
  constructor(
    private readonly store: StoreApi,
    private readonly routing: Routing,
    private readonly nearCache: MemberNearCache,
    private readonly opts: DataPathOptions,
  ) {}

  // ---- MapService ------------------------------------------------------------------------------

  async get(map: string, key: Buffer) {
    // Before the member near cache too: a member resuming from a stall (SIGSTOP, long GC) must
    // confirm its membership before it answers anything, cached entries included.
    this.routing.assertReady();
    const p = this.partition(key);
    // While partitions move, owners change under our feet: ask the owner, cache nothing.
    if (this.routing.servesReadLocally(p) || !this.nearCache.enabled || !this.routing.stable()) {
      return (await this.key('get', map, key, p)).value;
    }
    const cached = this.nearCache.get(map, key);
    this.opts.onNearCacheRead?.(map, cached !== undefined);
    if (cached !== undefined) return cached;
    const token = this.nearCache.reserve(map, key);
    const { value } = await this.key('get', map, key, p);
    this.nearCache.complete(map, key, token, value);
    return value;
  }
  /**
   * A read this member serves itself (owner, or backup with readFromBackup), without a promise;
   * everything else (owned elsewhere, member near cache) goes through `get`.
   */
  getSync(map: string, key: Buffer): Buffer | undefined | typeof SYNC_UNAVAILABLE {
    this.routing.assertReady();
    const p = this.partition(key);
    if (!this.routing.servesReadLocally(p)) return SYNC_UNAVAILABLE;
    return this.open(map).get(key);
  }
  async put(map: string, key: Buffer, value: Buffer, opts?: WriteOptions) {
    return (await this.key('put', map, key, this.partition(key), value, opts)).value;
  }
  async set(map: string, key: Buffer, value: Buffer, opts?: WriteOptions) {
    await this.key('set', map, key, this.partition(key), value, opts);
  }
  async putIfAbsent(map: string, key: Buffer, value: Buffer, opts?: WriteOptions) {
    return (await this.key('putIfAbsent', map, key, this.partition(key), value, opts)).value;
  }
  async remove(map: string, key: Buffer, origin?: string) {
    return (await this.key('remove', map, key, this.partition(key), undefined, { origin })).value;
  }
  async delete(map: string, key: Buffer, origin?: string) {
    return (
      (await this.key('delete', map, key, this.partition(key), undefined, { origin })).flag === true
    );
  }
  async containsKey(map: string, key: Buffer) {
    return (await this.key('containsKey', map, key, this.partition(key))).flag === true;
  }
  async evict(map: string, key: Buffer, origin?: string) {
    return (
      (await this.key('evict', map, key, this.partition(key), undefined, { origin })).flag === true
    );
  }
  async replace(map: string, key: Buffer, value: Buffer, opts?: WriteOptions) {
    return (await this.key('replace', map, key, this.partition(key), value, opts)).value;
  }
  async replaceIfSame(
    map: string,
    key: Buffer,
    expected: Buffer,
    value: Buffer,
    opts?: WriteOptions,
  ) {
    const p = this.partition(key);
    return (await this.key('replaceIfSame', map, key, p, value, opts, 0, expected)).flag === true;
  }
  async removeIfSame(map: string, key: Buffer, expected: Buffer, origin?: string) {
    const p = this.partition(key);
    const opts = { origin };
    return (
      (await this.key('removeIfSame', map, key, p, undefined, opts, 0, expected)).flag === true
    );
  }
  async setTtl(map: string, key: Buffer, ttlMs: number | undefined, origin?: string) {
    const opts: WriteOptions = { origin };
    if (ttlMs !== undefined) opts.ttlMs = ttlMs;
    return (await this.key('setTtl', map, key, this.partition(key), undefined, opts)).flag === true;
  }

  async containsValue(map: string, value: Buffer): Promise<boolean> {
    const answers = await this.mapRead('containsValue', map, [value]);
    return answers.some((a) => a.header.found === true);
  }
  async keySet(map: string): Promise<Buffer[]> {
    return (await this.mapRead('keySet', map)).flatMap((a) => a.buffers);
  }
  async values(map: string): Promise<Buffer[]> {
    return (await this.mapRead('values', map)).flatMap((a) => a.buffers);
  }
  async entrySet(map: string): Promise<Entry[]> {
    const entries: Entry[] = [];
    for (const { buffers } of await this.mapRead('entrySet', map)) {
      for (let i = 0; i + 1 < buffers.length; i += 2) entries.push([buffers[i], buffers[i + 1]]);
    }
    return entries;
  }

  /** One request per owner member for the keys this member cannot answer itself. */
  async getAll(map: string, keys: Buffer[]): Promise<Entry[]> {
    const values = await this.getMany(map, keys, 0, true);
    const found: Entry[] = [];
    values.forEach((v, i) => {
      if (v !== undefined) found.push([keys[i], v]);
    });
    return found;
  }

  /**
   * Entries this member owns are written here in one turn (their backups then travel as one
   * batch per backup member); the others go as one request per owner member. Resolves once every
   * owner acknowledged; fails (retryable when an owner was lost) if any group failed, in which
   * case the entries of the other groups may be written: a retry writes the same values again.
   */
  async putAll(map: string, entries: Entry[], opts?: WriteOptions): Promise<void> {
    await this.putMany(map, entries, opts, 0);
  }

  async evictAll(map: string, origin?: string) {
    await this.everywhere('evictAll', map, origin);
  }
  async clear(map: string, origin?: string) {
    await this.everywhere('clear', map, origin);
  }
  async destroy(map: string, origin?: string) {
    await this.everywhere('destroy', map, origin);
  }

  async size(map: string): Promise<number> {
    this.routing.assertReady();
    this.open(map);
    let total = this.routing.ownedCount(map);
    const remote = this.routing.memberIds().filter((id) => id !== this.routing.selfId);
    const counts = await Promise.all(
      remote.map((id) =>
        this.request(id, map, { op: 'size', map }, []).then((r) => Number(r.header.count)),
      ),
    );
    for (const c of counts) total += c;
    return total;
  }

  // ---- requests from other members -------------------------------------------------------------

  /** Serves a forwarded key request (op 'key'): as owner, or forwarded once more. */
  async serveKey(msg: Message): Promise<Message> {
    const h = msg.header;
    const name = String(h.name);
    if (!KEY_OPS.has(name)) throw new Error(`unknown key operation "${name}"`);
    // key, then the value when the operation has one, then the expected value (replaceIfSame,
    // removeIfSame) when the header says so.
    const b = msg.buffers;
    const key = b[0];
    if (!key) throw new Error('key missing');
    if (h.expected === true && b.length < 2) throw new Error('expected value missing');
    const expected = h.expected === true ? b[b.length - 1] : undefined;
    const value = b.length > (expected ? 2 : 1) ? b[1] : undefined;
    const hops = Number(h.hops) || 0;
    const r = await this.key(
      name as KeyOp,
      String(h.map),
      key,
      this.partition(key),
      value,
      writeOptionsOf(h),
      hops,
      expected,
    );
    return {
      header: { found: r.value !== undefined, flag: r.flag === true },
      buffers: r.value ? [r.value] : [],
    };
  }

  /** Serves a forwarded getAll (op 'getAll'): keys in buffers; found item indices + values back. */
  async serveGetAll(msg: Message): Promise<Message> {
    const values = await this.getMany(
      String(msg.header.map),
      msg.buffers,
      Number(msg.header.hops) || 0,
      false,
    );
    const found: number[] = [];
    const buffers: Buffer[] = [];
    values.forEach((v, i) => {
      if (v === undefined) return;
      found.push(i);
      buffers.push(v);
    });
    return { header: { found }, buffers };
  }

  /** Serves a forwarded putAll (op 'putAll'): buffers are key, value, key, value, ... */
  async servePutAll(msg: Message): Promise<Message> {
    const h = msg.header;
    if (msg.buffers.length % 2 !== 0) throw new Error('putAll needs a value for every key');
    const entries: Entry[] = [];
    for (let i = 0; i < msg.buffers.length; i += 2) {
      entries.push([msg.buffers[i], msg.buffers[i + 1]]);
    }
    await this.putMany(String(h.map), entries, writeOptionsOf(h), Number(h.hops) || 0);
    return { header: {}, buffers: [] };
  }

  /** Serves a map-wide operation (op 'mapop') on this member's store only. */
  serveMapOp(msg: Message): Message {
    const name = String(msg.header.name);
    if (MAP_READS.has(name)) {
      return this.ownedRead(name as MapRead, String(msg.header.map), msg.buffers[0]);
    }
    this.localMapOp(
      String(msg.header.name),
      String(msg.header.map),
      msg.header.origin as string | undefined,
    );
    return { header: {}, buffers: [] };
  }

  serveSize(msg: Message): Message {
    const map = String(msg.header.map);
    return {
      header: { count: this.store.getMap(map) ? this.routing.ownedCount(map) : 0 },
      buffers: [],
    };
  }

  // ---- internals -------------------------------------------------------------------------------

  private partition(key: Buffer): number {
    return partitionIdOf(key, this.routing.partitionCount);
  }

  private open(map: string): CacheMapApi {
    const m = this.store.map(map);
    if (!m) throw new UnknownMapError(map);
    return m;
  }

  private async key(
    name: KeyOp,
    map: string,
    key: Buffer,
    p: number,
    value?: Buffer,
    opts?: WriteOptions,
    hops = 0,
    expected?: Buffer,
  ): Promise<KeyResult> {
    this.routing.assertReady();
    const owner = this.routing.ownerOf(p);
    if (owner === this.routing.selfId || (READS.has(name) && this.routing.servesReadLocally(p))) {
      return this.owned(name, map, key, p, value, opts, expected);
    }
    if (owner === undefined) throw new ClusterUnavailableError(`partition ${p} has no owner yet`);
    if (hops >= MAX_HOPS) {
      throw new ClusterUnavailableError(`partition ${p} ownership is changing; retry`);
    }
    const header = {
      op: 'key',
      name,
      map,
      hops: hops + 1,
      ...writeOptionsHeader(opts),
      ...(expected ? { expected: true } : {}),
    };
    const buffers = [key];
    if (value) buffers.push(value);
    if (expected) buffers.push(expected);
    const res = await this.request(owner, map, header, buffers);
    return {
      value: res.header.found === true ? res.buffers[0] : undefined,
      flag: res.header.flag === true,
    };
  }

  /**
   * Values of `keys` (aligned; undefined = absent): answered here when this member serves the
   * key's partition (or, for callers' own reads, from the member near cache), the rest asked of
   * their owners with one request per owner.
   */
  private async getMany(
    mapName: string,
    keys: Buffer[],
    hops: number,
    useNearCache: boolean,
  ): Promise<(Buffer | undefined)[]> {
    this.routing.assertReady();
    const map = this.open(mapName);
    const values: (Buffer | undefined)[] = new Array<Buffer | undefined>(keys.length);
    const cache = useNearCache && this.nearCache.enabled && this.routing.stable();
    const byOwner = this.groupByOwner(keys, hops, (key, p, i) => {
      if (this.routing.servesReadLocally(p)) {
        values[i] = map.get(key);
        return true;
      }
      if (!cache) return false;
      const cached = this.nearCache.get(mapName, key);
      this.opts.onNearCacheRead?.(mapName, cached !== undefined);
      values[i] = cached;
      return cached !== undefined;
    });
    await Promise.all(
      [...byOwner].map(async ([owner, idx]) => {
        const ks = idx.map((i) => keys[i]);
        const tokens = cache ? ks.map((k) => this.nearCache.reserve(mapName, k)) : [];
        const res = await this.request(
          owner,
          mapName,
          { op: 'getAll', map: mapName, hops: hops + 1 },
          ks,
        );
        const found = Array.isArray(res.header.found) ? (res.header.found as number[]) : [];
        found.forEach((at, n) => {
          if (at >= 0 && at < idx.length) values[idx[at]] = res.buffers[n];
        });
        if (cache)
          ks.forEach((k, n) => this.nearCache.complete(mapName, k, tokens[n], values[idx[n]]));
      }),
    );
    return values;
  }

  private async putMany(
    mapName: string,
    entries: Entry[],
    opts: WriteOptions | undefined,
    hops: number,
  ): Promise<void> {
    this.routing.assertReady();
    this.open(mapName);
    const mine: [number, number][] = [];
    const byOwner = this.groupByOwner(
      entries.map(([k]) => k),
      hops,
      (_key, p, i) => {
        if (this.routing.ownerOf(p) !== this.routing.selfId) return false;
        mine.push([i, p]);
        return true;
      },
    );
    // Applied in this one turn, so their backups leave as one batch per backup member.
    const local = mine.map(([i, p]) =>
      this.owned('set', mapName, entries[i][0], p, entries[i][1], opts),
    );
    const header = { op: 'putAll', map: mapName, hops: hops + 1, ...writeOptionsHeader(opts) };
    await Promise.all([
      ...local,
      ...[...byOwner].map(([owner, idx]) =>
        this.request(
          owner,
          mapName,
          header,
          idx.flatMap((i) => entries[i]),
        ),
      ),
    ]);
  }

  /**
   * Indices of `keys` by owner member, for the keys `here` did not take (it returns true for a
   * key it served on this member). Throws the retryable error when a key has no owner yet or
   * has been forwarded too often (ownership is changing).
   */
  private groupByOwner(
    keys: Buffer[],
    hops: number,
    here: (key: Buffer, p: number, i: number) => boolean,
  ): Map<string, number[]> {
    const byOwner = new Map<string, number[]>();
    keys.forEach((key, i) => {
      const p = this.partition(key);
      if (here(key, p, i)) return;
      const owner = this.routing.ownerOf(p);
      if (owner === undefined) throw new ClusterUnavailableError(`partition ${p} has no owner yet`);
      if (hops >= MAX_HOPS) {
        throw new ClusterUnavailableError(`partition ${p} ownership is changing; retry`);
      }
      const group = byOwner.get(owner);
      if (group) group.push(i);
      else byOwner.set(owner, [i]);
    });
    return byOwner;
  }

  private async request(
    memberId: string,
    map: string,
    header: Record<string, unknown>,
    buffers: Buffer[],
  ) {
    const channel = this.routing.channelTo(memberId);
    if (!channel) throw new ClusterUnavailableError(`member ${memberId} is not connected`);
    try {
      return await channel.request(header, buffers);
    } catch (err) {
      throw localErrorFor(err, map);
    }
  }

  /** Runs the operation on this member's store as the partition owner, then replicates. */
  private async owned(
    name: KeyOp,
    mapName: string,
    key: Buffer,
    p: number,
    value?: Buffer,
    opts?: WriteOptions,
    expected?: Buffer,
  ): Promise<KeyResult> {
    const map = this.open(mapName);
    const [result, acks] = this.routing.collectInvalidationAcks(() =>
      this.apply(map, name, key, value, opts, expected),
    );
    if (!result.changed) return result;
    const done = Promise.all([this.replicate(p, [recordAfterWrite(map, key)]), ...acks]);
    this.routing.trackWrite(p, done);
    if (this.opts.backupMode === 'sync') await done;
    return result;
  }

  private apply(
    map: CacheMapApi,
    name: KeyOp,
    key: Buffer,
    value: Buffer | undefined,
    opts: WriteOptions | undefined,
    expected?: Buffer,
  ): KeyResult & { changed: boolean } {
    const need = (): Buffer => {
      if (!value) throw new Error(`${name} needs a value`);
      return value;
    };
    const needExpected = (): Buffer => {
      if (!expected) throw new Error(`${name} needs the expected value`);
      return expected;
    };
    switch (name) {
      case 'get':
        return { value: map.get(key), changed: false };
      case 'containsKey':
        return { flag: map.has(key), changed: false };
      case 'put':
        return { value: map.set(key, need(), opts), changed: true };
      case 'set':
        map.set(key, need(), opts);
        return { changed: true };
      case 'putIfAbsent': {
        const existing = map.setIfAbsent(key, need(), opts);
        return { value: existing, changed: existing === undefined };
      }
      case 'remove': {
        const old = map.delete(key, opts?.origin);
        return { value: old, changed: old !== undefined };
      }
      case 'delete': {
        const removed = map.delete(key, opts?.origin) !== undefined;
        return { flag: removed, changed: removed };
      }
      case 'evict': {
        const evicted = map.evict(key, opts?.origin);
        return { flag: evicted, changed: evicted };
      }
      // Conditional writes: compared and written in this one synchronous step on the owner.
      case 'replace': {
        const old = map.replace(key, need(), opts);
        return { value: old, changed: old !== undefined };
      }
      case 'replaceIfSame': {
        const replaced = map.replaceIfSame(key, needExpected(), need(), opts);
        return { flag: replaced, changed: replaced };
      }
      case 'removeIfSame': {
        const removed = map.deleteIfSame(key, needExpected(), opts?.origin);
        return { flag: removed, changed: removed };
      }
      case 'setTtl': {
        const found = map.setTtl(key, opts?.ttlMs, opts?.origin);
        return { flag: found, changed: found };
      }
    }
  }

  /** Sends records of partition p to its replica targets; resolves when all acknowledged. */
  replicate(p: number, records: ReplicaRecord[]): Promise<void> {
    const targets = this.routing.replicaTargets(p);
    if (targets.length === 0) return Promise.resolve();
    return Promise.all(targets.map((id) => this.enqueueBackup(id, records))).then(() => undefined);
  }

  /**
   * Backups for one member made in the same turn of the event loop travel as one request (a
   * loaded owner sends a handful of frames instead of one per write); each write still waits for
   * the acknowledgement of the batch that carries it. Order per member is kept.
   */
  private readonly batches = new Map<string, { records: ReplicaRecord[]; done: Promise<void> }>();

  private enqueueBackup(memberId: string, records: ReplicaRecord[]): Promise<void> {
    const open = this.batches.get(memberId);
    if (open) {
      open.records.push(...records);
      return open.done;
    }
    const batch = { records: [...records], done: Promise.resolve() };
    batch.done = new Promise<void>((resolve, reject) => {
      process.nextTick(() => {
        this.batches.delete(memberId);
        const channel = this.routing.channelTo(memberId);
        if (!channel) {
          resolve(); // gone: the membership change re-creates its copies
          return;
        }
        const msg = encodeRecords('backup', batch.records, { cid: this.routing.clusterId() });
        channel.request(msg.header, msg.buffers, this.opts.backupTimeoutMs).then(
          () => resolve(),
          (err: unknown) => {
            this.opts.onBackupFailure(err as Error);
            // Not acknowledged: the write is only on this member, which may be the one cut off
            // (its data is dropped when it rejoins). Retryable; the write may have been applied.
            reject(
              new ClusterUnavailableError(
                `backup to member ${memberId} failed (${(err as Error).message}); the write may or may not be applied`,
              ),
            );
          },
        );
      });
    });
    this.batches.set(memberId, batch);
    return batch.done;
  }

  /**
   * A map-wide read: this member's owned entries plus one request per other member for theirs
   * (backups are never counted, so every entry comes back once). Local answer first.
   */
  private async mapRead(name: MapRead, map: string, buffers: Buffer[] = []): Promise<Message[]> {
    this.routing.assertReady();
    this.open(map);
    const remote = this.routing.memberIds().filter((id) => id !== this.routing.selfId);
    const header = { op: 'mapop', name, map };
    const local = this.ownedRead(name, map, buffers[0]);
    const answers = await Promise.all(remote.map((id) => this.request(id, map, header, buffers)));
    return [local, ...answers];
  }

  /** The entries of `map` this member owns, as a map-wide read answers them. */
  private ownedRead(name: MapRead, mapName: string, value: Buffer | undefined): Message {
    const map = this.store.getMap(mapName);
    const buffers: Buffer[] = [];
    if (!map) return { header: { found: false }, buffers };
    const self = this.routing.selfId;
    if (name === 'containsValue') {
      if (!value) throw new Error('containsValue needs a value');
      let found = false;
      map.forEachLive((_k, v, p) => {
        found = this.routing.ownerOf(p) === self && sameData(v, value);
        return !found; // stop at the first match
      });
      return { header: { found }, buffers };
    }
    const limit = this.opts.mapReadMaxBytes ?? MAP_READ_MAX_BYTES;
    let bytes = 0;
    map.forEachLive((k, v, p) => {
      if (this.routing.ownerOf(p) !== self) return;
      if (name !== 'values') buffers.push(k);
      if (name !== 'keySet') buffers.push(v);
      bytes += (name !== 'values' ? k.length : 0) + (name !== 'keySet' ? v.length : 0);
      if (bytes > limit) {
        throw new Error(
          `${name} of map "${mapName}" exceeds ${limit} bytes on one member; read it by keys instead`,
        );
      }
    });
    return { header: { found: false }, buffers };
  }

  private localMapOp(name: string, map: string, origin?: string): void {
    const m = this.store.getMap(map);
    if (!m) return;
    if (name === 'clear') m.clear(origin);
    else if (name === 'evictAll') {
      for (const key of [...m.entries()].map((e) => e.key)) m.evict(key, origin);
    } else if (name === 'destroy') this.store.destroyMap(map);
    this.nearCache.invalidateMap(map);
  }

  private async everywhere(name: string, map: string, origin?: string): Promise<void> {
    this.routing.assertReady();
    this.open(map);
    const remote = this.routing.memberIds().filter((id) => id !== this.routing.selfId);
    const [, acks] = this.routing.collectInvalidationAcks(() => this.localMapOp(name, map, origin));
    await Promise.all([
      ...acks,
      ...remote.map((id) =>
        this.request(id, map, { op: 'mapop', name, map, ...(origin ? { origin } : {}) }, []),
      ),
    ]);
  }
}

/** WriteOptions as carried in a forwarded request's header. */
function writeOptionsHeader(opts: WriteOptions | undefined): Record<string, unknown> {
  const header: Record<string, unknown> = {};
  if (opts?.ttlMs !== undefined) header.ttlMs = opts.ttlMs;
  if (opts?.maxIdleMs !== undefined) header.maxIdleMs = opts.maxIdleMs;
  if (opts?.origin !== undefined) header.origin = opts.origin;
  return header;
}

function writeOptionsOf(h: Record<string, unknown>): WriteOptions {
  const opts: WriteOptions = {};
  if (typeof h.ttlMs === 'number') opts.ttlMs = h.ttlMs;
  if (typeof h.maxIdleMs === 'number') opts.maxIdleMs = h.maxIdleMs;
  if (typeof h.origin === 'string') opts.origin = h.origin;
  return opts;
}
