/**
 * Near-cache invalidation listeners of connected clients (Map.AddNearCacheInvalidationListener)
 * and the events sent to them (spec §3.3, §6.4).
 *
 * Delivery rules: an event goes out on the registration's connection with the registration's
 * correlation id; `localOnly` registrations (smart clients) only get partitions this member owns,
 * so each client hears of a change once, on the owner's connection. Events are written as they
 * happen; with `batchMaxDelayMillis > 0` key invalidations are held per registration for at
 * most that long (or until `batchSize`), and a clear always flushes the batch first so that each
 * registration sees a (map, partition)'s sequences in order.
 */
import type { Invalidation } from '../nearcache/invalidation.js';
import { FRAME_HEADER_BYTES } from './frame.js';
import { uuidListFrame, writeUuid } from './codecs.js';
import { MessageBuilder, Offset } from './message.js';
import { MapMessageType } from './message-types.js';

export interface ListenerConnection {
  readonly id: number;
  send(buf: Buffer): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

interface Registration {
  id: string;
  map: string;
  conn: ListenerConnection;
  correlation: bigint;
  localOnly: boolean;
  batch: Invalidation[];
  timer: unknown;
}

export interface NearCacheListenerOptions {
  isLocalPartition(partitionId: number): boolean;
  batchMaxDelayMillis: number;
  batchSize: number;
  timers?: Timers;
  /** Count of events written per map (metrics). */
  onSent?(map: string, count: number): void;
}

const CORRELATION_AT = FRAME_HEADER_BYTES + Offset.CORRELATION_ID;

/** IMapInvalidation event (0x013F02) for one invalidation. */
export function encodeInvalidationEvent(inv: Invalidation, correlation: bigint): Buffer {
  const b = MessageBuilder.event(
    MapMessageType.INVALIDATION_EVENT,
    correlation,
    inv.partitionId,
    42,
  );
  const c = b.initial;
  writeUuid(c, 16, inv.sourceUuid);
  writeUuid(c, 33, inv.partitionUuid);
  c.writeBigInt64LE(BigInt(inv.sequence), 50);
  if (inv.key) b.frame(inv.key);
  else b.nullFrame();
  return b.build();
}

/** IMapBatchInvalidation event (0x013F03); keys must all be non-null. */
export function encodeBatchInvalidationEvent(
  invs: readonly Invalidation[],
  correlation: bigint,
): Buffer {
  const b = MessageBuilder.event(MapMessageType.BATCH_INVALIDATION_EVENT, correlation, -1);
  b.begin();
  for (const inv of invs) b.frame(inv.key!);
  b.end();
  b.frame(uuidListFrame(invs.map((i) => i.sourceUuid)));
  b.frame(uuidListFrame(invs.map((i) => i.partitionUuid)));
  const seqs = Buffer.allocUnsafe(invs.length * 8);
  invs.forEach((inv, i) => seqs.writeBigInt64LE(BigInt(inv.sequence), i * 8));
  b.frame(seqs);
  return b.build();
}

/** Copy an encoded event with another registration's correlation id. */
function withCorrelation(encoded: Buffer, correlation: bigint): Buffer {
  const copy = Buffer.from(encoded);
  copy.writeBigInt64LE(correlation, CORRELATION_AT);
  return copy;
}

export class NearCacheListeners {
  private readonly byMap = new Map<string, Set<Registration>>();
  private readonly byId = new Map<string, Registration>();
  private readonly timers: Timers;

  constructor(private readonly opts: NearCacheListenerOptions) {
    this.timers = opts.timers ?? realTimers;
  }

  get size(): number {
    return this.byId.size;
  }

  add(
    conn: ListenerConnection,
    map: string,
    correlation: bigint,
    localOnly: boolean,
    id: string,
  ): void {
    const reg: Registration = {
      id,
      map,
      conn,
      correlation,
      localOnly,
      batch: [],
      timer: undefined,
    };
    this.byId.set(id, reg);
    let set = this.byMap.get(map);
    if (!set) this.byMap.set(map, (set = new Set()));
    set.add(reg);
  }

  /** Send one event to a single registration (the clear right after registering, spec §6.4 SHOULD 2). */
  sendTo(id: string, inv: Invalidation): void {
    const reg = this.byId.get(id);
    if (reg) this.sendOne(reg, encodeInvalidationEvent(inv, reg.correlation), inv.map);
  }

  remove(id: string): boolean {
    const reg = this.byId.get(id);
    if (!reg) return false;
    this.drop(reg);
    return true;
  }

  removeConnection(conn: ListenerConnection): void {
    for (const reg of [...this.byId.values()]) if (reg.conn === conn) this.drop(reg);
  }

  deliver(inv: Invalidation): void {
    const regs = this.byMap.get(inv.map);
    if (!regs || regs.size === 0) return;
    const local = this.opts.isLocalPartition(inv.partitionId);
    const batching = this.opts.batchMaxDelayMillis > 0;
    let encoded: Buffer | undefined;
    for (const reg of regs) {
      if (reg.localOnly && !local) continue;
      if (batching && inv.key) {
        this.enqueue(reg, inv);
        continue;
      }
      if (batching) this.flush(reg);
      encoded = encoded
        ? withCorrelation(encoded, reg.correlation)
        : encodeInvalidationEvent(inv, reg.correlation);
      this.sendOne(reg, encoded, inv.map);
    }
  }

  /** Flush every pending batch (shutdown, tests). */
  flushAll(): void {
    for (const reg of this.byId.values()) this.flush(reg);
  }

  private enqueue(reg: Registration, inv: Invalidation): void {
    reg.batch.push(inv);
    if (reg.batch.length >= this.opts.batchSize) this.flush(reg);
    else if (reg.timer === undefined) {
      reg.timer = this.timers.setTimeout(() => {
        reg.timer = undefined;
        this.flush(reg);
      }, this.opts.batchMaxDelayMillis);
    }
  }

  private flush(reg: Registration): void {
    if (reg.timer !== undefined) {
      this.timers.clearTimeout(reg.timer);
      reg.timer = undefined;
    }
    if (reg.batch.length === 0) return;
    const batch = reg.batch;
    reg.batch = [];
    const buf =
      batch.length === 1
        ? encodeInvalidationEvent(batch[0], reg.correlation)
        : encodeBatchInvalidationEvent(batch, reg.correlation);
    reg.conn.send(buf);
    this.opts.onSent?.(reg.map, batch.length);
  }

  private sendOne(reg: Registration, buf: Buffer, map: string): void {
    reg.conn.send(buf);
    this.opts.onSent?.(map, 1);
  }

  private drop(reg: Registration): void {
    if (reg.timer !== undefined) this.timers.clearTimeout(reg.timer);
    this.byId.delete(reg.id);
    this.byMap.get(reg.map)?.delete(reg);
  }
}
