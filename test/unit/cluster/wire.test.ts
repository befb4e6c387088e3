import {
  encodeFrame,
  FrameDecoder,
  FrameKind,
  MEMBER_PREAMBLE,
  WireError,
  type WireFrame,
} from '../../../cache-node/src/cluster/wire.js';

const frames: WireFrame[] = [
  { kind: FrameKind.REQUEST, id: 1, header: { op: 'ping', epoch: 3 }, buffers: [] },
  {
    kind: FrameKind.RESPONSE,
    id: 0xffffffff,
    header: { ok: true },
    buffers: [Buffer.from('key'), Buffer.alloc(0), Buffer.from([0, 1, 2, 255])],
  },
  { kind: FrameKind.ONE_WAY, id: 7, header: { map: 'm', p: 12 }, buffers: [Buffer.from('x')] },
];

const stream = Buffer.concat([MEMBER_PREAMBLE, ...frames.map(encodeFrame)]);

describe('FrameDecoder', () => {
  it('decodes the whole stream in one chunk', () => {
    expect(new FrameDecoder(1 << 20, true).push(stream)).toEqual(frames);
  });

  it('decodes byte by byte', () => {
    const d = new FrameDecoder(1 << 20, true);
    const out: WireFrame[] = [];
    for (const byte of stream) out.push(...d.push(Buffer.from([byte])));
    expect(out).toEqual(frames);
  });

  it.each(Array.from({ length: stream.length - 1 }, (_, i) => i + 1))(
    'decodes the stream split at offset %i',
    (at) => {
      const d = new FrameDecoder(1 << 20, true);
      const out = [...d.push(stream.subarray(0, at)), ...d.push(stream.subarray(at))];
      expect(out).toEqual(frames);
    },
  );

  it('refuses a bad preamble', () => {
    expect(() => new FrameDecoder(1024, true).push(Buffer.from('CP2\0\0\0\0'))).toThrow(WireError);
  });

  it('refuses a frame over the limit before buffering it', () => {
    const big = encodeFrame({ kind: 0, id: 1, header: {}, buffers: [Buffer.alloc(2000)] });
    expect(() => new FrameDecoder(1024, false).push(big.subarray(0, 8))).toThrow(/exceeds/);
  });

  it.each([
    ['an unknown kind', (b: Buffer) => b.writeUInt8(9, 4)],
    ['a header overrun', (b: Buffer) => b.writeUInt32BE(1000, 9)],
    ['a buffer overrun', (b: Buffer) => b.writeUInt32BE(1000, b.length - 5)],
  ])('refuses %s', (_name, corrupt) => {
    const b = encodeFrame({ kind: 0, id: 1, header: {}, buffers: [Buffer.from('v')] });
    corrupt(b);
    expect(() => new FrameDecoder(1024, false).push(b)).toThrow(WireError);
  });

  it('refuses a header that is not a JSON object', () => {
    const b = encodeFrame({ kind: 0, id: 1, header: {}, buffers: [] });
    b.write('[]', 13);
    expect(() => new FrameDecoder(1024, false).push(b)).toThrow(/not an object/);
  });
});
