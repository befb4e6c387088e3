/**
 * Decoder fuzzing shared by the unit test (a few hundred thousand frames, seconds) and the
 * benchmark script (`npm run bench -- protocol-fuzz --frames N`): random and mutated frames fed
 * in random chunks; the decoder must never throw and must stay within its memory bounds.
 */
import { CLIENT_PREAMBLE, encodeMessage, Flags, MessageDecoder } from './frame.js';

/** xorshift32: deterministic, seeded. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

export interface FuzzResult {
  frames: number;
  messages: number;
  violations: number;
  maxHeldBytes: number;
}

export function fuzzDecoder(opts: {
  frames: number;
  seed: number;
  maxFrameBytes: number;
}): FuzzResult {
  const rand = rng(opts.seed);
  const int = (n: number) => Math.floor(rand() * n);
  const maxMessageBytes = 4 * opts.maxFrameBytes;
  const build = (): Buffer => {
    const frames = Array.from({ length: 1 + int(5) }, (_, i) => ({
      flags: i === 0 ? Flags.UNFRAGMENTED : [0, Flags.IS_NULL, Flags.BEGIN_DATA_STRUCTURE][int(3)],
      content: Buffer.alloc(i === 0 ? 16 + int(24) : int(64), int(256)),
    }));
    return encodeMessage(frames);
  };
  // A pool of well-formed messages keeps the loop cheap; mutations copy before changing.
  const pool = Array.from({ length: 256 }, build);
  const valid = (): Buffer => pool[int(pool.length)];
  const mutate = (buf: Buffer): Buffer => {
    const b = Buffer.from(buf);
    switch (int(5)) {
      case 0: // flip bytes
        for (let i = 0; i < 1 + int(4); i++) b[int(b.length)] = int(256);
        return b;
      case 1: // random length field
        b.writeInt32LE(int(0x7fffffff) * (rand() < 0.3 ? -1 : 1), 0);
        return b;
      case 2: // truncate
        return b.subarray(0, int(b.length));
      case 3: // pure noise
        return Buffer.from(Array.from({ length: int(128) }, () => int(256)));
      default: // clear IS_FINAL and unfragmented bits: dangling or fragment messages
        b.writeUInt16LE(
          b.readUInt16LE(4) & ~(rand() < 0.5 ? Flags.IS_FINAL : Flags.UNFRAGMENTED),
          4,
        );
        return b;
    }
  };
  const result: FuzzResult = { frames: 0, messages: 0, violations: 0, maxHeldBytes: 0 };
  let decoder = new MessageDecoder({ maxFrameBytes: opts.maxFrameBytes, maxMessageBytes });
  let fed = false;
  while (result.frames < opts.frames) {
    if (!fed) {
      const pre = rand() < 0.02 ? Buffer.from([int(256), int(256), int(256)]) : CLIENT_PREAMBLE;
      decoder.push(pre);
      fed = true;
    }
    const input = rand() < 0.7 ? valid() : mutate(valid());
    result.frames++;
    // Feed in 1–3 random chunks.
    let pos = 0;
    while (pos < input.length) {
      const end = Math.min(input.length, pos + 1 + int(input.length));
      const r = decoder.push(input.subarray(pos, end));
      pos = end;
      result.messages += r.messages.length;
      if (decoder.heldBytes > result.maxHeldBytes) result.maxHeldBytes = decoder.heldBytes;
      if (r.violation) {
        result.violations++;
        decoder = new MessageDecoder({ maxFrameBytes: opts.maxFrameBytes, maxMessageBytes });
        fed = false;
        break;
      }
    }
  }
  return result;
}
