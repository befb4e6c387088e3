/**
 * Copies of entries between members (sync/async backups, migration bulk copies): the state of a
 * key after a write on the owner, encoded as a header plus raw key/value buffers, and applied on
 * the receiver with the store's restore() (no hit/miss stats, no admission test).
 *
 * Backups carry the key's resulting state rather than the operation, so applying one twice, or
 * applying a bulk copy and then a later write, converges on the owner's state.
 */
import { partitionIdOf } from '../data/index.js';
import type { CacheMapApi, EntrySnapshot, StoreApi } from '../store/types.js';
import type { Message } from './channel.js';

export interface ReplicaRecord {
  map: string;
  key: Buffer;
  /** undefined = the key is absent (deleted) on the owner. */
  value: Buffer | undefined;
  expiresAt: number;
  maxIdleMs: number;
}

/** [map index, has value (0/1), expiresAt, maxIdleMs] per record. */
type RecordMeta = [number, number, number, number];

export function encodeRecords(
  op: string,
  records: readonly ReplicaRecord[],
  extra: Record<string, unknown> = {},
): Message {
  const maps: string[] = [];
  const mapIndex = new Map<string, number>();
  const meta: RecordMeta[] = [];
  const buffers: Buffer[] = [];
  for (const r of records) {
    let i = mapIndex.get(r.map);
    if (i === undefined) {
      i = maps.push(r.map) - 1;
      mapIndex.set(r.map, i);
    }
    meta.push([i, r.value === undefined ? 0 : 1, r.expiresAt, r.maxIdleMs]);
    buffers.push(r.key);
    if (r.value !== undefined) buffers.push(r.value);
  }
  return { header: { op, maps, meta, ...extra }, buffers };
}

export class ReplicationFormatError extends Error {
  override readonly name = 'ReplicationFormatError';
}

export function decodeRecords(msg: Message): ReplicaRecord[] {
  const { maps, meta } = msg.header;
  if (!Array.isArray(maps) || !Array.isArray(meta))
    throw new ReplicationFormatError('records missing');
  const out: ReplicaRecord[] = [];
  let b = 0;
  for (const m of meta as unknown[]) {
    if (!Array.isArray(m) || m.length !== 4) throw new ReplicationFormatError('bad record');
    const [mi, hasValue, expiresAt, maxIdleMs] = m as number[];
    const map = (maps as unknown[])[mi];
    if (typeof map !== 'string') throw new ReplicationFormatError('bad map index');
    const key = msg.buffers[b++];
    const value = hasValue ? msg.buffers[b++] : undefined;
    if (!key || (hasValue && !value)) throw new ReplicationFormatError('record buffers missing');
    out.push({ map, key, value, expiresAt, maxIdleMs });
  }
  return out;
}

/**
 * The state of `key` on the owner right after a write, read from the entry itself (value, expiry,
 * max-idle), whatever the write was: a put with its own TTL, a replace taking the map default, a
 * setTtl that keeps the value and max-idle, or a removal (absent).
 */
export function recordAfterWrite(map: CacheMapApi, key: Buffer): ReplicaRecord {
  const e = map.peekEntry(key);
  return e
    ? recordOf(map.name, e)
    : { map: map.name, key, value: undefined, expiresAt: 0, maxIdleMs: 0 };
}

export function recordOf(map: string, e: EntrySnapshot): ReplicaRecord {
  return { map, key: e.key, value: e.value, expiresAt: e.expiresAt, maxIdleMs: e.maxIdleMs };
}

/** Apply copies to this member's store; returns how many were applied. */
export function applyRecords(
  store: StoreApi,
  records: readonly ReplicaRecord[],
  partitionCount: number,
  now: number,
): number {
  let n = 0;
  for (const r of records) {
    const map = store.map(r.map);
    if (!map) continue; // a map this member refuses: the owner refused it too
    if (r.value === undefined) {
      map.delete(r.key);
    } else {
      map.restore({
        key: r.key,
        value: r.value,
        partitionId: partitionIdOf(r.key, partitionCount),
        expiresAt: r.expiresAt,
        maxIdleMs: r.maxIdleMs,
        lastAccessAt: now,
        createdAt: now,
        updatedAt: now,
      });
    }
    n++;
  }
  return n;
}
