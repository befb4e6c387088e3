/**
 * Connections that break the rules are closed with a log line while every other client keeps
 * being served: bad preamble, oversized and malformed frames, requests before authentication,
 * clients vanishing mid-request, slow readers, and thousands of idle connections.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CLIENT_PREAMBLE } from '../../../cache-node/src/protocol/frame.js';
import { encodeString, partitionIdOf } from '../../../cache-node/src/data/index.js';
import { encodeAuth, request } from '../../unit/protocol/frames.js';
import { newClient, startTestNode, type Client, type TestNode } from './support/node.js';

let node: TestNode;
let good: Client;

beforeAll(async () => {
  node = await startTestNode({
    config: { limits: { maxFrameBytes: 4096, writeBufferBytes: 65536, maxConnections: 5000 } },
  });
  good = await newClient(node.port);
}, 30_000);

afterAll(async () => {
  await good?.shutdown();
  await node?.stop();
}, 30_000);

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(node.port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves when the node closes the socket (or after `ms`, with false). */
function closedByPeer(s: net.Socket, ms = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    s.on('data', () => undefined);
    s.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
    s.once('end', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

async function stillServes(): Promise<void> {
  const m = await good.getMap<string, string>('robust');
  const v = `v${Math.random()}`;
  await m.put('k', v);
  expect(await m.get('k')).toBe(v);
}

async function protocolErrors(): Promise<string> {
  const text = await (await fetch(`http://127.0.0.1:${node.httpPort}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('metadatacache_protocol_errors_total{'))
    .join('\n');
}

const header = (length: number, flags = 0xc000) => {
  const b = Buffer.alloc(6);
  b.writeInt32LE(length, 0);
  b.writeUInt16LE(flags, 4);
  return b;
};

describe('bad input closes only the offending connection', () => {
  it.each([
    ['a bad preamble', 'bad_preamble', () => Buffer.from('GET / HTTP/1.1\r\n\r\n')],
    ['an oversized frame', 'frame_too_large', () => Buffer.concat([CLIENT_PREAMBLE, header(4097)])],
    [
      'a frame shorter than its header',
      'malformed_frame',
      () => Buffer.concat([CLIENT_PREAMBLE, header(2)]),
    ],
    [
      'a request before authentication',
      'unauthenticated',
      () =>
        Buffer.concat([
          CLIENT_PREAMBLE,
          request(0x010200, 1n, 0, Buffer.alloc(8), ['m', encodeString('k')]),
        ]),
    ],
  ])(
    '%s',
    async (_name, reason, bytes) => {
      const s = await connect();
      const closed = closedByPeer(s);
      s.write(bytes());
      expect(await closed).toBe(true);
      expect(await protocolErrors()).toMatch(new RegExp(`reason="${reason}"\\} [1-9]`));
      await stillServes();
    },
    20_000,
  );

  it('survives a client that disconnects mid-request', async () => {
    for (let i = 0; i < 20; i++) {
      const s = await connect();
      const auth = encodeAuth({});
      const get = request(0x010200, 2n, 0, Buffer.alloc(8), ['m', encodeString('k')]);
      s.write(Buffer.concat([CLIENT_PREAMBLE, auth, get.subarray(0, 10 + i)]));
      s.destroy();
    }
    await stillServes();
  }, 20_000);

  it('applies backpressure to a client that does not read its responses', async () => {
    const m = await good.getMap<string, string>('big');
    await m.put('big', 'x'.repeat(3500)); // under maxFrameBytes (4096)
    const key = encodeString('big');
    const get = request(0x010200, 3n, partitionIdOf(key, 271), Buffer.alloc(8), ['big', key]);
    const s = await connect();
    s.pause(); // never reads
    s.write(Buffer.concat([CLIENT_PREAMBLE, encodeAuth({})]));
    // Keep asking for 3.5 KB responses without reading any: the node stops reading this client
    // once writeBufferBytes are queued, so our own writes back up (write() returns false) while
    // the connection stays open, memory stays bounded and other clients are served.
    const rssBefore = process.memoryUsage().rss;
    const burst = Buffer.concat(Array.from({ length: 100 }, () => get));
    let backedUp = false;
    for (let i = 0; i < 5000 && !backedUp; i++) {
      backedUp = !s.write(burst);
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5));
    }
    expect(backedUp).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(s.destroyed).toBe(false);
    const start = Date.now();
    await stillServes();
    expect(Date.now() - start).toBeLessThan(2000);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100e6);
    s.destroy();
  }, 30_000);

  it('holds thousands of idle connections and keeps serving', async () => {
    const sockets: net.Socket[] = [];
    try {
      for (let i = 0; i < 2000; i++) {
        const s = await connect();
        s.write(CLIENT_PREAMBLE);
        sockets.push(s);
      }
      await stillServes();
      expect(sockets.every((s) => !s.destroyed)).toBe(true);
    } finally {
      for (const s of sockets) s.destroy();
    }
    await stillServes();
  }, 60_000);
});
