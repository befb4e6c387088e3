/**
 * One member-to-member TCP connection: frames both ways, pipelined requests matched to responses
 * by id, one-way messages, bounded write buffering. Knows nothing of what the messages mean.
 */
import type { Socket } from 'node:net';
import {
  encodeFrame,
  FrameDecoder,
  FrameKind,
  MEMBER_PREAMBLE,
  type Header,
  type WireFrame,
} from './wire.js';

export interface Message {
  header: Header;
  buffers: Buffer[];
}

/** An error the remote member reported for a request; `retryable` tells a caller it may try again. */
export class RemoteError extends Error {
  override readonly name = 'RemoteError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The connection closed (or timed out) before the response arrived. */
export class ChannelClosedError extends Error {
  override readonly name = 'ChannelClosedError';
}

export interface ChannelHandlers {
  onRequest(msg: Message): Promise<Message> | Message;
  onOneWay(msg: Message): void;
  onClose(reason: string): void;
}

export interface ChannelOptions {
  maxFrameBytes: number;
  /** Close the connection when this many bytes are queued unsent (a stuck peer). */
  maxQueuedBytes: number;
  requestTimeoutMs: number;
}

interface Pending {
  resolve(m: Message): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

export class Channel {
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private corked = false;
  handlers: ChannelHandlers | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly opts: ChannelOptions,
    role: 'outbound' | 'inbound',
    initial?: Buffer,
  ) {
    socket.setNoDelay(true);
    this.decoder = new FrameDecoder(opts.maxFrameBytes, role === 'inbound');
    if (role === 'outbound') socket.write(MEMBER_PREAMBLE);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.close(`socket error: ${err.message}`));
    socket.on('close', () => this.close('connection closed'));
    if (initial && initial.length > 0) queueMicrotask(() => this.onData(initial));
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  get remoteAddress(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  request(header: Header, buffers: Buffer[] = [], timeoutMs = this.opts.requestTimeoutMs) {
    return new Promise<Message>((resolve, reject) => {
      if (this.closed) {
        reject(new ChannelClosedError('connection to member is closed'));
        return;
      }
      const id = this.nextId;
      this.nextId = (this.nextId + 1) >>> 0 || 1;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new ChannelClosedError(`member did not answer "${String(header.op)}" in ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.write({ kind: FrameKind.REQUEST, id, header, buffers });
    });
  }

  send(header: Header, buffers: Buffer[] = []): void {
    if (!this.closed) this.write({ kind: FrameKind.ONE_WAY, id: 0, header, buffers });
  }

  close(reason = 'closed locally'): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new ChannelClosedError(`connection to member lost: ${reason}`));
    }
    this.pending.clear();
    this.handlers?.onClose(reason);
  }

  private write(frame: WireFrame): void {
    // Frames written in one turn of the event loop leave in one segment (fewer syscalls and
    // packets under load); noDelay still sends them at the end of the turn, not 40 ms later.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(encodeFrame(frame));
    if (this.socket.writableLength > this.opts.maxQueuedBytes) {
      this.close(`more than ${this.opts.maxQueuedBytes} bytes queued for a member`);
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames: WireFrame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.close(`bad frame: ${(err as Error).message}`);
      return;
    }
    for (const f of frames) this.dispatch(f);
  }

  private dispatch(f: WireFrame): void {
    if (f.kind === FrameKind.RESPONSE || f.kind === FrameKind.ERROR) {
      const p = this.pending.get(f.id);
      if (!p) return;
      this.pending.delete(f.id);
      clearTimeout(p.timer);
      if (f.kind === FrameKind.RESPONSE) p.resolve({ header: f.header, buffers: f.buffers });
      else
        p.reject(
          new RemoteError(
            String(f.header.message),
            f.header.retryable === true,
            typeof f.header.code === 'string' ? f.header.code : undefined,
          ),
        );
      return;
    }
    if (!this.handlers) {
      this.close('message before the handshake completed');
      return;
    }
    if (f.kind === FrameKind.ONE_WAY) {
      this.handlers.onOneWay({ header: f.header, buffers: f.buffers });
      return;
    }
    void this.answer(f.id, { header: f.header, buffers: f.buffers });
  }

  private async answer(id: number, msg: Message): Promise<void> {
    try {
      const res = await this.handlers!.onRequest(msg);
      if (!this.closed) this.write({ kind: FrameKind.RESPONSE, id, ...res });
    } catch (err) {
      if (this.closed) return;
      const e = err as Error & { retryable?: boolean; code?: string };
      this.write({
        kind: FrameKind.ERROR,
        id,
        header: {
          message: e.message,
          retryable: e.retryable === true,
          ...(e.code ? { code: e.code } : { code: e.name }),
        },
        buffers: [],
      });
    }
  }
}
