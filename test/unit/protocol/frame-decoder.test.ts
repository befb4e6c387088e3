import { describe, expect, it } from '@jest/globals';
import {
  CLIENT_PREAMBLE,
  Flags,
  MessageDecoder,
  encodeMessage,
  type Message,
} from '../../../cache-node/src/protocol/frame.js';
import { encodeAuth } from './frames.js';

const limits = { maxFrameBytes: 1 << 16, maxMessageBytes: 1 << 18 };

/** Three messages back to back after the preamble, as a client might coalesce them. */
const stream = Buffer.concat([
  CLIENT_PREAMBLE,
  encodeAuth({ correlation: 1n }),
  encodeMessage([{ flags: Flags.UNFRAGMENTED, content: Buffer.alloc(16, 7) }]),
  encodeAuth({ correlation: 3n, clusterName: 'a-much-longer-cluster-name' }),
]);

function decodeAll(chunks: Buffer[]): Message[] {
  const d = new MessageDecoder(limits);
  const out: Message[] = [];
  for (const c of chunks) {
    const r = d.push(c, out);
    expect(r.violation).toBeUndefined();
  }
  return out;
}

const reference = decodeAll([stream]);

function summary(ms: Message[]): string[] {
  return ms.map((m) => m.map((f) => `${f.flags}:${f.content.toString('hex')}`).join('|'));
}

describe('MessageDecoder', () => {
  it('decodes whole messages from one chunk', () => {
    expect(reference).toHaveLength(3);
    expect(reference[0]).toHaveLength(9);
    expect(reference[0][1].content.toString()).toBe('dev');
    expect(reference[0][2].flags & Flags.IS_NULL).toBeTruthy();
    expect(reference[1]).toHaveLength(1);
  });

  describe.each(Array.from({ length: stream.length - 1 }, (_, i) => i + 1))(
    'split at byte %i',
    (at) => {
      it('yields the same messages', () => {
        expect(summary(decodeAll([stream.subarray(0, at), stream.subarray(at)]))).toEqual(
          summary(reference),
        );
      });
    },
  );

  it('yields the same messages fed one byte at a time', () => {
    const bytes = [...stream].map((b) => Buffer.from([b]));
    expect(summary(decodeAll(bytes))).toEqual(summary(reference));
  });

  it('refuses a bad preamble', () => {
    const d = new MessageDecoder(limits);
    expect(d.push(Buffer.from('GET / HTTP/1.1')).violation?.reason).toBe('bad_preamble');
    // and stays failed
    expect(d.push(stream).violation?.reason).toBe('bad_preamble');
  });

  it('refuses a frame over the limit before buffering it', () => {
    const d = new MessageDecoder({ maxFrameBytes: 1024, maxMessageBytes: 4096 });
    const header = Buffer.alloc(6);
    header.writeInt32LE(1025, 0);
    const r = d.push(Buffer.concat([CLIENT_PREAMBLE, header]));
    expect(r.violation?.reason).toBe('frame_too_large');
    expect(d.heldBytes).toBe(0);
  });

  it('refuses a frame length below the header size', () => {
    const d = new MessageDecoder(limits);
    const header = Buffer.alloc(6);
    header.writeInt32LE(5, 0);
    expect(d.push(Buffer.concat([CLIENT_PREAMBLE, header])).violation?.reason).toBe(
      'malformed_frame',
    );
  });

  it('bounds a message that never ends', () => {
    const d = new MessageDecoder({ maxFrameBytes: 1024, maxMessageBytes: 4096 });
    d.push(CLIENT_PREAMBLE);
    let violation;
    for (let i = 0; i < 100 && !violation; i++) {
      violation = d.push(
        encodeMessage([{ flags: 0, content: Buffer.alloc(500) }]).fill(0, 4, 6),
      ).violation;
    }
    expect(violation?.reason).toBe('frame_too_large');
  });

  it('reassembles a fragmented message', () => {
    const id = Buffer.alloc(8);
    id.writeBigInt64LE(42n, 0);
    const initial = Buffer.alloc(16, 1);
    const first = encodeMessage([
      { flags: Flags.BEGIN_FRAGMENT, content: id },
      { flags: Flags.UNFRAGMENTED, content: initial },
      { flags: 0, content: Buffer.from('a') },
    ]);
    const last = encodeMessage([
      { flags: Flags.END_FRAGMENT, content: id },
      { flags: 0, content: Buffer.from('b') },
    ]);
    const out = decodeAll([CLIENT_PREAMBLE, first, last]);
    expect(out).toHaveLength(1);
    expect(out[0].map((f) => f.content.toString('latin1'))).toEqual([
      initial.toString('latin1'),
      'a',
      'b',
    ]);
  });

  it('can run without a preamble', () => {
    const d = new MessageDecoder({ ...limits, preamble: 'none' });
    expect(d.push(encodeAuth({})).messages).toHaveLength(1);
  });
});
