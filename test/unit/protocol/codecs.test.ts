import { describe, expect, it } from '@jest/globals';
import { readUuid, writeUuid, newUuid } from '../../../cache-node/src/protocol/codecs.js';
import {
  decodeAuthRequest,
  authenticate,
  encodeAuthResponse,
} from '../../../cache-node/src/protocol/auth.js';
import { MessageDecoder } from '../../../cache-node/src/protocol/frame.js';
import { authFrames, CLIENT_UUID, encodeAuth } from './frames.js';

describe('UUID codec', () => {
  it('writes msb then lsb as little-endian int64 after a not-null byte', () => {
    const buf = Buffer.alloc(17);
    writeUuid(buf, 0, '00112233-4455-6677-8899-aabbccddeeff');
    expect(buf.toString('hex')).toBe('00' + '7766554433221100' + 'ffeeddccbbaa9988');
  });

  it('round-trips and encodes null as isNull=1', () => {
    const buf = Buffer.alloc(17);
    for (let i = 0; i < 50; i++) {
      const u = newUuid();
      writeUuid(buf, 0, u);
      expect(readUuid(buf, 0)).toBe(u);
    }
    writeUuid(buf, 0, null);
    expect(buf[0]).toBe(1);
    expect(readUuid(buf, 0)).toBeNull();
  });

  it('accepts upper-case and dashless forms, and refuses anything else', () => {
    const canonical = Buffer.alloc(17);
    writeUuid(canonical, 0, '00112233-4455-6677-8899-aabbccddeeff');
    for (const form of [
      '00112233-4455-6677-8899-AABBCCDDEEFF',
      '00112233445566778899aabbccddeeff',
    ]) {
      const buf = Buffer.alloc(17);
      writeUuid(buf, 0, form);
      expect(buf).toEqual(canonical);
    }
    for (const bad of [
      '',
      '00112233-4455-6677-8899-aabbccddeefg',
      '00112233-4455-6677-8899-aabbccddeef',
      '0011223304455-6677-8899-aabbccddeeff',
      '00112233-4455-6677-8899-aabbccddeeff0',
      '00112233-4455-6677-8899-aabbccddee\u00ff',
    ]) {
      expect(() => writeUuid(Buffer.alloc(17), 0, bad)).toThrow('not a UUID');
    }
  });
});

describe('authentication', () => {
  it('decodes the captured Node 5.6.0 request layout (spec §1.4)', () => {
    const bytes = encodeAuth({});
    // Frame 0: length 40, flags 0xC100, type 0x100, correlation 1, partition -1.
    expect(bytes.subarray(0, 22).toString('hex')).toBe(
      '28000000' + '00c1' + '00010000' + '0100000000000000' + 'ffffffff',
    );
    const [m] = new MessageDecoder({
      maxFrameBytes: 1024,
      maxMessageBytes: 4096,
      preamble: 'none',
    }).push(bytes).messages;
    const req = decodeAuthRequest(m);
    expect(req).toMatchObject({
      clientUuid: CLIENT_UUID,
      serializationVersion: 1,
      clusterName: 'dev',
      username: null,
      password: null,
      clientType: 'NJS',
      clientVersion: '5.6.0',
      clientName: 'hz.client_0',
    });
  });

  it('accepts a longer initial frame from newer clients (routingMode appended)', () => {
    const frames = authFrames({});
    frames[0] = {
      ...frames[0],
      content: Buffer.concat([frames[0].content, Buffer.from([0, 0])]),
    };
    expect(decodeAuthRequest(frames).clusterName).toBe('dev');
  });

  const base = decodeAuthRequest(authFrames({}));
  it.each([
    ['no credentials configured', {}, undefined, 0],
    ['wrong cluster name', { clusterName: 'x' }, undefined, 1],
    ['serialization version 2', { serializationVersion: 2 }, undefined, 2],
    ['password required, none given', {}, { username: 'u', password: 'p' }, 1],
    ['right password', { username: 'u', password: 'p' }, { username: 'u', password: 'p' }, 0],
    ['wrong password', { username: 'u', password: 'q' }, { username: 'u', password: 'p' }, 1],
    ['right token', { token: Buffer.from('t'.repeat(16)) }, { token: 't'.repeat(16) }, 0],
    ['wrong token', { token: Buffer.from('x'.repeat(16)) }, { token: 't'.repeat(16) }, 1],
  ] as const)('%s', (_name, req, credentials, status) => {
    const decoded = decodeAuthRequest(authFrames(req));
    expect(decoded.clientUuid).toBe(base.clientUuid);
    expect(authenticate(decoded, { clusterName: 'dev', credentials }).status).toBe(status);
  });

  it('encodes the 54-byte response initial frame of spec §1.3', () => {
    const buf = encodeAuthResponse(1n, {
      status: 0,
      memberUuid: CLIENT_UUID,
      partitionCount: 271,
      clusterId: CLIENT_UUID,
      address: { host: '127.0.0.1', port: 5701 },
      serverVersion: '5.5.0',
    });
    expect(buf.readInt32LE(0)).toBe(60);
    expect(buf.readUInt16LE(4)).toBe(0xc000);
    expect(buf.readInt32LE(6 + 32)).toBe(271);
    // Address: BEGIN, port 5701 (0x1645), host, END; then version with IS_FINAL.
    expect(buf.subarray(60, 66).readUInt16LE(4)).toBe(0x1000);
    expect(buf.readInt32LE(66 + 6)).toBe(5701);
    expect(
      buf
        .subarray(buf.length - 11)
        .toString('latin1')
        .endsWith('5.5.0'),
    ).toBe(true);
    expect(buf.readUInt16LE(buf.length - 11 + 4)).toBe(0x2000);
  });
});
