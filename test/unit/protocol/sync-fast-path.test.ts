import { describe, expect, it } from '@jest/globals';
import { ClientConnection, type Transport } from '../../../cache-node/src/protocol/connection.js';
import { ProtocolService } from '../../../cache-node/src/protocol/protocol-service.js';
import { singleMemberView } from '../../../cache-node/src/protocol/cluster-view.js';
import {
  CLIENT_PREAMBLE,
  Flags,
  MessageDecoder,
  type Message,
} from '../../../cache-node/src/protocol/frame.js';
import {
  encodeEmptyResponse,
  encodeNullableDataResponse,
  MessageBuilder,
} from '../../../cache-node/src/protocol/message.js';
import { addNullableData } from '../../../cache-node/src/protocol/codecs.js';
import type { OperationResult } from '../../../cache-node/src/protocol/observability.js';
import { SYNC_UNAVAILABLE, type MapService } from '../../../cache-node/src/service/map-service.js';
import { createLocalMapService } from '../../../cache-node/src/service/local-map-service.js';
import { makeStore } from '../store/helpers.js';
import { encodeString, partitionIdOf } from '../../../cache-node/src/data/index.js';
import { encodeAuth, request } from './frames.js';

/** The node's local MapService over a real store; the test counts and declines its sync paths. */
function syncMaps() {
  const { store } = makeStore([{ name: 'm' }]);
  const local = createLocalMapService(store);
  const counts = { syncGets: 0, syncSets: 0, declineSync: false };
  const maps: MapService = {
    ...local,
    getSync: (map, key) => {
      if (counts.declineSync) return SYNC_UNAVAILABLE;
      counts.syncGets++;
      return local.getSync!(map, key);
    },
    setSync: (map, key, value, opts) => {
      if (counts.declineSync) return false;
      counts.syncSets++;
      return local.setSync!(map, key, value, opts);
    },
  };
  return { maps, counts };
}

class FakeTransport implements Transport {
  readonly remote = 'test:1';
  private readonly decoder = new MessageDecoder({
    maxFrameBytes: 1 << 20,
    maxMessageBytes: 1 << 22,
    preamble: 'none',
  });
  readonly received: Message[] = [];
  write(buf: Buffer): void {
    this.decoder.push(buf, this.received);
  }
  close(): void {}
  congested(): boolean {
    return false;
  }
  pauseReading(): void {}
  resumeReading(): void {}
}

const flush = () => new Promise((r) => setImmediate(r));
const corrOf = (m: Message) => m[0].content.readBigInt64LE(4);

/** `now`: the service's clock (milliseconds); operation latencies are recorded in `seconds`. */
async function setup(now?: () => number) {
  const { maps, counts } = syncMaps();
  const ops: [string, string, OperationResult][] = [];
  const seconds: number[] = [];
  const service = new ProtocolService({
    view: singleMemberView({
      memberUuid: '11111111-2222-4333-8444-555555555555',
      clusterId: '99999999-8888-4777-8666-555555555555',
      address: { host: '127.0.0.1', port: 5701 },
      partitionCount: 271,
    }),
    maps,
    clusterName: 'dev',
    metrics: {
      clientConnections: () => undefined,
      protocolError: () => undefined,
      invalidationsSent: () => undefined,
      invalidationsDropped: () => undefined,
      operation: (map, op, result, s) => {
        ops.push([map, op, result]);
        seconds.push(s);
      },
    },
    ...(now ? { now } : {}),
  });
  const t = new FakeTransport();
  const conn = new ClientConnection(
    t,
    service,
    { maxFrameBytes: 1 << 16, maxMessageBytes: 1 << 18 },
    0,
  );
  service.opened(conn);
  conn.receive(CLIENT_PREAMBLE);
  conn.receive(encodeAuth({}));
  await flush();
  t.received.length = 0;
  const key = encodeString('k');
  const p = partitionIdOf(key, 271);
  const long = (v: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(v);
    return b;
  };
  const getRequest = (corr: bigint, map = 'm') => request(0x010200, corr, p, long(0n), [map, key]);
  const get = (corr: bigint, map = 'm') => conn.receive(getRequest(corr, map));
  /** Several requests arriving in one socket read. */
  const batch = (...requests: Buffer[]) => conn.receive(Buffer.concat(requests));
  const set = (corr: bigint, value: string) =>
    conn.receive(
      request(0x010f00, corr, p, Buffer.concat([long(0n), long(-1n)]), [
        'm',
        key,
        encodeString(value),
      ]),
    );
  return { counts, t, ops, seconds, get, getRequest, batch, set, key };
}

describe('synchronous MapService paths in the protocol service', () => {
  it('answers Map.Get and Map.Set within the call that received them', async () => {
    const s = await setup();
    s.set(1n, 'v1');
    // No await: the reply was queued synchronously.
    expect(s.t.received.map(corrOf)).toEqual([1n]);
    s.get(2n);
    expect(s.t.received.map(corrOf)).toEqual([1n, 2n]);
    expect(s.t.received[1][1].content).toEqual(encodeString('v1'));
    expect(s.counts.syncSets).toBe(1);
    expect(s.counts.syncGets).toBe(1);
    expect(s.ops).toEqual([
      ['m', 'set', 'ok'],
      ['m', 'get', 'hit'],
    ]);
  });

  it('falls back to the async methods when the sync path declines', async () => {
    const s = await setup();
    s.counts.declineSync = true;
    s.set(1n, 'v1');
    s.get(2n);
    expect(s.t.received).toHaveLength(0);
    await flush();
    expect(s.t.received.map(corrOf)).toEqual([1n, 2n]);
    expect(s.t.received[1][1].content).toEqual(encodeString('v1'));
    expect(s.counts.syncGets + s.counts.syncSets).toBe(0);
    expect(s.ops.map(([, op, r]) => `${op}:${r}`)).toEqual(['set:ok', 'get:hit']);
  });

  it('times the requests of one read from when the node took up the read (one clock reading)', async () => {
    let ms = 1000;
    let readings = 0;
    // Every reading advances the clock 1 ms, so each latency shows which readings it spans.
    const s = await setup(() => {
      readings++;
      return (ms += 1);
    });
    s.ops.length = 0;
    s.seconds.length = 0;
    readings = 0;
    s.batch(s.getRequest(1n), s.getRequest(2n), s.getRequest(3n));
    expect(s.ops.map(([, op]) => op)).toEqual(['get', 'get', 'get']);
    // Start (reading 1) shared; ends at readings 2, 3, 4: waiting behind earlier requests counts.
    expect(readings).toBe(4);
    expect(s.seconds.map((x) => Math.round(x * 1e6))).toEqual([1000, 2000, 3000]);
    await flush();
    // The next read takes up a new start.
    s.get(4n);
    expect(readings).toBe(6);
    expect(Math.round(s.seconds[3] * 1e6)).toBe(1000);
  });

  it('turns a sync path error into the error response and a rejected metric', async () => {
    const s = await setup();
    s.get(3n, 'refused'); // undeclared maps are refused by this store
    await flush();
    const [res] = s.t.received;
    expect(corrOf(res)).toBe(3n);
    expect(res[0].content.readInt32LE(0)).toBe(0); // error response type
    expect(s.ops).toEqual([['refused', 'get', 'rejected']]);
  });
});

describe('direct response encoders', () => {
  it('match MessageBuilder byte for byte', () => {
    const viaBuilder = (data: Buffer | undefined) => {
      const b = MessageBuilder.response(0x010201, 42n);
      addNullableData(b, data);
      return b.build();
    };
    const data = encodeString('some value');
    expect(encodeNullableDataResponse(0x010201, 42n, data)).toEqual(viaBuilder(data));
    expect(encodeNullableDataResponse(0x010201, 42n, undefined)).toEqual(viaBuilder(undefined));
    expect(encodeEmptyResponse(0x010f01, -7n)).toEqual(
      MessageBuilder.response(0x010f01, -7n).build(),
    );
    const [initial] = new MessageDecoder({
      maxFrameBytes: 1 << 16,
      maxMessageBytes: 1 << 18,
      preamble: 'none',
    }).push(encodeEmptyResponse(1, 1n)).messages;
    expect(initial[0].flags & Flags.IS_FINAL).toBe(Flags.IS_FINAL);
  });
});
