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
 * Loading reads the file twice in chunks (verify everything, then restore), so a truncated, corrupt
 * or wrong-version file is reported and nothing is half-loaded, without holding the file in memory.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
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

/** One frame as it stands in the file: kind | length | payload | crc, starting at byte `at`. */
interface RawFrame {
  bytes: Buffer;
  at: number;
}

type SnapshotItem =
  | { kind: 'map'; name: string }
  /** `payload` is valid only while the frame is being handled: decode it with decodeEntry. */
  | { kind: 'entry'; payload: Buffer }
  | { kind: 'end' };

/** Why a header is unusable, or undefined when it is a snapshot this node reads. */
export function checkHeader(h: Buffer): string | undefined {
  if (h.length < HEADER_BYTES) return `truncated: ${h.length} bytes, no complete header`;
  if (h.toString('latin1', 0, 4) !== SNAPSHOT_MAGIC) return 'not a snapshot file (bad magic)';
  const version = h.readUInt16BE(4);
  if (version !== SNAPSHOT_VERSION) {
    return `unsupported snapshot version ${version} (this node reads version ${SNAPSHOT_VERSION})`;
  }
  return undefined;
}

/** An entry frame's payload, already checked by FrameChecker; key and value are copies. */
export function decodeEntry(p: Buffer): Omit<EntrySnapshot, 'partitionId'> {
  const keyLen = p.readUInt32BE(40);
  const valueLen = p.readUInt32BE(44 + keyLen);
  return {
    expiresAt: p.readDoubleBE(0),
    maxIdleMs: p.readDoubleBE(8),
    lastAccessAt: p.readDoubleBE(16),
    createdAt: p.readDoubleBE(24),
    updatedAt: p.readDoubleBE(32),
    // Copies: the read buffer is reused for the next frames.
    key: Buffer.from(p.subarray(44, 44 + keyLen)),
    value: Buffer.from(p.subarray(48 + keyLen, 48 + keyLen + valueLen)),
  };
}

/**
 * Checks frames in file order (checksums, structure, the end frame's counts) and decodes them;
 * a string is the reason the file is unusable. Pure, so the rules are tested without files.
 */
export class FrameChecker {
  maps = 0;
  entries = 0;
  ended = false;

  check({ bytes, at }: RawFrame): SnapshotItem | string {
    const kind = bytes.readUInt8(0);
    const len = bytes.length - FRAME_OVERHEAD;
    if (crc32(bytes.subarray(0, 5 + len)) !== bytes.readUInt32BE(5 + len)) {
      return `checksum mismatch in frame at byte ${at}`;
    }
    const p = bytes.subarray(5, 5 + len);
    if (kind === KIND_MAP) {
      this.maps++;
      return { kind: 'map', name: p.toString('utf8') };
    }
    if (kind === KIND_ENTRY) {
      if (this.maps === 0) return `entry before any map at byte ${at}`;
      if (len < ENTRY_FIXED) return `malformed entry at byte ${at}`;
      const keyLen = p.readUInt32BE(40);
      if (44 + keyLen + 4 > len) return `malformed entry at byte ${at}`;
      const valueLen = p.readUInt32BE(44 + keyLen);
      if (48 + keyLen + valueLen !== len) return `malformed entry at byte ${at}`;
      this.entries++;
      return { kind: 'entry', payload: p };
    }
    if (kind === KIND_END) {
      if (len !== 12) return `malformed end frame at byte ${at}`;
      const m = p.readUInt32BE(0);
      const n = p.readDoubleBE(4);
      if (m !== this.maps || n !== this.entries) {
        return `end frame counts ${m} maps/${n} entries, file holds ${this.maps}/${this.entries}`;
      }
      this.ended = true;
      return { kind: 'end' };
    }
    return `unknown frame kind ${kind} at byte ${at}`;
  }
}

/**
 * Calls `onFrame` for each frame after the header of a `size`-byte file, reading in chunks of
 * about CHUNK_BYTES so memory stays at one chunk plus the largest frame (a callback, not an async
 * iterator: no promise per frame). A frame's bytes are only valid during its call. Returns why
 * the file is unusable (or what `onFrame` returned to stop), undefined after the last frame.
 */
async function readFrames(
  fh: FileHandle,
  size: number,
  onFrame: (frame: RawFrame) => string | undefined,
): Promise<string | undefined> {
  let buf = Buffer.alloc(0);
  let at = HEADER_BYTES; // file offset of buf[0]
  let next = HEADER_BYTES; // file offset of the next read
  /** Makes buf hold at least `need` bytes; false when the file ends first. */
  const fill = async (need: number): Promise<boolean> => {
    if (at + need > size) return false; // also keeps a corrupt length from allocating
    const chunk = Buffer.allocUnsafe(
      Math.max(need - buf.length, Math.min(CHUNK_BYTES, size - next)),
    );
    let filled = 0;
    while (filled < chunk.length) {
      const { bytesRead } = await fh.read(chunk, filled, chunk.length - filled, next + filled);
      if (bytesRead === 0) break; // the file shrank under us
      filled += bytesRead;
    }
    next += filled;
    buf =
      buf.length > 0 ? Buffer.concat([buf, chunk.subarray(0, filled)]) : chunk.subarray(0, filled);
    return buf.length >= need;
  };
  let o = 0; // offset in buf of the next frame
  while (at + o < size) {
    if (buf.length - o < 5 || buf.length - o < FRAME_OVERHEAD + buf.readUInt32BE(o + 1)) {
      buf = buf.subarray(o); // keep the partial frame, drop the consumed ones
      at += o;
      o = 0;
      if (!(await fill(5))) return `truncated at byte ${at}: incomplete frame header`;
      const len = buf.readUInt32BE(1);
      if (!(await fill(FRAME_OVERHEAD + len)))
        return `truncated at byte ${at}: frame of ${len} bytes`;
    }
    const end = o + FRAME_OVERHEAD + buf.readUInt32BE(o + 1);
    const stop = onFrame({ bytes: buf.subarray(o, end), at: at + o });
    if (stop !== undefined) return stop;
    o = end;
  }
  return undefined;
}

/** One pass over the file's frames; `onItem` sees each checked frame (none when it is undefined). */
async function scan(
  fh: FileHandle,
  size: number,
  onItem?: (item: SnapshotItem) => void,
): Promise<FrameChecker | string> {
  const checker = new FrameChecker();
  let endedAt = 0;
  const failed = await readFrames(fh, size, (frame) => {
    if (checker.ended) return `data after the end frame at byte ${endedAt}`;
    const item = checker.check(frame);
    if (typeof item === 'string') return item;
    endedAt = frame.at + frame.bytes.length;
    onItem?.(item);
    return undefined;
  });
  if (failed !== undefined) {
    return checker.ended ? `data after the end frame at byte ${endedAt}` : failed;
  }
  return checker.ended ? checker : 'truncated: no end frame';
}

/**
 * Loads a snapshot in two streaming passes over one open file: the first verifies every frame
 * and the end frame's counts, the second restores. So a truncated, corrupt or wrong-version file
 * changes nothing, and memory stays bounded by a chunk, not by the file.
 */
export async function loadSnapshot(
  store: StoreApi,
  path: string,
  partitionCount: number,
): Promise<SnapshotResult> {
  const fail = (reason: string): SnapshotResult => ({ ok: false, maps: 0, entries: 0, reason });
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? `missing: ${path}` : `unreadable: ${(err as Error).message}`);
  }
  try {
    const { size } = await fh.stat();
    const header = Buffer.alloc(Math.min(HEADER_BYTES, size));
    await fh.read(header, 0, header.length, 0);
    const bad = checkHeader(header);
    if (bad !== undefined) return fail(bad);
    const verified = await scan(fh, size);
    if (typeof verified === 'string') return fail(verified);
    let maps = 0;
    let entries = 0;
    const refused: string[] = [];
    let target: ReturnType<StoreApi['map']>;
    const restored = await scan(fh, size, (item) => {
      if (item.kind === 'map') {
        target = store.map(item.name);
        if (target) maps++;
        else refused.push(item.name);
      } else if (item.kind === 'entry' && target) {
        const entry = decodeEntry(item.payload);
        target.restore({
          ...entry,
          partitionId: partitionIdOf(entry.key, partitionCount),
        });
        entries++;
      }
    });
    // The file is replaced by rename, never rewritten in place, so the open file cannot change.
    if (typeof restored === 'string') return fail(`changed while loading: ${restored}`);
    const result: SnapshotResult = { ok: true, maps, entries };
    if (refused.length > 0) {
      result.reason = `maps not allowed by the configuration skipped: ${refused.join(', ')}`;
    }
    return result;
  } catch (err) {
    return fail(`unreadable: ${(err as Error).message}`);
  } finally {
    await fh.close().catch(() => undefined);
  }
}
