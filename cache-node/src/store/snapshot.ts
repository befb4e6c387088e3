/**
 * Snapshot file format (version 1), written atomically (temporary file, fsync, rename):
 *
 *   header  "MDCS" | u16 version | u16 reserved (0)
 *   frame*  u8 kind | u32 payload length | payload | u32 crc32(kind, length, payload)
 *
 * kinds: 1 = map (payload: UTF-8 name; the entries that follow belong to it), 2 = entry
 * (f64 expiresAt, maxIdleMs, lastAccessAt, createdAt, updatedAt | u32 key length | key |
 * u32 value length | value), 3 = end (u32 maps | f64 entries), which must be last.
 * Integers are big-endian. Each frame is self-checking and length-prefixed, so the file is
 * written and parsed front to back without seeking. Partition ids are recomputed on load (the
 * partition count may differ).
 *
 * Loading parses and verifies the whole file before touching the store, so a truncated, corrupt
 * or wrong-version file is reported and nothing is half-loaded.
 */
import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { partitionIdOf } from '../data/index.js';
import type { EntrySnapshot, SnapshotResult, StoreApi } from './types.js';

export const SNAPSHOT_MAGIC = 'MDCS';
export const SNAPSHOT_VERSION = 1;
const HEADER_BYTES = 8;
const FRAME_OVERHEAD = 9;
const ENTRY_FIXED = 5 * 8 + 4 + 4;
const KIND_MAP = 1;
const KIND_ENTRY = 2;
const KIND_END = 3;
/** Flush the write buffer at this size. */
const CHUNK_BYTES = 1 << 20;

function frame(kind: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(FRAME_OVERHEAD + payload.length);
  out.writeUInt8(kind, 0);
  out.writeUInt32BE(payload.length, 1);
  payload.copy(out, 5);
  out.writeUInt32BE(crc32(out.subarray(0, 5 + payload.length)), 5 + payload.length);
  return out;
}

function entryPayload(e: EntrySnapshot): Buffer {
  const p = Buffer.allocUnsafe(ENTRY_FIXED + e.key.length + e.value.length);
  let o = 0;
  for (const n of [e.expiresAt, e.maxIdleMs, e.lastAccessAt, e.createdAt, e.updatedAt]) {
    o = p.writeDoubleBE(n, o);
  }
  o = p.writeUInt32BE(e.key.length, o);
  o += e.key.copy(p, o);
  o = p.writeUInt32BE(e.value.length, o);
  e.value.copy(p, o);
  return p;
}

export function snapshotHeader(version = SNAPSHOT_VERSION): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  h.write(SNAPSHOT_MAGIC, 0, 'latin1');
  h.writeUInt16BE(version, 4);
  return h;
}

export async function saveSnapshot(store: StoreApi, path: string): Promise<SnapshotResult> {
  const tmp = `${path}.tmp-${process.pid}`;
  let maps = 0;
  let entries = 0;
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, 'w');
    let chunk: Buffer[] = [snapshotHeader()];
    let pending = HEADER_BYTES;
    const add = async (b: Buffer): Promise<void> => {
      chunk.push(b);
      pending += b.length;
      if (pending >= CHUNK_BYTES) {
        await fh!.write(Buffer.concat(chunk));
        chunk = [];
        pending = 0;
      }
    };
    for (const name of store.mapNames()) {
      const map = store.getMap(name);
      if (!map) continue;
      maps++;
      await add(frame(KIND_MAP, Buffer.from(name, 'utf8')));
      for (const e of map.entries()) {
        await add(frame(KIND_ENTRY, entryPayload(e)));
        entries++;
      }
    }
    const end = Buffer.allocUnsafe(12);
    end.writeUInt32BE(maps, 0);
    end.writeDoubleBE(entries, 4);
    await add(frame(KIND_END, end));
    await fh.write(Buffer.concat(chunk));
    await fh.sync();
    await fh.close();
    await rename(tmp, path);
    return { ok: true, maps, entries };
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await rm(tmp, { force: true });
    return { ok: false, maps: 0, entries: 0, reason: `write failed: ${(err as Error).message}` };
  }
}

interface ParsedMap {
  name: string;
  entries: Omit<EntrySnapshot, 'partitionId'>[];
}

/** Parses and verifies a snapshot; a string is the reason it is unusable. */
export function parseSnapshot(buf: Buffer): ParsedMap[] | string {
  if (buf.length < HEADER_BYTES) return `truncated: ${buf.length} bytes, no complete header`;
  if (buf.toString('latin1', 0, 4) !== SNAPSHOT_MAGIC) return 'not a snapshot file (bad magic)';
  const version = buf.readUInt16BE(4);
  if (version !== SNAPSHOT_VERSION) {
    return `unsupported snapshot version ${version} (this node reads version ${SNAPSHOT_VERSION})`;
  }
  const maps: ParsedMap[] = [];
  let total = 0;
  let o = HEADER_BYTES;
  while (o < buf.length) {
    if (o + 5 > buf.length) return `truncated at byte ${o}: incomplete frame header`;
    const kind = buf.readUInt8(o);
    const len = buf.readUInt32BE(o + 1);
    if (o + FRAME_OVERHEAD + len > buf.length)
      return `truncated at byte ${o}: frame of ${len} bytes`;
    const crc = buf.readUInt32BE(o + 5 + len);
    if (crc32(buf.subarray(o, o + 5 + len)) !== crc)
      return `checksum mismatch in frame at byte ${o}`;
    const p = buf.subarray(o + 5, o + 5 + len);
    const at = o;
    o += FRAME_OVERHEAD + len;
    if (kind === KIND_MAP) {
      maps.push({ name: p.toString('utf8'), entries: [] });
    } else if (kind === KIND_ENTRY) {
      const current = maps[maps.length - 1];
      if (!current) return `entry before any map at byte ${at}`;
      if (len < ENTRY_FIXED) return `malformed entry at byte ${at}`;
      const keyLen = p.readUInt32BE(40);
      if (44 + keyLen + 4 > len) return `malformed entry at byte ${at}`;
      const valueLen = p.readUInt32BE(44 + keyLen);
      if (48 + keyLen + valueLen !== len) return `malformed entry at byte ${at}`;
      current.entries.push({
        expiresAt: p.readDoubleBE(0),
        maxIdleMs: p.readDoubleBE(8),
        lastAccessAt: p.readDoubleBE(16),
        createdAt: p.readDoubleBE(24),
        updatedAt: p.readDoubleBE(32),
        // Copies: the file buffer is released after loading.
        key: Buffer.from(p.subarray(44, 44 + keyLen)),
        value: Buffer.from(p.subarray(48 + keyLen, 48 + keyLen + valueLen)),
      });
      total++;
    } else if (kind === KIND_END) {
      if (len !== 12) return `malformed end frame at byte ${at}`;
      if (o !== buf.length) return `data after the end frame at byte ${o}`;
      const m = p.readUInt32BE(0);
      const n = p.readDoubleBE(4);
      if (m !== maps.length || n !== total) {
        return `end frame counts ${m} maps/${n} entries, file holds ${maps.length}/${total}`;
      }
      return maps;
    } else {
      return `unknown frame kind ${kind} at byte ${at}`;
    }
  }
  return 'truncated: no end frame';
}

export async function loadSnapshot(
  store: StoreApi,
  path: string,
  partitionCount: number,
): Promise<SnapshotResult> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? `missing: ${path}` : `unreadable: ${(err as Error).message}`;
    return { ok: false, maps: 0, entries: 0, reason };
  }
  const parsed = parseSnapshot(buf);
  if (typeof parsed === 'string') return { ok: false, maps: 0, entries: 0, reason: parsed };
  let maps = 0;
  let entries = 0;
  const refused: string[] = [];
  for (const m of parsed) {
    const map = store.map(m.name);
    if (!map) {
      refused.push(m.name);
      continue;
    }
    maps++;
    for (const e of m.entries) {
      map.restore({ ...e, partitionId: partitionIdOf(e.key, partitionCount) });
      entries++;
    }
  }
  const result: SnapshotResult = { ok: true, maps, entries };
  if (refused.length > 0)
    result.reason = `maps not allowed by the configuration skipped: ${refused.join(', ')}`;
  return result;
}
