/**
 * When queued replies go to the socket. Socket-free (the adapter injects `write` and the
 * scheduler), so the policy is unit-tested without sockets.
 *
 * Replies to one read batch are built in one synchronous pass (cached reads) or a few microtasks
 * apart. Writing each reply alone costs a syscall per reply, and on loopback a write is the most
 * expensive thing the node does per request; writing the whole batch at once makes client and
 * node take turns instead of working at the same time. So the first `firstFlush` replies go out
 * at once (the client starts on them), then groups that grow by `growth` (few writes per batch),
 * and whatever is left once the batch's replies are built shares one write, scheduled as a
 * microtask (not setImmediate, which waits for the event loop's check phase) and waiting a
 * bounded number of turns for replies still in progress.
 */

export interface ReplyBatcherOptions {
  /** Replies written at once, before the rest of the batch is built. */
  firstFlush: number;
  /** Each further early write within a batch is this many times larger than the previous. */
  growth: number;
  /** Microtask turns the final write waits for replies still being built. */
  maxHops: number;
  /** Requests dispatched whose reply is not yet queued. */
  repliesPending(): number;
  /** The socket write (one buffer per call). */
  write(buf: Buffer): void;
  /** queueMicrotask in production; a manual queue in tests. */
  schedule(fn: () => void): void;
}

/**
 * 8, then 32, then the rest: measured at 64 requests in flight with hazelcast-client against
 * 4/8/16/… and 16/rest, interleaved in one run (docs/protocol.md).
 */
export const DEFAULT_REPLY_BATCHING = { firstFlush: 8, growth: 4, maxHops: 16 } as const;

export class ReplyBatcher {
  private pending: Buffer[] = [];
  private bytes = 0;
  private scheduled = false;
  private hops = 0;
  private flushAt: number;

  constructor(private readonly opts: ReplyBatcherOptions) {
    this.flushAt = opts.firstFlush;
  }

  /** Bytes queued and not yet handed to the socket. */
  get pendingBytes(): number {
    return this.bytes;
  }

  push(buf: Buffer): void {
    this.pending.push(buf);
    this.bytes += buf.length;
    if (this.pending.length >= this.flushAt) {
      this.flushNow();
      this.flushAt = Math.max(1, Math.ceil(this.flushAt * this.opts.growth));
    }
    if (!this.scheduled) {
      this.scheduled = true;
      this.opts.schedule(this.onTurn);
    }
  }

  /** Write everything queued now (closing, or an early group). */
  flushNow(): void {
    if (this.pending.length === 0) return;
    const out =
      this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.bytes);
    this.pending = [];
    this.bytes = 0;
    this.opts.write(out);
  }

  /** Forget what is queued (the connection is being destroyed). */
  discard(): void {
    this.pending = [];
    this.bytes = 0;
  }

  private readonly onTurn = (): void => {
    if (this.opts.repliesPending() > 0 && this.hops < this.opts.maxHops) {
      this.hops++;
      this.opts.schedule(this.onTurn);
      return;
    }
    // The batch is complete (or waited long enough): the next one starts small again.
    this.hops = 0;
    this.scheduled = false;
    this.flushAt = this.opts.firstFlush;
    this.flushNow();
  };
}
