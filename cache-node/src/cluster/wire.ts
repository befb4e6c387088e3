/**
 * Member-to-member frames, independent of sockets.
 *
 * A connection starts with the 3-byte preamble `MC1`, then carries frames:
 *
 *   u32 length (of everything after it) | u8 kind | u32 id | u32 headerLength | header (JSON)
 *   | u32 bufferCount | (u32 length | bytes) × bufferCount
 *
 * The JSON header carries the small fields (operation, map name, options); keys and values travel
 * as raw buffers so nothing is re-encoded. Requests and responses share one id space per
 * connection, so requests are pipelined and answered in any order.
 */

export const MEMBER_PREAMBLE = Buffer.from('MC1', 'ascii');

export const FrameKind = {
  REQUEST: 0,
  RESPONSE: 1,
  ERROR: 2,
  /** No response expected (invalidation broadcast). */
  ONE_WAY: 3,
} as const;
export type FrameKindValue = (typeof FrameKind)[keyof typeof FrameKind];

export type Header = Record<string, unknown>;

export interface WireFrame {
  kind: FrameKindValue;
  id: number;
  header: Header;
  buffers: Buffer[];
}

const LENGTH_BYTES = 4;
const KIND_OFFSET = 0;
const ID_OFFSET = KIND_OFFSET + 1;
const HEADER_LENGTH_OFFSET = ID_OFFSET + 4;
const HEADER_OFFSET = HEADER_LENGTH_OFFSET + 4;

export class WireError extends Error {
  override readonly name = 'WireError';
}

export function encodeFrame(frame: WireFrame): Buffer {
  const header = Buffer.from(JSON.stringify(frame.header), 'utf8');
  let size = HEADER_OFFSET + header.length + 4;
  for (const b of frame.buffers) size += 4 + b.length;
  const out = Buffer.allocUnsafe(LENGTH_BYTES + size);
  out.writeUInt32BE(size, 0);
  let o = LENGTH_BYTES;
  out.writeUInt8(frame.kind, o + KIND_OFFSET);
  out.writeUInt32BE(frame.id >>> 0, o + ID_OFFSET);
  out.writeUInt32BE(header.length, o + HEADER_LENGTH_OFFSET);
  o += HEADER_OFFSET;
  header.copy(out, o);
  o += header.length;
  out.writeUInt32BE(frame.buffers.length, o);
  o += 4;
  for (const b of frame.buffers) {
    out.writeUInt32BE(b.length, o);
    o += 4;
    b.copy(out, o);
    o += b.length;
  }
  return out;
}

function decodeBody(body: Buffer): WireFrame {
  if (body.length < HEADER_OFFSET + 4) throw new WireError('frame shorter than its fixed fields');
  const kind = body.readUInt8(KIND_OFFSET);
  if (kind > FrameKind.ONE_WAY) throw new WireError(`unknown frame kind ${kind}`);
  const id = body.readUInt32BE(ID_OFFSET);
  const headerLength = body.readUInt32BE(HEADER_LENGTH_OFFSET);
  let o = HEADER_OFFSET + headerLength;
  if (o + 4 > body.length) throw new WireError('header overruns the frame');
  let header: unknown;
  try {
    header = JSON.parse(body.toString('utf8', HEADER_OFFSET, o));
  } catch {
    throw new WireError('header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new WireError('header is not an object');
  }
  const count = body.readUInt32BE(o);
  o += 4;
  const buffers: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    if (o + 4 > body.length) throw new WireError('buffer length overruns the frame');
    const len = body.readUInt32BE(o);
    o += 4;
    if (o + len > body.length) throw new WireError('buffer overruns the frame');
    buffers.push(body.subarray(o, o + len));
    o += len;
  }
  if (o !== body.length) throw new WireError('trailing bytes after the last buffer');
  return { kind: kind as FrameKindValue, id, header: header as Header, buffers };
}

/**
 * Incremental decoder fed arbitrary chunks. Pending bytes are bounded by maxFrameBytes; a frame
 * over the limit or malformed throws WireError, after which the connection must be closed.
 */
export class FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private preambleSeen: boolean;

  constructor(
    private readonly maxFrameBytes: number,
    expectPreamble: boolean,
  ) {
    this.preambleSeen = !expectPreamble;
  }

  push(chunk: Buffer): WireFrame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    if (!this.preambleSeen) {
      if (this.pending.length < MEMBER_PREAMBLE.length) return [];
      if (!this.pending.subarray(0, MEMBER_PREAMBLE.length).equals(MEMBER_PREAMBLE)) {
        throw new WireError('bad member preamble');
      }
      this.preambleSeen = true;
      this.pending = this.pending.subarray(MEMBER_PREAMBLE.length);
    }
    const out: WireFrame[] = [];
    let o = 0;
    while (this.pending.length - o >= LENGTH_BYTES) {
      const size = this.pending.readUInt32BE(o);
      if (size > this.maxFrameBytes) {
        throw new WireError(`frame of ${size} bytes exceeds the limit of ${this.maxFrameBytes}`);
      }
      if (this.pending.length - o - LENGTH_BYTES < size) break;
      out.push(decodeBody(this.pending.subarray(o + LENGTH_BYTES, o + LENGTH_BYTES + size)));
      o += LENGTH_BYTES + size;
    }
    // Copy the remainder so decoded frames do not pin a large chunk, and the next concat is small.
    this.pending = o === 0 ? this.pending : Buffer.from(this.pending.subarray(o));
    return out;
  }
}
