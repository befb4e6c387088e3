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

  test('the identity hash covers the type id and payload; short keys hash too', () => {
    const a = k('same');
    const otherType = Buffer.from(a);
    otherType.writeInt32BE(-130, 4);
    expect(identityHash(otherType)).not.toBe(identityHash(a));
    expect(identityHash(k('samf'))).not.toBe(identityHash(a));
    for (const short of [Buffer.alloc(0), Buffer.from([1, 2]), Buffer.from([0, 0, 0, 0, 9, 9])]) {
      expect(identityHash(short)).toBeLessThan(2 ** 30);
      expect(keyHash(short)).toBe(partitionHash(short));
    }
    const headerOnly = Buffer.from([0, 0, 0, 0, 1, 2, 3]);
    const otherHeader = Buffer.from([0, 0, 0, 5, 1, 2, 3]);
    expect(identityHash(headerOnly)).toBe(identityHash(otherHeader));
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

  test('grows, shrinks and keeps every key findable under random adds and deletes', () => {
    const index = new EntryIndex();
    const live = new Map<string, EntryRecord>();
    let x = 12345;
    const rand = (n: number) => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return (x >>> 0) % n;
    };
    for (let step = 0; step < 20_000; step++) {
      const name = `k${rand(3_000)}`;
      const key = k(name);
      // Few distinct hashes for some keys, so runs of equal tags and wrapped runs occur.
      const identity = name.endsWith('7') ? 7 : identityHash(key);
      const present = live.get(name);
      if (present) {
        expect(index.get(key, identity)).toBe(present);
        if (rand(2) === 0) {
          expect(index.delete(present)).toBe(true);
          live.delete(name);
        }
      } else {
        expect(index.get(key, identity)).toBeUndefined();
        const e = record(key, identity);
        index.add(e);
        live.set(name, e);
      }
      expect(index.size).toBe(live.size);
    }
    for (const [name, e] of live) expect(index.get(k(name), e.identity)).toBe(e);
    // Drain: the table shrinks and stays consistent.
    for (const e of live.values()) expect(index.delete(e)).toBe(true);
    expect(index.size).toBe(0);
    expect(index.values()).toEqual([]);
  });

  test('iterates in insertion order', () => {
    const index = new EntryIndex();
    const es = Array.from({ length: 100 }, (_, i) => record(k(`k${i}`), identityHash(k(`k${i}`))));
    for (const e of es) index.add(e);
    index.delete(es[10]);
    expect(index.values()).toEqual(es.filter((_, i) => i !== 10));
  });
});
