import { describe, expect, it } from '@jest/globals';
import { ClientConnection, type Transport } from '../../../cache-node/src/protocol/connection.js';
import { ProtocolService } from '../../../cache-node/src/protocol/protocol-service.js';
import {
  singleMemberView,
  type ClusterView,
} from '../../../cache-node/src/protocol/cluster-view.js';
import {
  CLIENT_PREAMBLE,
  Flags,
  MessageDecoder,
  type Message,
} from '../../../cache-node/src/protocol/frame.js';
import { readUuid, writeUuid } from '../../../cache-node/src/protocol/codecs.js';
import { encodeString, partitionIdOf } from '../../../cache-node/src/data/index.js';
import { MemoryMaps } from '../../integration/protocol/support/memory-maps.js';
import { BEGIN, CLIENT_UUID, END, encodeAuth, request } from './frames.js';

const MEMBER = '11111111-2222-4333-8444-555555555555';
const CLUSTER = '99999999-8888-4777-8666-555555555555';

class FakeTransport implements Transport {
  readonly remote = 'test:1';
  closed = false;
  private readonly decoder = new MessageDecoder({
    maxFrameBytes: 1 << 20,
    maxMessageBytes: 1 << 22,
    preamble: 'none',
  });
  readonly received: Message[] = [];
  write(buf: Buffer, _kind?: string): void {
    this.decoder.push(buf, this.received);
  }
  close(): void {
    this.closed = true;
  }
  congested(): boolean {
    return false;
  }
  pauseReading(): void {}
  resumeReading(): void {}
  take(): Message[] {
    return this.received.splice(0);
  }
}

interface Logged {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

function setup(
  opts: { view?: ClusterView; credentials?: { username: string; password: string } } = {},
) {
  const maps = new MemoryMaps();
  const logs: Logged[] = [];
  const log = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    void logs.push({ level, msg, ...(fields ? { fields } : {}) });
  const view =
    opts.view ??
    singleMemberView({
      memberUuid: MEMBER,
      clusterId: CLUSTER,
      address: { host: '127.0.0.1', port: 5701 },
      partitionCount: 271,
    });
  const service = new ProtocolService({
    view,
    maps,
    clusterName: 'dev',
    credentials: opts.credentials,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
  });
  service.attachChanges(maps);
  const connect = () => {
    const t = new FakeTransport();
    const conn = new ClientConnection(
      t,
      service,
      { maxFrameBytes: 1 << 16, maxMessageBytes: 1 << 18 },
      0,
    );
    service.opened(conn);
    conn.receive(CLIENT_PREAMBLE);
    return { t, conn };
  };
  return { maps, logs, service, connect };
}

const flush = () => new Promise((r) => setImmediate(r));
const initial = (m: Message) => m[0].content;
const corrOf = (m: Message) => initial(m).readBigInt64LE(4);
const typeOf = (m: Message) => initial(m).readInt32LE(0);
const errorCodeOf = (m: Message) => m[3].content.readInt32LE(0);

function fixed(
  ...parts: [kind: 'long' | 'int' | 'bool' | 'uuid', v: bigint | number | boolean | string][]
): Buffer {
  const bufs = parts.map(([k, v]) => {
    if (k === 'long') {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(v as bigint);
      return b;
    }
    if (k === 'int') {
      const b = Buffer.alloc(4);
      b.writeInt32LE(v as number);
      return b;
    }
    if (k === 'bool') return Buffer.from([v ? 1 : 0]);
    const b = Buffer.alloc(17);
    writeUuid(b, 0, v as string);
    return b;
  });
  return Buffer.concat(bufs);
}

async function authed(s: ReturnType<typeof setup>) {
  const c = s.connect();
  c.conn.receive(encodeAuth({}));
  await flush();
  c.t.take();
  return c;
}

describe('ProtocolService over a socket-free connection', () => {
  it('authenticates with the fields the client needs', async () => {
    const s = setup();
    const { t, conn } = s.connect();
    conn.receive(encodeAuth({ correlation: 7n }));
    await flush();
    const [res] = t.take();
    const c = initial(res);
    expect(corrOf(res)).toBe(7n);
    expect(res[0].flags & Flags.UNFRAGMENTED).toBe(Flags.UNFRAGMENTED);
    expect(c[13]).toBe(0); // AUTHENTICATED
    expect(readUuid(c, 14)).toBe(MEMBER);
    expect(c.readInt32LE(32)).toBe(271);
    expect(readUuid(c, 36)).toBe(CLUSTER);
    // Address: BEGIN, port frame, host, END; then the server version.
    expect(res[2].content.readInt32LE(0)).toBe(5701);
    expect(res[3].content.toString()).toBe('127.0.0.1');
    expect(conn.clientUuid).toBe(CLIENT_UUID);
    expect(t.closed).toBe(false);
  });

  it('refuses a wrong cluster name with CREDENTIALS_FAILED, logs and closes', async () => {
    const s = setup();
    const { t } = s.connect();
    const conn = s.connect();
    conn.conn.receive(encodeAuth({ clusterName: 'prod' }));
    await flush();
    const [res] = conn.t.take();
    expect(initial(res)[13]).toBe(1);
    expect(conn.t.closed).toBe(true);
    expect(
      s.logs.some((l) => l.level === 'warn' && String(l.fields?.reason).includes('prod')),
    ).toBe(true);
    expect(t.closed).toBe(false);
  });

  it('checks username and password when the node has credentials', async () => {
    const s = setup({ credentials: { username: 'u', password: 'p' } });
    const bad = s.connect();
    bad.conn.receive(encodeAuth({ username: 'u', password: 'x' }));
    const none = s.connect();
    none.conn.receive(encodeAuth({}));
    const good = s.connect();
    good.conn.receive(encodeAuth({ username: 'u', password: 'p' }));
    await flush();
    expect(initial(bad.t.take()[0])[13]).toBe(1);
    expect(initial(none.t.take()[0])[13]).toBe(1);
    expect(initial(good.t.take()[0])[13]).toBe(0);
  });

  it('closes a connection that sends a request before authenticating', () => {
    const s = setup();
    const { t, conn } = s.connect();
    conn.receive(request(0x000b00, 1n, -1, Buffer.alloc(0), []));
    expect(t.closed).toBe(true);
    expect(t.take()).toHaveLength(0);
    expect(s.logs.find((l) => l.level === 'warn')?.fields?.reason).toBe('unauthenticated');
  });

  it('answers an unknown message type with error 61 and keeps the connection', async () => {
    const s = setup();
    const { t, conn } = await authed(s);
    conn.receive(request(0x7f0100, 9n, -1, Buffer.alloc(0), []));
    await flush();
    const [res] = t.take();
    expect(typeOf(res)).toBe(0);
    expect(corrOf(res)).toBe(9n);
    expect(errorCodeOf(res)).toBe(61);
    expect(res[5].content.toString()).toContain('0x7f0100');
    expect(t.closed).toBe(false);
  });

  it('answers every request exactly once, errors included', async () => {
    const s = setup();
    const { t, conn } = await authed(s);
    const key = encodeString('k');
    const p = partitionIdOf(key, 271);
    const msgs = [
      request(0x000b00, 10n, -1, Buffer.alloc(0), []), // ping
      request(0x010200, 11n, p, fixed(['long', 0n]), ['m', key]), // get
      request(0x010200, 12n, p, fixed(['long', 0n]), ['m']), // get missing its key: malformed body
      request(0x012a00, 13n, -1, Buffer.alloc(0), ['m']), // size
    ];
    for (const m of msgs) conn.receive(m);
    await flush();
    const res = t.take();
    expect(res.map(corrOf).sort()).toEqual([10n, 11n, 12n, 13n]);
    const malformed = res.find((m) => corrOf(m) === 12n)!;
    expect(typeOf(malformed)).toBe(0);
    expect(errorCodeOf(malformed)).toBe(23);
  });

  it('decodes the conditional writes and map-wide reads at their spec offsets', async () => {
    const s = setup();
    const { t, conn } = await authed(s);
    const key = encodeString('k');
    const p = partitionIdOf(key, 271);
    const v = (x: string) => encodeString(x);
    const thread = fixed(['long', 0n]);
    const threadTimeout = fixed(['long', 0n], ['long', 100n]);
    const send = async (
      type: number,
      partition: number,
      f: Buffer,
      frames: (string | Buffer)[],
    ) => {
      conn.receive(request(type, 1n, partition, f, frames));
      await flush();
      const [res] = t.take();
      return res;
    };
    const flag = (res: Message) => initial(res)[13];
    await send(0x010100, p, fixed(['long', 0n], ['long', -1n]), ['m', key, v('v1')]);
    expect(
      (await send(0x010400, p, thread, ['m', v('other'), v('x')]))[1].flags & Flags.IS_NULL,
    ).toBeTruthy(); // replace of a missing key: null
    expect((await send(0x010400, p, thread, ['m', key, v('v2')]))[1].content).toEqual(v('v1'));
    expect(flag(await send(0x010500, p, thread, ['m', key, v('v1'), v('v3')]))).toBe(0);
    expect(flag(await send(0x010500, p, thread, ['m', key, v('v2'), v('v3')]))).toBe(1);
    expect(flag(await send(0x010700, -1, Buffer.alloc(0), ['m', v('v3')]))).toBe(1);
    expect(flag(await send(0x014300, p, fixed(['long', 1000n]), ['m', key]))).toBe(1);
    expect(flag(await send(0x014300, p, fixed(['long', 1000n]), ['m', v('other')]))).toBe(0);
    const keys = await send(0x012200, -1, Buffer.alloc(0), ['m']);
    expect(keys.slice(1).map((f) => f.content)).toEqual([BEGIN.content, key, END.content]);
    const entries = await send(0x012500, -1, Buffer.alloc(0), ['m']);
    expect(entries.slice(2, 4).map((f) => f.content)).toEqual([key, v('v3')]);
    expect(flag(await send(0x010800, p, thread, ['m', key, v('v2')]))).toBe(0);
    expect(flag(await send(0x010800, p, thread, ['m', key, v('v3')]))).toBe(1);
    expect(flag(await send(0x010c00, p, threadTimeout, ['m', key, v('t')]))).toBe(1);
    expect(flag(await send(0x010b00, p, threadTimeout, ['m', key]))).toBe(1);
    expect(flag(await send(0x010b00, p, threadTimeout, ['m', key]))).toBe(0);
    const values = await send(0x012400, -1, Buffer.alloc(0), ['m']);
    expect(values.slice(1).map((f) => f.content)).toEqual([BEGIN.content, END.content]);
    // replaceIfSame without its new value: a malformed body, error 23, the connection kept.
    const bad = await send(0x010500, p, thread, ['m', key, v('v1')]);
    expect(typeOf(bad)).toBe(0);
    expect(errorCodeOf(bad)).toBe(23);
    expect(t.closed).toBe(false);
  });

  it('stores and returns values, with the old value from put', async () => {
    const s = setup();
    const { t, conn } = await authed(s);
    const key = encodeString('k');
    const p = partitionIdOf(key, 271);
    conn.receive(
      request(0x010100, 1n, p, fixed(['long', 0n], ['long', -1n]), ['m', key, encodeString('v1')]),
    );
    conn.receive(
      request(0x010100, 2n, p, fixed(['long', 0n], ['long', -1n]), ['m', key, encodeString('v2')]),
    );
    conn.receive(request(0x010200, 3n, p, fixed(['long', 0n]), ['m', key]));
    await flush();
    const [r1, r2, r3] = t.take();
    expect(r1[1].flags & Flags.IS_NULL).toBeTruthy();
    expect(r2[1].content).toEqual(encodeString('v1'));
    expect(r3[1].content).toEqual(encodeString('v2'));
  });

  it('refuses a key request for a partition owned elsewhere with the retryable code 46', async () => {
    const other = 'aaaaaaaa-2222-4333-8444-555555555555';
    const base = singleMemberView({
      memberUuid: MEMBER,
      clusterId: CLUSTER,
      address: { host: '127.0.0.1', port: 5701 },
      partitionCount: 271,
    });
    const owners = Array.from({ length: 271 }, (_, i) => (i % 2 ? other : MEMBER));
    const s = setup({ view: { ...base, partitionOwners: () => owners } });
    const { t, conn } = await authed(s);
    conn.receive(request(0x010200, 5n, 1, fixed(['long', 0n]), ['m', encodeString('x')]));
    await flush();
    expect(errorCodeOf(t.take()[0])).toBe(46);
  });

  it('hands requests for partitions owned elsewhere to the forward hook, verbatim', async () => {
    const other = 'aaaaaaaa-2222-4333-8444-555555555555';
    const base = singleMemberView({
      memberUuid: MEMBER,
      clusterId: CLUSTER,
      address: { host: '127.0.0.1', port: 5701 },
      partitionCount: 271,
    });
    const owners = Array.from({ length: 271 }, () => other);
    const forwarded: {
      partitionId: number;
      ownerUuid: string;
      request: Buffer;
      clientUuid: string;
    }[] = [];
    const canned = request(0x010201, 77n, -1, Buffer.alloc(0), []);
    const s = setup({
      view: {
        ...base,
        partitionOwners: () => owners,
        forward: (req) => {
          forwarded.push(req);
          // Serve one here (a routing MapService would), answer the other from "the owner".
          return Promise.resolve(req.partitionId === 3 ? undefined : canned);
        },
      },
    });
    const { t, conn } = await authed(s);
    const get = request(0x010200, 77n, 5, fixed(['long', 0n]), ['m', encodeString('x')]);
    conn.receive(get);
    conn.receive(request(0x010200, 78n, 3, fixed(['long', 0n]), ['m', encodeString('y')]));
    await flush();
    expect(forwarded.map((f) => [f.partitionId, f.ownerUuid, f.clientUuid])).toEqual([
      [5, other, CLIENT_UUID],
      [3, other, CLIENT_UUID],
    ]);
    expect(forwarded[0].request).toEqual(get);
    const replies = t.take();
    expect(replies.map(corrOf).sort()).toEqual([77n, 78n]);
    // The local one is a normal Get response (absent key: NULL frame).
    const local = replies.find((m) => corrOf(m) === 78n)!;
    expect(local[1].flags & Flags.IS_NULL).toBeTruthy();
  });

  it('sends near-cache invalidations with source, partition UUID and per-(map, partition) sequence', async () => {
    const s = setup();
    const reader = await authed(s);
    const writer = await authed(s);
    reader.conn.receive(request(0x013f00, 20n, -1, fixed(['int', 256], ['bool', true]), ['nc']));
    await flush();
    const [reg, clear] = reader.t.take();
    const regId = readUuid(initial(reg), 13);
    expect(regId).not.toBeNull();
    // The clear right after registration: NULL key, member as source, current sequence 0.
    expect(typeOf(clear)).toBe(0x013f02);
    expect(corrOf(clear)).toBe(20n);
    expect(clear[0].flags & Flags.IS_EVENT).toBeTruthy();
    expect(readUuid(initial(clear), 16)).toBe(MEMBER);
    expect(initial(clear).readBigInt64LE(50)).toBe(0n);
    expect(clear[1].flags & Flags.IS_NULL).toBeTruthy();

    const key = encodeString('k');
    const p = partitionIdOf(key, 271);
    for (const [i, v] of ['a', 'b'].entries()) {
      writer.conn.receive(
        request(0x010f00, BigInt(30 + i), p, fixed(['long', 0n], ['long', -1n]), [
          'nc',
          key,
          encodeString(v),
        ]),
      );
    }
    await flush();
    expect(writer.t.take().map(corrOf)).toEqual([30n, 31n]);
    const events = reader.t.take();
    expect(events).toHaveLength(2);
    expect(events.map((e) => initial(e).readBigInt64LE(50))).toEqual([1n, 2n]);
    for (const e of events) {
      expect(readUuid(initial(e), 16)).toBe(CLIENT_UUID);
      expect(readUuid(initial(e), 33)).toBe(s.service.sequences.partitionUuid(p));
      expect(e[1].content).toEqual(key);
    }

    // Metadata reports the same counters and UUIDs, for every partition.
    writer.conn.receive(
      request(0x013d00, 40n, -1, fixed(['uuid', MEMBER]), [BEGIN, 'nc', 'other', END]),
    );
    await flush();
    const [meta] = writer.t.take();
    // BEGIN, "nc", seq list, "other", seq list, END, uuid list
    expect(meta[2].content.toString()).toBe('nc');
    const seqs = meta[3].content;
    expect(seqs.length).toBe(271 * 12);
    expect(seqs.readBigInt64LE(p * 12 + 4)).toBe(2n);
    expect(meta[4].content.toString()).toBe('other');
    const uuids = meta[7].content;
    expect(uuids.length).toBe(271 * 21);
    expect(uuids.readInt32LE(p * 21)).toBe(p);
    expect(readUuid(uuids, p * 21 + 4)).toBe(s.service.sequences.partitionUuid(p));

    // Clear: one NULL-key event on partition(name), next sequence of that partition.
    writer.conn.receive(request(0x012d00, 41n, -1, Buffer.alloc(0), ['nc']));
    await flush();
    writer.t.take();
    const [cleared] = reader.t.take();
    expect(cleared[1].flags & Flags.IS_NULL).toBeTruthy();
    expect(initial(cleared).readInt32LE(12)).toBe(partitionIdOf(encodeString('nc'), 271));

    // Removing the listener stops events.
    const removeFixed = fixed(['uuid', regId!]);
    reader.conn.receive(request(0x011a00, 42n, -1, removeFixed, ['nc']));
    await flush();
    expect(reader.t.take().map((m) => initial(m)[13])).toEqual([1]);
    writer.conn.receive(
      request(0x010f00, 43n, p, fixed(['long', 0n], ['long', -1n]), ['nc', key, encodeString('c')]),
    );
    await flush();
    expect(reader.t.take()).toHaveLength(0);
  });
});
