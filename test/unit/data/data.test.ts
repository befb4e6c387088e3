import {
  decodeHttpValue,
  encodeHttpValue,
  encodeString,
  keyToDisplay,
  partitionHash,
  partitionIdOf,
} from '../../../cache-node/src/data/index.js';

// Vectors from the protocol spec §5.4 (checked against the real client).
const vectors: [string, number, number][] = [
  ['00000000fffffff5000000036b6579', 1476017569, 80],
  ['00000000fffffff5000000026b31', 1192665601, 21],
  ['00000000fffffff50000000161', 2099876635, 73],
  ['00000000fffffff500000000', 923237662, 11],
  ['00000000fffffff5000000026e63', -1298602143, 224],
  ['00000000fffffff50000000b68656c6c6f20776f726c64', 1531991486, 31],
  ['00000000fffffff500000005c3bce282ac', -1876825910, 234],
  ['00000000fffffff64045000000000000', -340724686, 180],
  ['00000000fffffff6400c000000000000', -543621949, 14],
  ['00000000fffffff6bff0000000000000', 746220697, 246],
  ['00000000fffffffc01', 535970202, 223],
  ['00000000fffffff80000000000000007', 1354136415, 92],
  ['00000000ffffff7e000000077b2278223a317d', 848126027, 91],
];

describe('partition hashing', () => {
  test.each(vectors)('%s hashes to %i, partition %i', (hex, hash, partition) => {
    const data = Buffer.from(hex, 'hex');
    expect(partitionHash(data)).toBe(hash);
    expect(partitionIdOf(data, 271)).toBe(partition);
  });

  test('a non-zero header hash wins over the payload', () => {
    const data = Buffer.from('00000007fffffff5000000036b6579', 'hex');
    expect(partitionHash(data)).toBe(7);
  });

  test('string keys encode as the client does', () => {
    expect(encodeString('key').toString('hex')).toBe('00000000fffffff5000000036b6579');
    expect(encodeString('ü€').toString('hex')).toBe('00000000fffffff500000005c3bce282ac');
    expect(keyToDisplay(encodeString('ü€'))).toBe('ü€');
  });
});

describe('HTTP value round trip', () => {
  test.each(['application/json', 'text/plain', 'application/octet-stream'] as const)(
    '%s round-trips',
    (ct) => {
      const body = Buffer.from(ct === 'application/json' ? '{"x":1}' : 'héllo');
      const data = encodeHttpValue(ct, body);
      expect(decodeHttpValue(data)).toEqual({ contentType: ct, body });
    },
  );

  test('JSON is stored as HazelcastJsonValue', () => {
    expect(encodeHttpValue('application/json', Buffer.from('{"x":1}')).toString('hex')).toBe(
      '00000000ffffff7e000000077b2278223a317d',
    );
  });

  test('numbers and booleans written by a client read back as JSON', () => {
    expect(
      decodeHttpValue(Buffer.from('00000000fffffff64045000000000000', 'hex')).body.toString(),
    ).toBe('42');
    expect(decodeHttpValue(Buffer.from('00000000fffffffc01', 'hex')).body.toString()).toBe('true');
  });

  test('unknown types are served opaquely', () => {
    const data = Buffer.from('00000000fffffffe01020304', 'hex');
    expect(decodeHttpValue(data)).toEqual({
      contentType: 'application/vnd.hazelcast.data',
      body: data,
    });
  });

  test('truncated payloads are served opaquely rather than misread', () => {
    const data = Buffer.from('00000000fffffff5000000ff6b', 'hex');
    expect(decodeHttpValue(data).contentType).toBe('application/vnd.hazelcast.data');
  });
});
