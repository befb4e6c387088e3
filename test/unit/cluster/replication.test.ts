import {
  decodeRecords,
  encodeRecords,
  ReplicationFormatError,
  type ReplicaRecord,
} from '../../../cache-node/src/cluster/replication.js';
import { FrameDecoder, encodeFrame } from '../../../cache-node/src/cluster/wire.js';
import { encodeString } from '../../../cache-node/src/data/index.js';

const records: ReplicaRecord[] = [
  { map: 'a', key: encodeString('k1'), value: Buffer.from('v1'), expiresAt: 0, maxIdleMs: 0 },
  { map: 'b', key: encodeString('k2'), value: undefined, expiresAt: 0, maxIdleMs: 0 },
  { map: 'a', key: encodeString('k3'), value: Buffer.alloc(0), expiresAt: 123, maxIdleMs: 45 },
];

describe('replica records', () => {
  it('round-trip through the member wire format, deletes included', () => {
    const msg = encodeRecords('backup', records, { p: 7 });
    const [frame] = new FrameDecoder(1 << 20, false).push(encodeFrame({ kind: 0, id: 1, ...msg }));
    expect(frame.header.p).toBe(7);
    expect(decodeRecords(frame)).toEqual(records);
  });

  it('refuses records whose buffers are missing', () => {
    const msg = encodeRecords('backup', records);
    expect(() => decodeRecords({ header: msg.header, buffers: msg.buffers.slice(0, 2) })).toThrow(
      ReplicationFormatError,
    );
    expect(() => decodeRecords({ header: {}, buffers: [] })).toThrow(ReplicationFormatError);
  });
});
