/**
 * The protocol's request handling for one member: authentication, the client service
 * (cluster view, ping, statistics, backup listener, proxies) and the IMap operations over a
 * MapService, plus near-cache listeners and metadata. Socket-free: connections are handed in by
 * the socket adapter (server.ts) or by tests.
 */
import {
  authenticate,
  AuthStatus,
  decodeAuthRequest,
  encodeAuthResponse,
  type Credentials,
} from './auth.js';
import { partitionsByMember, type ClusterView } from './cluster-view.js';
import {
  addDataEntryList,
  addDataList,
  addMemberInfo,
  addString,
  intListFrame,
  intLongEntryFrame,
  intUuidEntryFrame,
  newUuid,
  readData,
  readEntryList,
  readList,
  readString,
  readUuid,
  uuidListFrame,
  writeUuid,
} from './codecs.js';
import type { ClientConnection, Reply, Request, RequestDispatcher } from './connection.js';
import {
  encodeErrorResponse,
  ErrorCode,
  errorFor,
  ProtocolError,
  type ErrorKind,
} from './errors.js';
import { encodeMessage } from './frame.js';
import {
  encodeEmptyResponse,
  encodeNullableDataResponse,
  FrameReader,
  MessageBuilder,
  Offset,
  REQUEST_HEADER_BYTES,
} from './message.js';
import {
  ClientMessageType as C,
  hex,
  MapMessageType as M,
  responseTypeOf,
} from './message-types.js';
import { NearCacheListeners, type Timers } from './near-cache-listeners.js';
import { EntryListeners } from './entry-listeners.js';
import {
  noMetrics,
  silentLogger,
  type OperationName,
  type OperationResult,
  type ProtocolErrorReason,
  type ProtocolLogger,
  type ProtocolMetrics,
} from './observability.js';
import { SYNC_UNAVAILABLE, type MapService } from '../service/map-service.js';
import { TurnClock } from '../store/turn-clock.js';
import type { StoreApi, WriteOptions } from '../store/types.js';
import { PartitionSequences } from '../nearcache/partition-sequences.js';
import { clearPartitionOf, InvalidationHub, type Invalidation } from '../nearcache/invalidation.js';

export const SERVER_VERSION = '5.5.0';

export interface ProtocolServiceOptions {
  view: ClusterView;
  maps: MapService;
  clusterName: string;
  credentials?: Credentials | undefined;
  invalidation?: { batchMaxDelayMillis: number; batchSize: number };
  /** Shared with the cluster; created here when absent. */
  sequences?: PartitionSequences;
  logger?: ProtocolLogger;
  metrics?: ProtocolMetrics;
  timers?: Timers;
  /** Monotonic milliseconds for operation latencies (default performance.now). */
  now?: () => number;
}

type Handler = (conn: ClientConnection, req: Request) => Reply | Promise<Reply>;

/** Key-based requests that must be served by the partition owner (spec §3.1 route "P"). */
const PARTITION_ROUTED = new Set<number>([
  M.PUT,
  M.GET,
  M.REMOVE,
  M.CONTAINS_KEY,
  M.DELETE,
  M.PUT_TRANSIENT,
  M.PUT_IF_ABSENT,
  M.SET,
  M.EVICT,
  M.GET_ALL,
  M.PUT_ALL,
  M.PUT_WITH_MAX_IDLE,
  M.PUT_TRANSIENT_WITH_MAX_IDLE,
  M.PUT_IF_ABSENT_WITH_MAX_IDLE,
  M.SET_WITH_MAX_IDLE,
  M.REPLACE,
  M.REPLACE_IF_SAME,
  M.REMOVE_IF_SAME,
  M.TRY_PUT,
  M.TRY_REMOVE,
  M.SET_TTL,
]);

/** -1 = map default, 0 = never, n = n ms (Hazelcast semantics) → WriteOptions. */
export function ttlOption(ms: bigint): number | undefined {
  return ms < 0n ? undefined : Number(ms);
}

const empty = (req: Request): Buffer =>
  encodeEmptyResponse(responseTypeOf(req.type), req.correlation);

function booleanResponse(req: Request, value: boolean): Buffer {
  const b = MessageBuilder.response(responseTypeOf(req.type), req.correlation, 1);
  b.initial[Offset.RESPONSE_FIXED] = value ? 1 : 0;
  return b.build();
}

function uuidResponse(req: Request, uuid: string): Buffer {
  const b = MessageBuilder.response(responseTypeOf(req.type), req.correlation, 17);
  writeUuid(b.initial, Offset.RESPONSE_FIXED, uuid);
  return b.build();
}

function nullableDataResponse(req: Request, data: Buffer | undefined): Buffer {
  return encodeNullableDataResponse(responseTypeOf(req.type), req.correlation, data);
}

export class ProtocolService implements RequestDispatcher {
  readonly view: ClusterView;
  readonly sequences: PartitionSequences;
  readonly hub: InvalidationHub;
  readonly listeners: NearCacheListeners;
  readonly entryListeners: EntryListeners;
  private readonly maps: MapService;
  private readonly logger: ProtocolLogger;
  private readonly metrics: ProtocolMetrics;
  private readonly now: () => number;
  /**
   * When an operation started: the first reading in a synchronous run, shared by every request
   * of one socket read (the batch is handled in one run). So a latency is the time from the
   * node taking up the batch to the reply being ready, waiting behind earlier requests included,
   * for one clock reading per batch instead of one per request.
   */
  private readonly started: TurnClock;
  private readonly handlers = new Map<number, Handler>();
  private readonly connections = new Set<ClientConnection>();
  /** Connections that asked for cluster view events, with the registration's correlation id. */
  private readonly viewListeners = new Map<ClientConnection, bigint>();
  private readonly localUuid: string;
  private readonly unsubscribeView: () => void;
  /** Test and diagnostics: requests received per message type. */
  readonly requestCounts = new Map<number, number>();
  /** Test hook: drop the next N invalidations before delivery (spec §8, lost-invalidation cases). */
  dropNextInvalidations = 0;
  /** Test hook: refuse the next `count` requests of `type` with `kind` (error-path tests, spec §8.11). */
  failNext: { type: number; kind: ErrorKind; count: number } | undefined;

  constructor(private readonly opts: ProtocolServiceOptions) {
    this.view = opts.view;
    this.maps = opts.maps;
    this.logger = opts.logger ?? silentLogger;
    this.metrics = opts.metrics ?? noMetrics;
    this.now = opts.now ?? (() => performance.now());
    this.started = new TurnClock(this.now);
    this.localUuid = opts.view.localMember.uuid;
    this.sequences = opts.sequences ?? new PartitionSequences(opts.view.partitionCount);
    const inv = opts.invalidation ?? { batchMaxDelayMillis: 0, batchSize: 100 };
    this.listeners = new NearCacheListeners({
      isLocalPartition: (p) => this.ownsPartition(p),
      batchMaxDelayMillis: inv.batchMaxDelayMillis,
      batchSize: inv.batchSize,
      ...(opts.timers ? { timers: opts.timers } : {}),
      onSent: (map, n) => this.metrics.invalidationsSent(map, n),
    });
    this.hub = new InvalidationHub(this.sequences, this.localUuid, (p) => this.ownsPartition(p));
    this.entryListeners = new EntryListeners(this.localUuid, (p) => this.ownsPartition(p));
    this.hub.subscribe((i) => this.deliverInvalidation(i));
    this.unsubscribeView = this.view.onChange(() => this.pushClusterView());
    this.registerHandlers();
  }

  /** Feed store changes in (returns the unsubscribe function). */
  attachChanges(source: Pick<StoreApi, 'onChange'>): () => void {
    return source.onChange((event) => {
      this.hub.onChange(event);
      this.entryListeners.onChange(event);
    });
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  ownsPartition(p: number): boolean {
    return this.view.partitionOwners()[p] === this.localUuid;
  }

  // ---- connection lifecycle (RequestDispatcher) ----------------------------------------------

  opened(conn: ClientConnection): void {
    this.connections.add(conn);
    this.metrics.clientConnections(this.connections.size);
  }

  closed(conn: ClientConnection): void {
    if (!this.connections.delete(conn)) return;
    this.viewListeners.delete(conn);
    this.listeners.removeConnection(conn);
    this.entryListeners.removeConnection(conn);
    this.metrics.clientConnections(this.connections.size);
    this.logger.debug('client connection closed', {
      remote: conn.transport.remote,
      client: conn.clientUuid,
    });
  }

  violation(conn: ClientConnection, reason: ProtocolErrorReason, detail: string): void {
    this.metrics.protocolError(reason);
    this.logger.warn('closing client connection', {
      remote: conn.transport.remote,
      reason,
      detail,
    });
  }

  /** Close every client connection (shutdown, tests: "drop client X's sockets"). */
  closeAll(filter: (conn: ClientConnection) => boolean = () => true): number {
    let n = 0;
    for (const c of [...this.connections]) {
      if (filter(c)) {
        c.close();
        n++;
      }
    }
    return n;
  }

  stop(): void {
    this.unsubscribeView();
    this.listeners.flushAll();
    this.closeAll();
  }

  dispatch(conn: ClientConnection, req: Request): Reply | Promise<Reply> {
    this.requestCounts.set(req.type, (this.requestCounts.get(req.type) ?? 0) + 1);
    const fail = this.failNext;
    if (fail && fail.type === req.type && fail.count > 0) {
      fail.count--;
      return encodeErrorResponse(req.correlation, fail.kind, 'injected failure (test hook)');
    }
    const handler = this.handlers.get(req.type);
    if (!handler) {
      this.metrics.protocolError('unknown_message');
      this.logger.info('unsupported request', {
        type: hex(req.type),
        remote: conn.transport.remote,
      });
      return encodeErrorResponse(
        req.correlation,
        ErrorCode.UNSUPPORTED_OPERATION,
        `Unrecognized client message received with type: ${hex(req.type)}`,
      );
    }
    try {
      if (PARTITION_ROUTED.has(req.type)) {
        const routed = this.route(conn, req);
        // The handler runs inside the routed promise: its failure is an error response too
        // (a rejection here would close the client connection instead of letting it retry).
        if (routed) return routed.catch((err: unknown) => this.errorReply(req, err));
      }
      const reply = handler(conn, req);
      if (reply instanceof Promise) return reply.catch((err: unknown) => this.errorReply(req, err));
      return reply;
    } catch (err) {
      return this.errorReply(req, err);
    }
  }

  private errorReply(req: Request, err: unknown): Buffer {
    const { kind, message } = errorFor(err);
    if (kind === ErrorCode.HAZELCAST)
      this.logger.error('request failed', { type: hex(req.type), error: message });
    return encodeErrorResponse(req.correlation, kind, message);
  }

  /** A key request for a partition owned elsewhere: the cluster's forward hook, or a retryable refusal. */
  private route(conn: ClientConnection, req: Request): Promise<Reply> | undefined {
    const p = req.partitionId;
    if (p < 0 || p >= this.view.partitionCount) {
      throw new ProtocolError(ErrorCode.ILLEGAL_ARGUMENT, `partition id ${p} out of range`);
    }
    const owner = this.view.partitionOwners()[p];
    if (owner === this.localUuid) return undefined;
    const forward = this.view.forward?.bind(this.view);
    if (!forward || owner === undefined) {
      throw new ProtocolError(
        ErrorCode.RETRYABLE_HAZELCAST,
        `partition ${p} is not owned by this member (owner ${owner ?? 'unknown'})`,
      );
    }
    return forward({
      partitionId: p,
      ownerUuid: owner,
      request: encodeMessage(req.message),
      clientUuid: conn.clientUuid!,
    }).then((res) => res ?? this.handlers.get(req.type)!(conn, req));
  }

  // ---- invalidations -------------------------------------------------------------------------

  private deliverInvalidation(inv: Invalidation): void {
    if (this.dropNextInvalidations > 0) {
      this.dropNextInvalidations--;
      return;
    }
    this.listeners.deliver(inv);
  }

  /** Test/operations hook: new lineage for a partition, so clients drop what they cached there. */
  rotatePartitionUuid(partitionId: number): string {
    return this.sequences.rotate(partitionId);
  }

  // ---- cluster view ----------------------------------------------------------------------------

  private membersViewEvent(correlation: bigint): Buffer {
    const b = MessageBuilder.event(C.MEMBERS_VIEW_EVENT, correlation, -1, 4);
    b.initial.writeInt32LE(this.view.memberListVersion(), Offset.REQUEST_FIXED);
    b.begin();
    for (const m of this.view.members()) addMemberInfo(b, { uuid: m.uuid, address: m.address });
    b.end();
    return b.build();
  }

  private partitionsViewEvent(correlation: bigint): Buffer {
    const b = MessageBuilder.event(C.PARTITIONS_VIEW_EVENT, correlation, -1, 4);
    b.initial.writeInt32LE(this.view.partitionTableVersion(), Offset.REQUEST_FIXED);
    const table = partitionsByMember(this.view);
    b.begin();
    for (const [, parts] of table) b.frame(intListFrame(parts));
    b.end();
    b.frame(uuidListFrame(table.map(([uuid]) => uuid)));
    return b.build();
  }

  private pushClusterView(): void {
    for (const [conn, corr] of this.viewListeners) {
      conn.send(this.membersViewEvent(corr));
      conn.send(this.partitionsViewEvent(corr));
    }
  }

  // ---- handlers --------------------------------------------------------------------------------

  private on(type: number, h: Handler): void {
    this.handlers.set(type, h);
  }

  private registerHandlers(): void {
    this.on(C.AUTHENTICATION, (conn, req) => this.authenticate(conn, req));
    this.on(C.AUTHENTICATION_CUSTOM, (conn, req) => this.authenticate(conn, req));
    this.on(C.ADD_CLUSTER_VIEW_LISTENER, (conn, req) => {
      this.viewListeners.set(conn, req.correlation);
      return {
        response: empty(req),
        after: () => {
          conn.send(this.membersViewEvent(req.correlation));
          conn.send(this.partitionsViewEvent(req.correlation));
        },
      };
    });
    this.on(C.PING, (_c, req) => empty(req));
    // Statistics are acknowledged and ignored: the node's own metrics describe the server side.
    this.on(C.STATISTICS, (_c, req) => empty(req));
    // No backups are acknowledged to clients (backupAcks is always 0), so no events ever follow.
    this.on(C.LOCAL_BACKUP_LISTENER, (_c, req) => uuidResponse(req, newUuid()));
    this.on(C.CREATE_PROXY, (_c, req) => {
      const r = new FrameReader(req.message);
      const name = readString(r);
      const service = readString(r);
      this.checkService(service, name);
      return empty(req);
    });
    this.on(C.CREATE_PROXIES, (_c, req) => {
      const r = new FrameReader(req.message);
      const proxies = readEntryList(r, readString, readString);
      for (const [name, service] of proxies) this.checkService(service, name);
      return empty(req);
    });
    this.on(C.DESTROY_PROXY, async (conn, req) => {
      const r = new FrameReader(req.message);
      const name = readString(r);
      const service = readString(r);
      this.checkService(service, name);
      await this.maps.destroy(name, conn.clientUuid);
      return empty(req);
    });
    this.registerMapHandlers();
  }

  private checkService(service: string, name: string): void {
    if (service !== 'hz:impl:mapService') {
      throw new ProtocolError(
        ErrorCode.UNSUPPORTED_OPERATION,
        `MetadataCache serves maps only; cannot create "${name}" of service ${service}`,
      );
    }
  }

  private authenticate(conn: ClientConnection, req: Request): Reply {
    const auth = decodeAuthRequest(req.message);
    const decision = authenticate(auth, {
      clusterName: this.opts.clusterName,
      credentials: this.opts.credentials,
    });
    const response = encodeAuthResponse(req.correlation, {
      status: decision.status,
      memberUuid: this.localUuid,
      partitionCount: this.view.partitionCount,
      clusterId: this.view.clusterId,
      address: this.view.localMember.address,
      serverVersion: SERVER_VERSION,
    });
    if (decision.status !== AuthStatus.AUTHENTICATED) {
      this.metrics.protocolError('auth_failed');
      this.logger.warn('client authentication refused', {
        remote: conn.transport.remote,
        client: auth.clientName,
        reason: decision.reason,
      });
      return { response, after: () => conn.close() };
    }
    conn.markAuthenticated(auth.clientUuid!, auth.clientName);
    this.logger.info('client authenticated', {
      remote: conn.transport.remote,
      client: auth.clientName,
      clientUuid: auth.clientUuid,
      clientType: auth.clientType,
      clientVersion: auth.clientVersion,
    });
    return response;
  }

  /** Runs a map operation with its metric; `result` classifies the outcome. */
  private async op<T>(
    map: string,
    operation: OperationName,
    work: () => Promise<T>,
    result: (v: T) => OperationResult = () => 'ok',
  ): Promise<T> {
    const start = this.started.now();
    try {
      const v = await work();
      this.metrics.operation(map, operation, result(v), (this.now() - start) / 1000);
      return v;
    } catch (err) {
      const kind = errorFor(err).kind;
      const outcome: OperationResult = kind === ErrorCode.HAZELCAST ? 'error' : 'rejected';
      this.metrics.operation(map, operation, outcome, (this.now() - start) / 1000);
      throw err;
    }
  }

  /** `op` for work that completed synchronously (the MapService fast paths). */
  private opSync<T>(
    map: string,
    operation: OperationName,
    start: number,
    value: T,
    result: (v: T) => OperationResult = () => 'ok',
  ): T {
    this.metrics.operation(map, operation, result(value), (this.now() - start) / 1000);
    return value;
  }

  /** A failed synchronous fast path: metric as `op` does, then rethrow for the error response. */
  private opSyncFailed(map: string, operation: OperationName, start: number, err: unknown): never {
    const outcome: OperationResult =
      errorFor(err).kind === ErrorCode.HAZELCAST ? 'error' : 'rejected';
    this.metrics.operation(map, operation, outcome, (this.now() - start) / 1000);
    throw err;
  }

  private registerMapHandlers(): void {
    const hitOrMiss = (v: Buffer | undefined): OperationResult => (v ? 'hit' : 'miss');
    /** Name then key (after a fixed part of `fixed` bytes). */
    const nameKey = (req: Request, fixed: number) => {
      const r = new FrameReader(req.message);
      const c = r.requireInitial(REQUEST_HEADER_BYTES + fixed);
      return { r, c, name: readString(r), key: readData(r) };
    };
    const write = (conn: ClientConnection, ttl: bigint, maxIdle?: bigint): WriteOptions => {
      const opts: WriteOptions = { origin: conn.clientUuid! };
      const ttlMs = ttlOption(ttl);
      if (ttlMs !== undefined) opts.ttlMs = ttlMs;
      if (maxIdle !== undefined) {
        const idle = ttlOption(maxIdle);
        if (idle !== undefined) opts.maxIdleMs = idle;
      }
      return opts;
    };

    this.on(M.GET, (_c, req) => {
      const { name, key } = nameKey(req, 8);
      if (this.maps.getSync) {
        // Served from memory without a promise when the MapService can (see MapService.getSync).
        const start = this.started.now();
        let v: Buffer | undefined | typeof SYNC_UNAVAILABLE;
        try {
          v = this.maps.getSync(name, key);
        } catch (err) {
          this.opSyncFailed(name, 'get', start, err);
        }
        if (v !== SYNC_UNAVAILABLE) {
          return nullableDataResponse(req, this.opSync(name, 'get', start, v, hitOrMiss));
        }
      }
      return this.op(name, 'get', () => this.maps.get(name, key), hitOrMiss).then((v) =>
        nullableDataResponse(req, v),
      );
    });
    const putLike =
      (kind: 'put' | 'set' | 'putIfAbsent', withMaxIdle: boolean) =>
      (conn: ClientConnection, req: Request): Reply | Promise<Reply> => {
        const { r, c, name, key } = nameKey(req, withMaxIdle ? 24 : 16);
        const value = readData(r);
        const opts = write(
          conn,
          c.readBigInt64LE(24),
          withMaxIdle ? c.readBigInt64LE(32) : undefined,
        );
        if (kind === 'set') {
          if (this.maps.setSync) {
            const start = this.started.now();
            let done: boolean;
            try {
              done = this.maps.setSync(name, key, value, opts);
            } catch (err) {
              this.opSyncFailed(name, 'set', start, err);
            }
            if (done) return this.opSync(name, 'set', start, empty(req));
          }
          return this.op(name, 'set', () => this.maps.set(name, key, value, opts)).then(() =>
            empty(req),
          );
        }
        if (kind === 'put') {
          return this.op(name, 'put', () => this.maps.put(name, key, value, opts)).then((old) =>
            nullableDataResponse(req, old),
          );
        }
        return this.op(name, 'put_if_absent', () =>
          this.maps.putIfAbsent(name, key, value, opts),
        ).then((existing) => nullableDataResponse(req, existing));
      };
    this.on(M.PUT, putLike('put', false));
    this.on(M.SET, putLike('set', false));
    this.on(M.PUT_IF_ABSENT, putLike('putIfAbsent', false));
    this.on(M.PUT_WITH_MAX_IDLE, putLike('put', true));
    this.on(M.SET_WITH_MAX_IDLE, putLike('set', true));
    this.on(M.PUT_IF_ABSENT_WITH_MAX_IDLE, putLike('putIfAbsent', true));
    // Transient = not written to a map store; this node has none, so it is a set without a response value.
    const putTransient = (withMaxIdle: boolean) => {
      const set = putLike('set', withMaxIdle);
      return (conn: ClientConnection, req: Request): Reply | Promise<Reply> => {
        const reply = set(conn, req);
        return reply instanceof Promise ? reply.then(() => empty(req)) : empty(req);
      };
    };
    this.on(M.PUT_TRANSIENT, putTransient(false));
    this.on(M.PUT_TRANSIENT_WITH_MAX_IDLE, putTransient(true));

    this.on(M.REMOVE, async (conn, req) => {
      const { name, key } = nameKey(req, 8);
      const old = await this.op(name, 'remove', () => this.maps.remove(name, key, conn.clientUuid));
      return nullableDataResponse(req, old);
    });
    this.on(M.DELETE, async (conn, req) => {
      const { name, key } = nameKey(req, 8);
      await this.op(name, 'delete', () => this.maps.delete(name, key, conn.clientUuid));
      return empty(req);
    });
    this.on(M.CONTAINS_KEY, async (_c, req) => {
      const { name, key } = nameKey(req, 8);
      const found = await this.op(
        name,
        'contains_key',
        () => this.maps.containsKey(name, key),
        (f) => (f ? 'hit' : 'miss'),
      );
      return booleanResponse(req, found);
    });
    this.on(M.EVICT, async (conn, req) => {
      const { name, key } = nameKey(req, 8);
      const evicted = await this.op(name, 'evict', () =>
        this.maps.evict(name, key, conn.clientUuid),
      );
      return booleanResponse(req, evicted);
    });
    this.on(M.EVICT_ALL, async (conn, req) => {
      const name = readString(new FrameReader(req.message));
      await this.op(name, 'evict_all', () => this.maps.evictAll(name, conn.clientUuid));
      return empty(req);
    });
    this.on(M.CLEAR, async (conn, req) => {
      const name = readString(new FrameReader(req.message));
      await this.op(name, 'clear', () => this.maps.clear(name, conn.clientUuid));
      return empty(req);
    });
    this.on(M.SIZE, async (_c, req) => {
      const name = readString(new FrameReader(req.message));
      const size = await this.op(name, 'size', () => this.maps.size(name));
      const b = MessageBuilder.response(responseTypeOf(req.type), req.correlation, 4);
      b.initial.writeInt32LE(Math.min(size, 0x7fffffff), Offset.RESPONSE_FIXED);
      return b.build();
    });
    this.on(M.IS_EMPTY, async (_c, req) => {
      const name = readString(new FrameReader(req.message));
      const size = await this.op(name, 'size', () => this.maps.size(name));
      return booleanResponse(req, size === 0);
    });
    // ---- conditional writes and map-wide reads (semantics checked against a 5.5 member) ----
    // threadId @16 (locks are not served, so it is not used); name; key; value.
    this.on(M.REPLACE, async (conn, req) => {
      const { r, name, key } = nameKey(req, 8);
      const value = readData(r);
      const old = await this.op(name, 'replace', () =>
        this.maps.replace(name, key, value, write(conn, -1n)),
      );
      return nullableDataResponse(req, old);
    });
    // threadId @16; name; key; testValue; value.
    this.on(M.REPLACE_IF_SAME, async (conn, req) => {
      const { r, name, key } = nameKey(req, 8);
      const expected = readData(r);
      const value = readData(r);
      const replaced = await this.op(name, 'replace_if_same', () =>
        this.maps.replaceIfSame(name, key, expected, value, write(conn, -1n)),
      );
      return booleanResponse(req, replaced);
    });
    // threadId @16; name; key; value.
    this.on(M.REMOVE_IF_SAME, async (conn, req) => {
      const { r, name, key } = nameKey(req, 8);
      const expected = readData(r);
      const removed = await this.op(name, 'remove_if_same', () =>
        this.maps.removeIfSame(name, key, expected, conn.clientUuid),
      );
      return booleanResponse(req, removed);
    });
    // threadId @16, timeout @24 (no locks, so nothing to wait for): a put with the map's TTL
    // that always succeeds.
    this.on(M.TRY_PUT, async (conn, req) => {
      const { r, name, key } = nameKey(req, 16);
      const value = readData(r);
      await this.op(name, 'try_put', () => this.maps.set(name, key, value, write(conn, -1n)));
      return booleanResponse(req, true);
    });
    // threadId @16, timeout @24: true when something was removed (as the member answers).
    this.on(M.TRY_REMOVE, async (conn, req) => {
      const { name, key } = nameKey(req, 16);
      const removed = await this.op(name, 'try_remove', () =>
        this.maps.delete(name, key, conn.clientUuid),
      );
      return booleanResponse(req, removed);
    });
    // ttl @16 (ms from now; 0 = never, negative = the map default); name; key.
    this.on(M.SET_TTL, async (conn, req) => {
      const { c, name, key } = nameKey(req, 8);
      const ttlMs = ttlOption(c.readBigInt64LE(REQUEST_HEADER_BYTES));
      const found = await this.op(name, 'set_ttl', () =>
        this.maps.setTtl(name, key, ttlMs, conn.clientUuid),
      );
      return booleanResponse(req, found);
    });
    this.on(M.CONTAINS_VALUE, async (_c, req) => {
      const r = new FrameReader(req.message);
      const name = readString(r);
      const value = readData(r);
      const found = await this.op(
        name,
        'contains_value',
        () => this.maps.containsValue(name, value),
        (f) => (f ? 'hit' : 'miss'),
      );
      return booleanResponse(req, found);
    });
    const dataList =
      (operation: 'key_set' | 'values', read: (name: string) => Promise<Buffer[]>) =>
      async (_c: ClientConnection, req: Request) => {
        const name = readString(new FrameReader(req.message));
        const items = await this.op(name, operation, () => read(name));
        const b = MessageBuilder.response(responseTypeOf(req.type), req.correlation);
        addDataList(b, items);
        return b.build();
      };
    this.on(
      M.KEY_SET,
      dataList('key_set', (name) => this.maps.keySet(name)),
    );
    this.on(
      M.VALUES,
      dataList('values', (name) => this.maps.values(name)),
    );
    this.on(M.ENTRY_SET, async (_c, req) => {
      const name = readString(new FrameReader(req.message));
      const entries = await this.op(name, 'entry_set', () => this.maps.entrySet(name));
      const b = MessageBuilder.response(responseTypeOf(req.type), req.correlation);
      addDataEntryList(b, entries);
      return b.build();
    });
    this.on(M.GET_ALL, async (_c, req) => {
      const r = new FrameReader(req.message);
      const name = readString(r);
      const keys = readList(r, readData);
      const found = await this.op(
        name,
        'get_all',
        () => this.maps.getAll(name, keys),
        (f) => (f.length > 0 ? 'hit' : 'miss'),
      );
      const b = MessageBuilder.response(responseTypeOf(req.type), req.correlation);
      addDataEntryList(b, found);
      return b.build();
    });
    this.on(M.PUT_ALL, async (conn, req) => {
      const r = new FrameReader(req.message);
      r.requireInitial(REQUEST_HEADER_BYTES + 1);
      const name = readString(r);
      const entries = readEntryList(r, readData, readData);
      await this.op(name, 'put_all', () =>
        this.maps.putAll(name, entries, { origin: conn.clientUuid! }),
      );
      return empty(req);
    });

    // ---- near cache ----
    this.on(M.ADD_NEAR_CACHE_INVALIDATION_LISTENER, (conn, req) => {
      const r = new FrameReader(req.message);
      const c = r.requireInitial(REQUEST_HEADER_BYTES + 5);
      const localOnly = c[REQUEST_HEADER_BYTES + 4] === 1;
      const name = readString(r);
      const id = newUuid();
      this.listeners.add(conn, name, req.correlation, localOnly, id);
      // A clear right after registering: a reconnecting client drops whatever it cached while
      // events could not reach it. Current (not incremented) sequence, member as source (§6.4).
      const p = clearPartitionOf(name, this.view.partitionCount);
      const clear: Invalidation = {
        map: name,
        key: null,
        partitionId: p,
        sourceUuid: this.localUuid,
        partitionUuid: this.sequences.partitionUuid(p),
        sequence: this.sequences.current(name, p),
      };
      return { response: uuidResponse(req, id), after: () => this.listeners.sendTo(id, clear) };
    });
    this.on(M.REMOVE_ENTRY_LISTENER, (_c, req) => {
      const r = new FrameReader(req.message);
      const c = r.requireInitial(REQUEST_HEADER_BYTES + 17);
      const id = readUuid(c, REQUEST_HEADER_BYTES);
      return booleanResponse(
        req,
        id !== null && (this.listeners.remove(id) || this.entryListeners.remove(id)),
      );
    });
    // includeValue bool @16, listenerFlags int @17, localOnly bool @21; name; (key).
    const addEntryListener = (withKey: boolean) => (conn: ClientConnection, req: Request) => {
      const r = new FrameReader(req.message);
      const c = r.requireInitial(REQUEST_HEADER_BYTES + 6);
      const name = readString(r);
      const key = withKey ? readData(r) : undefined;
      const id = newUuid();
      this.entryListeners.add({
        id,
        map: name,
        conn,
        correlation: req.correlation,
        includeValue: c[REQUEST_HEADER_BYTES] === 1,
        flags: c.readInt32LE(REQUEST_HEADER_BYTES + 1),
        localOnly: c[REQUEST_HEADER_BYTES + 5] === 1,
        ...(key ? { key } : {}),
      });
      return uuidResponse(req, id);
    };
    this.on(M.ADD_ENTRY_LISTENER, addEntryListener(false));
    this.on(M.ADD_ENTRY_LISTENER_TO_KEY, addEntryListener(true));
    this.on(M.FETCH_NEAR_CACHE_INVALIDATION_METADATA, async (_c, req) => {
      const r = new FrameReader(req.message);
      const c = r.requireInitial(REQUEST_HEADER_BYTES + 17);
      const member = readUuid(c, REQUEST_HEADER_BYTES) ?? this.localUuid;
      const names = readList(r, readString);
      const answer =
        member !== this.localUuid && this.view.fetchMetadata
          ? await this.view.fetchMetadata(member, names)
          : this.sequences.metadata(
              names,
              this.view.partitionOwners().flatMap((owner, p) => (owner === member ? [p] : [])),
            );
      const b = MessageBuilder.response(responseTypeOf(req.type), req.correlation);
      b.begin();
      for (const [name, entries] of answer.sequences) {
        addString(b, name);
        b.frame(intLongEntryFrame(entries.map(([p, s]) => [p, BigInt(s)])));
      }
      b.end();
      b.frame(intUuidEntryFrame(answer.uuids));
      return b.build();
    });
  }
}

/** Offsets used by tests and tools. */
export { Offset };
