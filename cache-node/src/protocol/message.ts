/**
 * Reading and building messages: a cursor over a message's frames (with the "peek for NULL /
 * END, skip to the matching END" moves every codec needs) and a builder that writes the request,
 * response and event headers with named offsets.
 */
import { encodeMessage, Flags, type Frame, type Message } from './frame.js';

/** Offsets inside the initial frame's content (spec §2.3). */
export const Offset = {
  TYPE: 0,
  CORRELATION_ID: 4,
  PARTITION_ID: 12,
  /** First fixed parameter of a request or event. */
  REQUEST_FIXED: 16,
  /** Responses carry a backup-acks byte at 12; their first fixed parameter is at 13. */
  RESPONSE_BACKUP_ACKS: 12,
  RESPONSE_FIXED: 13,
} as const;

export const REQUEST_HEADER_BYTES = 16;
export const RESPONSE_HEADER_BYTES = 13;
export const EVENT_HEADER_BYTES = 16;

/** The message body does not have the frames or sizes its type requires. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

const EMPTY = Buffer.alloc(0);

/** Sequential reader over a message's frames; codecs consume frames with it. */
export class FrameReader {
  private index = 1;

  constructor(readonly frames: Message) {
    if (frames.length === 0) throw new DecodeError('empty message');
  }

  get initial(): Buffer {
    return this.frames[0].content;
  }

  /** Require the initial frame to hold at least `bytes` (header + fixed fields). */
  requireInitial(bytes: number): Buffer {
    const c = this.initial;
    if (c.length < bytes) {
      throw new DecodeError(`initial frame has ${c.length} bytes, expected at least ${bytes}`);
    }
    return c;
  }

  hasNext(): boolean {
    return this.index < this.frames.length;
  }

  peek(): Frame | undefined {
    return this.frames[this.index];
  }

  next(): Frame {
    const f = this.frames[this.index];
    if (!f) throw new DecodeError('message ended before all its fields were read');
    this.index++;
    return f;
  }

  /** Consumes a NULL frame if one is next. */
  nextIsNull(): boolean {
    const f = this.peek();
    if (f && f.flags & Flags.IS_NULL) {
      this.index++;
      return true;
    }
    return false;
  }

  nextIsEnd(): boolean {
    const f = this.peek();
    return f !== undefined && (f.flags & Flags.END_DATA_STRUCTURE) !== 0;
  }

  expectBegin(): void {
    const f = this.next();
    if (!(f.flags & Flags.BEGIN_DATA_STRUCTURE)) throw new DecodeError('expected a BEGIN frame');
  }

  /** Skip to (and consume) the END frame matching an already consumed BEGIN. */
  skipToEnd(): void {
    let depth = 1;
    while (depth > 0) {
      const f = this.next();
      if (f.flags & Flags.END_DATA_STRUCTURE) depth--;
      else if (f.flags & Flags.BEGIN_DATA_STRUCTURE) depth++;
    }
  }
}

export function messageType(m: Message): number {
  return m[0].content.readInt32LE(Offset.TYPE);
}

export function correlationId(m: Message): bigint {
  return m[0].content.readBigInt64LE(Offset.CORRELATION_ID);
}

export function partitionId(m: Message): number {
  return m[0].content.readInt32LE(Offset.PARTITION_ID);
}

/** Builds one outgoing message. Frames are appended in codec order; `build()` serializes. */
export class MessageBuilder {
  readonly frames: Frame[];

  private constructor(initial: Buffer, flags: number) {
    this.frames = [{ flags, content: initial }];
  }

  /** The initial frame's content (write fixed fields at their offsets). */
  get initial(): Buffer {
    return this.frames[0].content;
  }

  static response(type: number, correlation: bigint, fixedBytes = 0): MessageBuilder {
    const c = Buffer.alloc(RESPONSE_HEADER_BYTES + fixedBytes);
    c.writeInt32LE(type, Offset.TYPE);
    c.writeBigInt64LE(correlation, Offset.CORRELATION_ID);
    // backup acks stay 0: this node acknowledges writes itself (spec §6.6).
    return new MessageBuilder(c, Flags.UNFRAGMENTED);
  }

  static event(
    type: number,
    correlation: bigint,
    partition: number,
    fixedBytes = 0,
  ): MessageBuilder {
    const c = Buffer.alloc(EVENT_HEADER_BYTES + fixedBytes);
    c.writeInt32LE(type, Offset.TYPE);
    c.writeBigInt64LE(correlation, Offset.CORRELATION_ID);
    c.writeInt32LE(partition, Offset.PARTITION_ID);
    return new MessageBuilder(c, Flags.UNFRAGMENTED | Flags.IS_EVENT);
  }

  static request(
    type: number,
    correlation: bigint,
    partition: number,
    fixedBytes = 0,
  ): MessageBuilder {
    const c = Buffer.alloc(REQUEST_HEADER_BYTES + fixedBytes);
    c.writeInt32LE(type, Offset.TYPE);
    c.writeBigInt64LE(correlation, Offset.CORRELATION_ID);
    c.writeInt32LE(partition, Offset.PARTITION_ID);
    return new MessageBuilder(c, Flags.UNFRAGMENTED);
  }

  frame(content: Buffer, flags = 0): this {
    this.frames.push({ flags, content });
    return this;
  }

  nullFrame(): this {
    return this.frame(EMPTY, Flags.IS_NULL);
  }

  begin(): this {
    return this.frame(EMPTY, Flags.BEGIN_DATA_STRUCTURE);
  }

  end(): this {
    return this.frame(EMPTY, Flags.END_DATA_STRUCTURE);
  }

  build(): Buffer {
    return encodeMessage(this.frames);
  }
}

// ---- direct encoders for the hot responses ----------------------------------------------------
// The same bytes as MessageBuilder.response(...) + build(), written into one buffer without the
// intermediate frame list (a cached read's response is built tens of thousands of times a second).

const RESPONSE_INITIAL_FRAME_BYTES = 6 + RESPONSE_HEADER_BYTES;

function writeResponseInitial(out: Buffer, type: number, correlation: bigint, flags: number): void {
  out.writeInt32LE(RESPONSE_INITIAL_FRAME_BYTES, 0);
  out.writeUInt16LE(flags, 4);
  out.writeInt32LE(type, 6 + Offset.TYPE);
  out.writeBigInt64LE(correlation, 6 + Offset.CORRELATION_ID);
  out[6 + Offset.RESPONSE_BACKUP_ACKS] = 0;
}

/** A response without parameters (e.g. Map.Set). */
export function encodeEmptyResponse(type: number, correlation: bigint): Buffer {
  const out = Buffer.allocUnsafe(RESPONSE_INITIAL_FRAME_BYTES);
  writeResponseInitial(out, type, correlation, Flags.UNFRAGMENTED | Flags.IS_FINAL);
  return out;
}

/** A response whose only parameter is a nullable Data frame (e.g. Map.Get, Map.Put). */
export function encodeNullableDataResponse(
  type: number,
  correlation: bigint,
  data: Buffer | null | undefined,
): Buffer {
  const dataBytes = data ? data.length : 0;
  const out = Buffer.allocUnsafe(RESPONSE_INITIAL_FRAME_BYTES + 6 + dataBytes);
  writeResponseInitial(out, type, correlation, Flags.UNFRAGMENTED);
  out.writeInt32LE(6 + dataBytes, RESPONSE_INITIAL_FRAME_BYTES);
  out.writeUInt16LE(
    data ? Flags.IS_FINAL : Flags.IS_NULL | Flags.IS_FINAL,
    RESPONSE_INITIAL_FRAME_BYTES + 4,
  );
  if (data) data.copy(out, RESPONSE_INITIAL_FRAME_BYTES + 6);
  return out;
}
