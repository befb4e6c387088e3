import { describe, expect, it } from '@jest/globals';
import {
  ClientConnection,
  MAX_IN_FLIGHT,
  type Reply,
  type Request,
  type RequestDispatcher,
  type Transport,
} from '../../../cache-node/src/protocol/connection.js';
import { CLIENT_PREAMBLE } from '../../../cache-node/src/protocol/frame.js';
import { MessageBuilder } from '../../../cache-node/src/protocol/message.js';
import { encodeAuth, request } from './frames.js';

/** A transport whose congestion the test controls. */
class ControlledTransport implements Transport {
  readonly remote = 't';
  congestedNow = false;
  paused = false;
  written: Buffer[] = [];
  write(buf: Buffer): void {
    this.written.push(buf);
  }
  close(): void {}
  congested(): boolean {
    return this.congestedNow;
  }
  pauseReading(): void {
    this.paused = true;
  }
  resumeReading(): void {
    this.paused = false;
  }
}

/** Authenticates everyone; answers other requests synchronously or when the test releases them. */
class Dispatcher implements RequestDispatcher {
  dispatched: bigint[] = [];
  held: ((r: Reply) => void)[] = [];
  hold = false;
  dispatch(conn: ClientConnection, req: Request): Reply | Promise<Reply> {
    this.dispatched.push(req.correlation);
    const reply = MessageBuilder.response(req.type + 1, req.correlation).build();
    if (req.type === 0x100) {
      conn.markAuthenticated('00000000-0000-4000-8000-000000000001', 'c');
      return reply;
    }
    if (!this.hold) return reply;
    return new Promise<Reply>((resolve) => this.held.push(() => resolve(reply)));
  }
  violation(): void {}
  closed(): void {}
}

const ping = (corr: bigint) => request(0x000b00, corr, -1, Buffer.alloc(0), []);
const flush = () => new Promise((r) => setImmediate(r));

function setup() {
  const t = new ControlledTransport();
  const d = new Dispatcher();
  const conn = new ClientConnection(t, d, { maxFrameBytes: 1 << 16, maxMessageBytes: 1 << 18 }, 0);
  conn.receive(Buffer.concat([CLIENT_PREAMBLE, encodeAuth({ correlation: 0n })]));
  d.dispatched = [];
  t.written = [];
  return { t, d, conn };
}

describe('ClientConnection backpressure', () => {
  it('stops dispatching and reading while the peer is congested, resumes on drain', () => {
    const { t, d, conn } = setup();
    t.congestedNow = true;
    conn.receive(Buffer.concat([ping(1n), ping(2n), ping(3n)]));
    expect(d.dispatched).toEqual([]);
    expect(t.paused).toBe(true);
    t.congestedNow = false;
    conn.drained();
    expect(d.dispatched).toEqual([1n, 2n, 3n]);
    expect(t.written).toHaveLength(3);
    expect(t.paused).toBe(false);
  });

  it('bounds requests in flight, continuing as responses complete', async () => {
    const { t, d, conn } = setup();
    d.hold = true;
    const many = Array.from({ length: MAX_IN_FLIGHT + 10 }, (_, i) => ping(BigInt(i + 1)));
    conn.receive(Buffer.concat(many));
    expect(d.dispatched).toHaveLength(MAX_IN_FLIGHT);
    expect(t.paused).toBe(true);
    d.held.splice(0, 10).forEach((release) => release(Buffer.alloc(0)));
    await flush();
    expect(d.dispatched).toHaveLength(MAX_IN_FLIGHT + 10);
    expect(t.paused).toBe(false);
  });
});
