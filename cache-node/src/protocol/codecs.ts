/**
 * Field codecs (spec §2.4–2.5): fixed-size fields inside initial frames, variable-size fields as
 * frames, and the custom types (Address, MemberInfo, ErrorHolder) the server sends.
 * UUIDs are canonical strings ("8-4-4-4-12" hex) in the node and 17 bytes on the wire.
 */
import { randomUUID } from 'node:crypto';
import type { Frame } from './frame.js';
import { DecodeError, type FrameReader, type MessageBuilder } from './message.js';

export const UUID_BYTES = 17;

// ---- fixed-size -------------------------------------------------------------------------------

/** Hex digit values by char code (-1 = not a hex digit). */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
}
/** Lower-case two-digit hex of every byte value. */
const BYTE_HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
/** Where the 32 hex digits sit in the canonical 36-character form. */
const CANONICAL_DIGITS = [...'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx']
  .map((c, i) => (c === 'x' ? i : -1))
  .filter((i) => i >= 0);

/**
 * isNull byte, then mostSigBits as int64 LE, then leastSigBits as int64 LE. Every invalidation
 * event writes two UUIDs, so the canonical form is parsed in place without allocating (the
 * regex-and-Buffer version was 3–5 % of a member's CPU under writes).
 */
export function writeUuid(buf: Buffer, offset: number, uuid: string | null): void {
  if (uuid === null) {
    buf.fill(0, offset, offset + UUID_BYTES);
    buf[offset] = 1;
    return;
  }
  const canonical = uuid.length === 36 && hasCanonicalDashes(uuid);
  const hex = canonical ? uuid : uuid.replace(/-/g, '');
  if (!canonical && hex.length !== 32) throw new Error(`not a UUID: ${uuid}`);
  buf[offset] = 0;
  for (let b = 0; b < 16; b++) {
    const at = canonical ? CANONICAL_DIGITS[2 * b] : 2 * b;
    const hi = HEX_VALUE[hex.charCodeAt(at)] ?? -1;
    const lo = HEX_VALUE[hex.charCodeAt(canonical ? CANONICAL_DIGITS[2 * b + 1] : at + 1)] ?? -1;
    if (hi < 0 || lo < 0) throw new Error(`not a UUID: ${uuid}`);
    // Byte b of the big-endian hex, written into its little-endian half.
    buf[offset + 1 + (b < 8 ? 7 - b : 23 - b)] = (hi << 4) | lo;
  }
}

const DASH = 45;
const hasCanonicalDashes = (s: string): boolean =>
  s.charCodeAt(8) === DASH &&
  s.charCodeAt(13) === DASH &&
  s.charCodeAt(18) === DASH &&
  s.charCodeAt(23) === DASH;

export function readUuid(buf: Buffer, offset: number): string | null {
  if (buf.length < offset + UUID_BYTES) throw new DecodeError('UUID field truncated');
  if (buf[offset] !== 0) return null;
  // Most significant byte first: the int64s are little-endian, so read each half backwards.
  const h = (i: number) => BYTE_HEX[buf[offset + i]];
  return (
    h(8) +
    h(7) +
    h(6) +
    h(5) +
    '-' +
    h(4) +
    h(3) +
    '-' +
    h(2) +
    h(1) +
    '-' +
    h(16) +
    h(15) +
    '-' +
    h(14) +
    h(13) +
    h(12) +
    h(11) +
    h(10) +
    h(9)
  );
}

export const newUuid = (): string => randomUUID();

export function readBoolean(buf: Buffer, offset: number): boolean {
  return buf[offset] === 1;
}

// ---- variable-size: decoding ------------------------------------------------------------------

export function readString(r: FrameReader): string {
  return r.next().content.toString('utf8');
}

export function readNullableString(r: FrameReader): string | null {
  return r.nextIsNull() ? null : readString(r);
}

/** Data is copied out of the receive buffer so a stored key does not pin a whole socket chunk. */
export function readData(r: FrameReader): Buffer {
  const f = r.next();
  if (f.content.length < 8 && f.content.length !== 0) {
    throw new DecodeError(`Data of ${f.content.length} bytes is shorter than its 8-byte header`);
  }
  return Buffer.from(f.content);
}

export function readNullableData(r: FrameReader): Buffer | null {
  return r.nextIsNull() ? null : readData(r);
}

export function readByteArray(r: FrameReader): Buffer {
  return r.next().content;
}

/** List of variable-size items: BEGIN, items, END. */
export function readList<T>(r: FrameReader, item: (r: FrameReader) => T): T[] {
  r.expectBegin();
  const out: T[] = [];
  while (!r.nextIsEnd()) out.push(item(r));
  r.next();
  return out;
}

/** EntryList<K, V> of variable-size keys and values: BEGIN, (K, V)*, END. */
export function readEntryList<K, V>(
  r: FrameReader,
  key: (r: FrameReader) => K,
  value: (r: FrameReader) => V,
): [K, V][] {
  r.expectBegin();
  const out: [K, V][] = [];
  while (!r.nextIsEnd()) out.push([key(r), value(r)]);
  r.next();
  return out;
}

/** Skip an optional trailing custom-type or list field (BEGIN … END), tolerating its absence. */
export function skipStructure(r: FrameReader): void {
  r.expectBegin();
  r.skipToEnd();
}

// ---- variable-size: encoding ------------------------------------------------------------------

export function addString(b: MessageBuilder, s: string): void {
  b.frame(Buffer.from(s, 'utf8'));
}

export function addNullableString(b: MessageBuilder, s: string | null | undefined): void {
  if (s === null || s === undefined) b.nullFrame();
  else addString(b, s);
}

export function addData(b: MessageBuilder, data: Buffer): void {
  b.frame(data);
}

export function addNullableData(b: MessageBuilder, data: Buffer | null | undefined): void {
  if (data === null || data === undefined) b.nullFrame();
  else b.frame(data);
}

/** EntryList<Data, Data>: BEGIN, key, value, …, END. */
export function addDataEntryList(b: MessageBuilder, entries: readonly [Buffer, Buffer][]): void {
  b.begin();
  for (const [k, v] of entries) b.frame(k).frame(v);
  b.end();
}

export function addDataList(b: MessageBuilder, items: readonly Buffer[]): void {
  b.begin();
  for (const d of items) b.frame(d);
  b.end();
}

/** List<Integer>: one frame of n × int32 LE. */
export function intListFrame(values: readonly number[]): Buffer {
  const buf = Buffer.allocUnsafe(values.length * 4);
  values.forEach((v, i) => buf.writeInt32LE(v, i * 4));
  return buf;
}

/** List<UUID>: one frame of n × 17 bytes. */
export function uuidListFrame(values: readonly (string | null)[]): Buffer {
  const buf = Buffer.alloc(values.length * UUID_BYTES);
  values.forEach((v, i) => writeUuid(buf, i * UUID_BYTES, v));
  return buf;
}

/** EntryList<Integer, Long>: one frame of n × 12 bytes. */
export function intLongEntryFrame(entries: readonly [number, bigint][]): Buffer {
  const buf = Buffer.allocUnsafe(entries.length * 12);
  entries.forEach(([k, v], i) => {
    buf.writeInt32LE(k, i * 12);
    buf.writeBigInt64LE(v, i * 12 + 4);
  });
  return buf;
}

/** EntryList<Integer, UUID>: one frame of n × 21 bytes. */
export function intUuidEntryFrame(entries: readonly [number, string][]): Buffer {
  const buf = Buffer.alloc(entries.length * 21);
  entries.forEach(([k, v], i) => {
    buf.writeInt32LE(k, i * 21);
    writeUuid(buf, i * 21 + 4, v);
  });
  return buf;
}

export function decodeIntList(frame: Frame): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= frame.content.length; i += 4) out.push(frame.content.readInt32LE(i));
  return out;
}

// ---- custom types -----------------------------------------------------------------------------

export interface Address {
  host: string;
  port: number;
}

export function addAddress(b: MessageBuilder, a: Address): void {
  const fixed = Buffer.alloc(4);
  fixed.writeInt32LE(a.port, 0);
  b.begin().frame(fixed);
  addString(b, a.host);
  b.end();
}

export interface MemberInfo {
  uuid: string;
  address: Address;
  liteMember?: boolean;
  attributes?: Record<string, string>;
  version?: [major: number, minor: number, patch: number];
}

export function addMemberInfo(b: MessageBuilder, m: MemberInfo): void {
  const fixed = Buffer.alloc(UUID_BYTES + 1);
  writeUuid(fixed, 0, m.uuid);
  fixed[UUID_BYTES] = m.liteMember ? 1 : 0;
  b.begin().frame(fixed);
  addAddress(b, m.address);
  b.begin();
  for (const [k, v] of Object.entries(m.attributes ?? {})) {
    addString(b, k);
    addString(b, v);
  }
  b.end();
  const [major, minor, patch] = m.version ?? [5, 5, 0];
  b.begin()
    .frame(Buffer.from([major, minor, patch]))
    .end();
  // addressMap (EndpointQualifier → Address): empty.
  b.begin().end();
  b.end();
}

export interface ErrorHolder {
  code: number;
  className: string;
  message: string | null;
}

export function addErrorHolder(b: MessageBuilder, e: ErrorHolder): void {
  const fixed = Buffer.alloc(4);
  fixed.writeInt32LE(e.code, 0);
  b.begin().frame(fixed);
  addString(b, e.className);
  addNullableString(b, e.message);
  b.begin().end(); // stack trace: none
  b.end();
}
