/**
 * The socket adapter: a net.Server whose sockets become ClientConnections. Everything about
 * sockets lives here: Nagle off (small responses would otherwise stall ~40 ms), replies written in
 * few, growing groups (reply-batcher.ts), bounded write buffers (stop reading a client whose
 * responses pile up past `writeBufferBytes`, close it at 4×), a connection cap, and a hook for
 * connections that open with another preamble (the cluster's member transport shares the port).
 */
import net from 'node:net';
import { ClientConnection, type Transport } from './connection.js';
import { CLIENT_PREAMBLE, PREAMBLE_BYTES } from './frame.js';
import type { ProtocolService } from './protocol-service.js';
import { silentLogger, type ProtocolLogger } from './observability.js';
import { DEFAULT_REPLY_BATCHING, ReplyBatcher } from './reply-batcher.js';

export interface ProtocolServerOptions {
  host: string;
  port: number;
  maxConnections: number;
  maxFrameBytes: number;
  writeBufferBytes: number;
  logger?: ProtocolLogger;
  /** When replies are written (tests and tuning; default DEFAULT_REPLY_BATCHING). */
  replyBatching?: { firstFlush: number; growth: number; maxHops: number };
  /**
   * A connection whose first 3 bytes are not `CP2` is offered here first (e.g. the cluster's
   * member transport); return true to take ownership of the socket (the bytes read so far are
   * passed along). Otherwise it is closed as a bad preamble.
   */
  onOtherPreamble?: (socket: net.Socket, firstBytes: Buffer) => boolean;
}

export class ProtocolServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly logger: ProtocolLogger;
  private service: ProtocolService | undefined;

  /** Call `serve(service)` before or right after `listen()`; sockets accepted before it are closed. */
  constructor(private readonly opts: ProtocolServerOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server.maxConnections = opts.maxConnections;
    this.server.on('drop', (d?: { remoteAddress?: string }) =>
      this.logger.warn('connection refused: maxConnections reached', { remote: d?.remoteAddress }),
    );
  }

  serve(service: ProtocolService): this {
    this.service = service;
    return this;
  }

  async listen(): Promise<{ host: string; port: number }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address() as net.AddressInfo;
    return { host: addr.address, port: addr.port };
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.service?.closeAll();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private accept(socket: net.Socket): void {
    const service = this.service;
    if (!service) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', (err) => this.logger.debug('client socket error', { error: err.message }));
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    // Peek at the preamble before choosing who owns the socket.
    let head = Buffer.alloc(0);
    const onFirst = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      if (head.length < PREAMBLE_BYTES) return;
      socket.off('data', onFirst);
      if (!head.subarray(0, PREAMBLE_BYTES).equals(CLIENT_PREAMBLE) && this.opts.onOtherPreamble) {
        socket.pause();
        if (this.opts.onOtherPreamble(socket, head)) return;
        socket.resume();
      }
      this.attach(service, socket, remote).receive(head);
    };
    socket.on('data', onFirst);
  }

  private attach(service: ProtocolService, socket: net.Socket, remote: string): ClientConnection {
    const limit = this.opts.writeBufferBytes;
    const batching = this.opts.replyBatching ?? DEFAULT_REPLY_BATCHING;
    const replies = new ReplyBatcher({
      ...batching,
      // Only consulted from a scheduled turn, i.e. after `conn` below exists.
      repliesPending: () => conn.repliesPending,
      write: (buf) => {
        if (!socket.destroyed) socket.write(buf);
      },
      schedule: queueMicrotask,
    });
    const transport: Transport = {
      remote,
      // Backpressure: the connection stops dispatching (and reading) while this holds, and
      // continues on 'drain'.
      congested: () => socket.writableLength + replies.pendingBytes > limit,
      pauseReading: () => socket.pause(),
      resumeReading: () => socket.resume(),
      write: (buf, kind) => {
        if (socket.destroyed) return;
        if (
          kind === 'event' &&
          socket.writableLength + replies.pendingBytes + buf.length > 4 * limit
        ) {
          this.logger.warn('closing slow client: write buffer over limit', {
            remote,
            bytes: socket.writableLength + replies.pendingBytes + buf.length,
          });
          replies.discard();
          socket.destroy();
          return;
        }
        replies.push(buf);
      },
      close: () => {
        replies.flushNow();
        socket.end();
        // A peer that never reads would keep the socket half-open: give it a moment, then destroy.
        setTimeout(() => socket.destroy(), 1000).unref();
      },
    };
    const conn = new ClientConnection(
      transport,
      service,
      { maxFrameBytes: this.opts.maxFrameBytes, maxMessageBytes: 4 * this.opts.maxFrameBytes },
      Date.now(),
    );
    service.opened(conn);
    socket.on('drain', () => conn.drained());
    socket.on('data', (chunk: Buffer) => conn.receive(chunk));
    socket.on('close', () => conn.close());
    return conn;
  }
}
