/**
 * One client connection, without the socket: bytes in (`receive`), bytes out through a
 * Transport. It enforces the connection rules (preamble, frame limits, authentication first)
 * and guarantees exactly one response per request; what each request does is the
 * RequestDispatcher's business.
 */
import { MessageDecoder, type Message } from './frame.js';
import { correlationId, messageType, partitionId, REQUEST_HEADER_BYTES } from './message.js';
import { ClientMessageType, hex } from './message-types.js';
import type { ListenerConnection } from './near-cache-listeners.js';
import type { ProtocolErrorReason } from './observability.js';

export interface Transport {
  /**
   * Queue bytes for the peer. Responses are bounded by MAX_IN_FLIGHT; events are not (a change
   * flood to a peer that does not read), so the adapter closes a peer whose queue grows past its
   * hard limit through events.
   */
  write(buf: Buffer, kind: 'response' | 'event'): void;
  /** True while more than the write-buffer limit is queued: dispatch no more requests. */
  congested(): boolean;
  /** Stop / restart reading from the peer (backpressure). */
  pauseReading(): void;
  resumeReading(): void;
  /** Close after flushing what is queued. */
  close(): void;
  readonly remote: string;
}

export interface Request {
  message: Message;
  type: number;
  correlation: bigint;
  partitionId: number;
}

/** A response, and optionally what to do right after it is queued (events that must follow it). */
export type Reply = Buffer | { response: Buffer; after(): void };

export interface RequestDispatcher {
  /** Must not throw; must produce exactly one reply (an error response included). */
  dispatch(conn: ClientConnection, req: Request): Reply | Promise<Reply>;
  /** The connection broke a rule and is being closed. */
  violation(conn: ClientConnection, reason: ProtocolErrorReason, detail: string): void;
  closed(conn: ClientConnection): void;
}

let nextConnectionId = 1;

/** Requests dispatched but not yet answered, per connection: bounds the responses being built. */
export const MAX_IN_FLIGHT = 1024;

export class ClientConnection implements ListenerConnection {
  readonly id = nextConnectionId++;
  /** Set once authenticated. */
  clientUuid: string | undefined;
  clientName: string | undefined;
  private authenticating = false;
  private readonly decoder: MessageDecoder;
  private open = true;
  readonly openedAt: number;
  /** Decoded requests waiting for the peer to drain its responses (backpressure). */
  private backlog: Message[] = [];
  private backlogAt = 0;
  private inFlight = 0;
  private readingPaused = false;

  constructor(
    readonly transport: Transport,
    private readonly dispatcher: RequestDispatcher,
    limits: { maxFrameBytes: number; maxMessageBytes: number },
    now: number,
  ) {
    this.decoder = new MessageDecoder({ ...limits, preamble: 'CP2' });
    this.openedAt = now;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Requests dispatched whose reply is not yet queued (lets the transport batch its writes). */
  get repliesPending(): number {
    return this.inFlight;
  }

  get authenticated(): boolean {
    return this.clientUuid !== undefined;
  }

  receive(chunk: Buffer): void {
    if (!this.open) return;
    const { messages, violation } = this.decoder.push(chunk, this.backlog);
    if (violation) {
      this.reject(violation.reason, violation.detail);
      return;
    }
    if (messages.length > this.backlogAt) this.pump();
  }

  /** The peer drained its responses: continue with waiting requests. */
  drained(): void {
    this.pump();
  }

  /** Dispatch waiting requests while the peer keeps up; pause reading while it does not. */
  private pump(): void {
    while (
      this.open &&
      this.backlogAt < this.backlog.length &&
      this.inFlight < MAX_IN_FLIGHT &&
      !this.transport.congested()
    ) {
      this.handle(this.backlog[this.backlogAt++]);
    }
    if (this.backlogAt >= this.backlog.length) {
      this.backlog = [];
      this.backlogAt = 0;
      if (this.readingPaused && this.open) {
        this.readingPaused = false;
        this.transport.resumeReading();
      }
    } else if (!this.readingPaused && this.open) {
      this.readingPaused = true;
      this.transport.pauseReading();
    }
  }

  /** Send an event (listeners, cluster view). */
  send(buf: Buffer): void {
    if (this.open) this.transport.write(buf, 'event');
  }

  /** Close this connection because it broke a rule (logged and counted by the dispatcher). */
  reject(reason: ProtocolErrorReason, detail: string): void {
    if (!this.open) return;
    this.dispatcher.violation(this, reason, detail);
    this.close();
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.transport.close();
    this.dispatcher.closed(this);
  }

  /** Called by the dispatcher once authentication succeeded. */
  markAuthenticated(clientUuid: string, clientName: string): void {
    this.clientUuid = clientUuid;
    this.clientName = clientName;
  }

  private handle(m: Message): void {
    if (m[0].content.length < REQUEST_HEADER_BYTES) {
      this.reject('malformed_frame', `initial frame of ${m[0].content.length} bytes is too short`);
      return;
    }
    const type = messageType(m);
    const isAuth =
      type === ClientMessageType.AUTHENTICATION || type === ClientMessageType.AUTHENTICATION_CUSTOM;
    if (!this.authenticated && !(isAuth && !this.authenticating)) {
      this.reject('unauthenticated', `request ${hex(type)} before authentication`);
      return;
    }
    if (isAuth) this.authenticating = true;
    const req: Request = {
      message: m,
      type,
      correlation: correlationId(m),
      partitionId: partitionId(m),
    };
    this.inFlight++;
    const reply = this.dispatcher.dispatch(this, req);
    if (reply instanceof Promise) {
      // dispatch() never rejects (it turns failures into error responses); guard anyway.
      reply.then(
        (r) => this.deliver(r),
        () => this.close(),
      );
    } else this.deliver(reply);
  }

  private deliver(reply: Reply): void {
    this.inFlight--;
    if (!this.open) return;
    if (Buffer.isBuffer(reply)) this.transport.write(reply, 'response');
    else {
      this.transport.write(reply.response, 'response');
      reply.after();
    }
    if (this.readingPaused) this.pump();
  }
}
