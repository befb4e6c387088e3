/** Builders for protocol unit tests: the client's authentication request of spec §1.4 and friends. */
import { Flags, encodeMessage, type Frame } from '../../../cache-node/src/protocol/frame.js';
import { writeUuid } from '../../../cache-node/src/protocol/codecs.js';

export const CLIENT_UUID = '0123e456-89ab-4cde-8f01-23456789abcd';

const str = (s: string): Frame => ({ flags: 0, content: Buffer.from(s, 'utf8') });
const nul: Frame = { flags: Flags.IS_NULL, content: Buffer.alloc(0) };

export function authFrames(opts: {
  clusterName?: string;
  username?: string | null;
  password?: string | null;
  token?: Buffer;
  correlation?: bigint;
  serializationVersion?: number;
}): Frame[] {
  const initial = Buffer.alloc(34);
  initial.writeInt32LE(opts.token ? 0x200 : 0x100, 0);
  initial.writeBigInt64LE(opts.correlation ?? 1n, 4);
  initial.writeInt32LE(-1, 12);
  writeUuid(initial, 16, CLIENT_UUID);
  initial[33] = opts.serializationVersion ?? 1;
  const creds: Frame[] = opts.token
    ? [{ flags: 0, content: opts.token }]
    : [opts.username ? str(opts.username) : nul, opts.password ? str(opts.password) : nul];
  return [
    { flags: Flags.UNFRAGMENTED | Flags.IS_BACKUP_AWARE, content: initial },
    str(opts.clusterName ?? 'dev'),
    ...creds,
    str('NJS'),
    str('5.6.0'),
    str('hz.client_0'),
    { flags: Flags.BEGIN_DATA_STRUCTURE, content: Buffer.alloc(0) },
    { flags: Flags.END_DATA_STRUCTURE, content: Buffer.alloc(0) },
  ];
}

export const encodeAuth = (opts: Parameters<typeof authFrames>[0]): Buffer =>
  encodeMessage(authFrames(opts));

/** A request with a header and the given variable frames (strings or raw Data buffers). */
export function request(
  type: number,
  correlation: bigint,
  partition: number,
  fixed: Buffer,
  frames: (string | Buffer | null | Frame)[],
): Buffer {
  const initial = Buffer.alloc(16 + fixed.length);
  initial.writeInt32LE(type, 0);
  initial.writeBigInt64LE(correlation, 4);
  initial.writeInt32LE(partition, 12);
  fixed.copy(initial, 16);
  return encodeMessage([
    { flags: Flags.UNFRAGMENTED, content: initial },
    ...frames.map((f) =>
      f === null
        ? nul
        : typeof f === 'string'
          ? str(f)
          : Buffer.isBuffer(f)
            ? { flags: 0, content: f }
            : f,
    ),
  ]);
}

export const BEGIN: Frame = { flags: Flags.BEGIN_DATA_STRUCTURE, content: Buffer.alloc(0) };
export const END: Frame = { flags: Flags.END_DATA_STRUCTURE, content: Buffer.alloc(0) };
