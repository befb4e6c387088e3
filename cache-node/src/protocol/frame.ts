/**
 * Frames of the Hazelcast Open Binary Client Protocol 2.x and a socket-free decoder.
 *
 * A frame is `int32 LE length (header included) | uint16 LE flags | content`. A message is the
 * frames up to and including the first one flagged IS_FINAL. The decoder is fed arbitrary chunks
 * (TCP segmentation is arbitrary) and hands out whole messages; it never throws for bad input:
 * it reports one violation and stops, so the caller closes that connection only.
 */

export const FRAME_HEADER_BYTES = 6;

export const Flags = {
  BEGIN_FRAGMENT: 0x8000,
  END_FRAGMENT: 0x4000,
  /** Set on the initial frame of every unfragmented message (the client treats others as fragments). */
  UNFRAGMENTED: 0xc000,
  IS_FINAL: 0x2000,
  BEGIN_DATA_STRUCTURE: 0x1000,
  END_DATA_STRUCTURE: 0x0800,
  IS_NULL: 0x0400,
  IS_EVENT: 0x0200,
  IS_BACKUP_AWARE: 0x0100,
  IS_BACKUP_EVENT: 0x0080,
} as const;

export interface Frame {
  flags: number;
  content: Buffer;
}

/** The frames of one message, the initial frame first. */
export type Message = Frame[];

export const CLIENT_PREAMBLE = Buffer.from('CP2', 'ascii');
export const PREAMBLE_BYTES = 3;

export type ViolationReason = 'bad_preamble' | 'malformed_frame' | 'frame_too_large';

export interface Violation {
  reason: ViolationReason;
  detail: string;
}

export interface DecoderOptions {
  /** Largest frame accepted, header included. */
  maxFrameBytes: number;
  /** Largest message accepted (sum of its frames, after fragment reassembly). */
  maxMessageBytes: number;
  /**
   * Expect a 3-byte preamble first. `accept` decides whether it is acceptable; by default only
   * `CP2` is. (The cluster multiplexes member connections by preamble on the same port.)
   */
  preamble?: 'CP2' | 'none';
}

interface FragmentState {
  frames: Frame[];
  bytes: number;
}

/**
 * Incremental decoder: `push(chunk)` returns the messages completed by that chunk, or a
 * violation after which the decoder refuses further input. Memory is bounded by maxFrameBytes
 * (pending bytes) and maxMessageBytes (frames of an incomplete message, and of reassembled
 * fragments).
 */
export class MessageDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private needPreamble: boolean;
  private frames: Frame[] = [];
  private messageBytes = 0;
  private readonly fragments = new Map<bigint, FragmentState>();
  private violation: Violation | undefined;

  constructor(private readonly opts: DecoderOptions) {
    this.needPreamble = (opts.preamble ?? 'CP2') === 'CP2';
  }

  get failed(): Violation | undefined {
    return this.violation;
  }

  /** Bytes held while waiting for the rest of a frame or message (for tests of boundedness). */
  get heldBytes(): number {
    return this.buffered + this.messageBytes;
  }

  push(chunk: Buffer, out: Message[] = []): { messages: Message[]; violation?: Violation } {
    if (this.violation) return { messages: out, violation: this.violation };
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    if (this.needPreamble) {
      if (this.buffered < PREAMBLE_BYTES) return { messages: out };
      const buf = this.take(PREAMBLE_BYTES);
      if (!buf.equals(CLIENT_PREAMBLE)) {
        return this.fail(out, 'bad_preamble', `expected "CP2", got 0x${buf.toString('hex')}`);
      }
      this.needPreamble = false;
    }
    while (this.buffered >= FRAME_HEADER_BYTES) {
      const head = this.peekHeader();
      const length = head.readInt32LE(0);
      if (length < FRAME_HEADER_BYTES) {
        return this.fail(
          out,
          'malformed_frame',
          `frame length ${length} is below ${FRAME_HEADER_BYTES}`,
        );
      }
      if (length > this.opts.maxFrameBytes) {
        return this.fail(
          out,
          'frame_too_large',
          `frame of ${length} bytes exceeds the limit of ${this.opts.maxFrameBytes}`,
        );
      }
      if (this.buffered < length) break;
      const frameBytes = this.take(length);
      const flags = frameBytes.readUInt16LE(4);
      const frame: Frame = { flags, content: frameBytes.subarray(FRAME_HEADER_BYTES) };
      this.messageBytes += length;
      if (this.messageBytes > this.opts.maxMessageBytes) {
        return this.fail(
          out,
          'frame_too_large',
          `message exceeds the limit of ${this.opts.maxMessageBytes} bytes`,
        );
      }
      this.frames.push(frame);
      if (flags & Flags.IS_FINAL) {
        const message = this.frames;
        this.frames = [];
        this.messageBytes = 0;
        const v = this.completeMessage(message, out);
        if (v) return this.fail(out, v.reason, v.detail);
      }
    }
    return { messages: out };
  }

  /** Unfragmented messages go out as they are; fragments are reassembled (bounded). */
  private completeMessage(message: Message, out: Message[]): Violation | undefined {
    const first = message[0];
    if ((first.flags & Flags.UNFRAGMENTED) === Flags.UNFRAGMENTED) {
      out.push(message);
      return undefined;
    }
    // Fragment: the first frame holds the 8-byte fragmentation id; the rest is payload.
    if (first.content.length < 8) {
      return { reason: 'malformed_frame', detail: 'fragment without a fragmentation id' };
    }
    const id = first.content.readBigInt64LE(0);
    const payload = message.slice(1);
    const bytes = payload.reduce((n, f) => n + f.content.length + FRAME_HEADER_BYTES, 0);
    if (first.flags & Flags.BEGIN_FRAGMENT) {
      if (this.fragments.size >= 16) {
        return { reason: 'malformed_frame', detail: 'too many fragmented messages in flight' };
      }
      this.fragments.set(id, { frames: payload, bytes });
    } else {
      const state = this.fragments.get(id);
      if (!state) return { reason: 'malformed_frame', detail: `unknown fragment id ${id}` };
      state.frames.push(...payload);
      state.bytes += bytes;
      if (state.bytes > this.opts.maxMessageBytes) {
        return { reason: 'frame_too_large', detail: 'fragmented message exceeds the limit' };
      }
    }
    if (first.flags & Flags.END_FRAGMENT) {
      const state = this.fragments.get(id)!;
      this.fragments.delete(id);
      if (state.frames.length === 0) return { reason: 'malformed_frame', detail: 'empty message' };
      out.push(state.frames);
    }
    return undefined;
  }

  private fail(
    out: Message[],
    reason: ViolationReason,
    detail: string,
  ): { messages: Message[]; violation: Violation } {
    this.violation = { reason, detail };
    this.chunks = [];
    this.buffered = 0;
    this.frames = [];
    this.messageBytes = 0;
    this.fragments.clear();
    return { messages: out, violation: this.violation };
  }

  private peekHeader(): Buffer {
    const first = this.chunks[0];
    if (first.length >= FRAME_HEADER_BYTES) return first;
    return this.merge(FRAME_HEADER_BYTES);
  }

  /** Merge leading chunks until the first holds at least n bytes (n <= buffered). */
  private merge(n: number): Buffer {
    let size = 0;
    let count = 0;
    while (size < n) size += this.chunks[count++].length;
    const merged = Buffer.concat(this.chunks.slice(0, count), size);
    this.chunks.splice(0, count, merged);
    return merged;
  }

  /** Remove and return the next n bytes (n <= buffered); a view when they sit in one chunk. */
  private take(n: number): Buffer {
    let first = this.chunks[0];
    if (first.length < n) first = this.merge(n);
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }
}

/** Serialize frames into one buffer: 0xC000 on the initial frame is the caller's job; IS_FINAL is added to the last. */
export function encodeMessage(frames: readonly Frame[]): Buffer {
  let size = 0;
  for (const f of frames) size += FRAME_HEADER_BYTES + f.content.length;
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  frames.forEach((f, i) => {
    out.writeInt32LE(FRAME_HEADER_BYTES + f.content.length, pos);
    const flags = i === frames.length - 1 ? f.flags | Flags.IS_FINAL : f.flags & ~Flags.IS_FINAL;
    out.writeUInt16LE(flags, pos + 4);
    f.content.copy(out, pos + FRAME_HEADER_BYTES);
    pos += FRAME_HEADER_BYTES + f.content.length;
  });
  return out;
}
