import { partitionHash } from '../../../cache-node/src/data/index.js';
import {
  EntryRecord,
  identityHash,
  keyHash,
  sameIdentity,
} from '../../../cache-node/src/store/entry.js';
import { EntryIndex } from '../../../cache-node/src/store/entry-index.js';
import { k } from './helpers.js';

const record = (key: Buffer, identity: number) =>
  new EntryRecord(identity, key, Buffer.alloc(0), 0, 0, 0, 0, 0, 0, 0, 0);

describe('entry identity', () => {
  test('identity ignores the 4-byte header; keyHash is the partition hash', () => {
    const a = k('same');
    const b = Buffer.from(a);
    b.writeInt32BE(99, 0);
    expect(identityHash(a)).toBe(identityHash(b));
    expect(sameIdentity(a, b)).toBe(true);
    expect(sameIdentity(a, k('diff'))).toBe(false);
    expect(identityHash(a)).toBeLessThan(2 ** 30);
    expect(keyHash(a)).toBe(partitionHash(a));
    expect(keyHash(b)).toBe(partitionHash(b));
  });

  test('keys whose identity hashes collide are kept apart', () => {
    const index = new EntryIndex();
    const [a, b, c] = [k('a'), k('b'), k('c')].map((key) => record(key, 7));
    index.add(a);
    index.add(b);
    index.add(c);
    expect(index.size).toBe(3);
    expect(index.get(k('b'), 7)).toBe(b);
    expect(index.get(k('z'), 7)).toBeUndefined();
    expect(index.delete(b)).toBe(true);
    expect(index.get(k('b'), 7)).toBeUndefined();
    expect(index.get(k('a'), 7)).toBe(a);
    expect(index.get(k('c'), 7)).toBe(c);
    expect(index.delete(b)).toBe(false);
    expect(index.delete(c)).toBe(true);
    expect([...index.values()]).toEqual([a]);
    expect(index.size).toBe(1);
  });
});
