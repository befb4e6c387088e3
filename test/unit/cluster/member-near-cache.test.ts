import { MemberNearCache } from '../../../cache-node/src/cluster/member-near-cache.js';
import { encodeString } from '../../../cache-node/src/data/index.js';

const k = (s: string) => encodeString(s);
const v = (s: string) => Buffer.from(s);

describe('MemberNearCache', () => {
  it('caches an owner answer and serves it', () => {
    const nc = new MemberNearCache(10);
    const t = nc.reserve('m', k('a'));
    nc.complete('m', k('a'), t, v('1'));
    expect(nc.get('m', k('a'))).toEqual(v('1'));
    expect(nc.hits).toBe(1);
    expect(nc.get('m', k('b'))).toBeUndefined();
    expect(nc.misses).toBe(1);
  });

  it('does not cache an answer when an invalidation arrived while it was in flight', () => {
    const nc = new MemberNearCache(10);
    const t = nc.reserve('m', k('a'));
    nc.invalidate('m', k('a'));
    nc.complete('m', k('a'), t, v('old'));
    expect(nc.get('m', k('a'))).toBeUndefined();
  });

  it('ignores the partition-hash header in key identity', () => {
    const nc = new MemberNearCache(10);
    const key = k('a');
    const withHash = Buffer.from(key);
    withHash.writeInt32BE(12345, 0);
    nc.complete('m', key, nc.reserve('m', key), v('1'));
    expect(nc.get('m', withHash)).toEqual(v('1'));
  });

  it('drops a whole map on a null-key invalidation, other maps stay', () => {
    const nc = new MemberNearCache(10);
    nc.complete('m', k('a'), nc.reserve('m', k('a')), v('1'));
    nc.complete('n', k('a'), nc.reserve('n', k('a')), v('2'));
    nc.invalidate('m', null);
    expect(nc.get('m', k('a'))).toBeUndefined();
    expect(nc.get('n', k('a'))).toEqual(v('2'));
  });

  it('evicts the least recently used entry beyond its bound', () => {
    const nc = new MemberNearCache(2);
    for (const key of ['a', 'b']) nc.complete('m', k(key), nc.reserve('m', k(key)), v(key));
    nc.get('m', k('a'));
    nc.complete('m', k('c'), nc.reserve('m', k('c')), v('c'));
    expect(nc.size).toBe(2);
    expect(nc.get('m', k('b'))).toBeUndefined();
    expect(nc.get('m', k('a'))).toEqual(v('a'));
  });

  it('stores nothing when disabled', () => {
    const nc = new MemberNearCache(0);
    expect(nc.enabled).toBe(false);
    nc.complete('m', k('a'), nc.reserve('m', k('a')), v('1'));
    expect(nc.size).toBe(0);
  });

  it('refreshes a cached key in place from the owner broadcast', () => {
    const nc = new MemberNearCache(10);
    nc.complete('m', k('a'), nc.reserve('m', k('a')), v('1'));
    nc.update('m', k('a'), v('2'));
    expect(nc.get('m', k('a'))).toEqual(v('2'));
  });

  it('does not add a key it did not cache, and cancels a read in flight', () => {
    const nc = new MemberNearCache(10);
    nc.update('m', k('a'), v('2'));
    expect(nc.size).toBe(0);
    const t = nc.reserve('m', k('b'));
    nc.update('m', k('b'), v('new'));
    nc.complete('m', k('b'), t, v('old'));
    expect(nc.get('m', k('b'))).toBeUndefined();
  });
});
