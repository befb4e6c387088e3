/**
 * The clustered conditional writes and map-wide reads between two in-process members whose
 * "channels" call each other's request handlers (headers through JSON, buffers copied, as the
 * wire does): a write is decided on the owner and copied to the backup; keySet/values/entrySet
 * return each entry once although every member holds every entry (owner or backup).
 */
import { describe, expect, it } from '@jest/globals';
import { ClusteredMapService, type Routing } from '../../../cache-node/src/cluster/data-path.js';
import type { Channel, Message } from '../../../cache-node/src/cluster/channel.js';
import { MemberNearCache } from '../../../cache-node/src/cluster/member-near-cache.js';
import { applyRecords, decodeRecords } from '../../../cache-node/src/cluster/replication.js';
import { encodeString, partitionIdOf } from '../../../cache-node/src/data/index.js';
import type { ChangeEvent, StoreApi } from '../../../cache-node/src/store/types.js';
import { makeStore, type FakeClock } from '../store/helpers.js';

const PARTITIONS = 271;
const MAP = 'm';
const s = encodeString;
const part = (key: Buffer) => partitionIdOf(key, PARTITIONS);
/** Partitions owned by member "a" (even) and "b" (odd); each is the other's backup. */
const ownerOf = (p: number) => (p % 2 === 0 ? 'a' : 'b');

interface Member {
  id: string;
  store: StoreApi;
  clock: FakeClock;
  svc: ClusteredMapService;
  events: ChangeEvent[];
  requests: Record<string, unknown>[];
  /** This member's answer to a request from the other one. */
  serve(msg: Message): Message | Promise<Message>;
}

function cluster(mapReadMaxBytes?: number): Record<'a' | 'b', Member> {
  const members = {} as Record<'a' | 'b', Member>;
  for (const id of ['a', 'b'] as const) {
    const { store, clock } = makeStore([], { undeclaredMaps: 'allow' });
    const other = id === 'a' ? 'b' : 'a';
    const channel = {
      request: (header: Record<string, unknown>, buffers: Buffer[] = []) =>
        Promise.resolve(
          members[other].serve({
            header: JSON.parse(JSON.stringify(header)) as Message['header'],
            buffers: buffers.map((b) => Buffer.from(b)),
          }),
        ),
    } as unknown as Channel;
    const routing: Routing = {
      selfId: id,
      partitionCount: PARTITIONS,
      assertReady: () => undefined,
      ownerOf,
      servesReadLocally: (p) => ownerOf(p) === id,
      replicaTargets: () => [other],
      channelTo: (memberId) => (memberId === other ? channel : undefined),
      memberIds: () => ['a', 'b'],
      trackWrite: () => undefined,
      collectInvalidationAcks: <T>(work: () => T): [T, Promise<unknown>[]] => [work(), []],
      stable: () => true,
      clusterId: () => 'cid',
      ownedCount: () => 0,
    };
    const svc = new ClusteredMapService(store, routing, new MemberNearCache(100), {
      backupMode: 'sync',
      backupTimeoutMs: 1000,
      onBackupFailure: () => undefined,
      ...(mapReadMaxBytes !== undefined ? { mapReadMaxBytes } : {}),
    });
    const events: ChangeEvent[] = [];
    store.onChange((e) => events.push(e));
    const requests: Record<string, unknown>[] = [];
    members[id] = {
      id,
      store,
      clock,
      svc,
      events,
      requests,
      serve: (msg) => {
        requests.push(msg.header);
        switch (msg.header.op) {
          case 'key':
            return svc.serveKey(msg);
          case 'mapop':
            return svc.serveMapOp(msg);
          case 'backup':
            applyRecords(store, decodeRecords(msg), PARTITIONS, clock.now());
            return { header: {}, buffers: [] };
          default:
            throw new Error(`unexpected request ${String(msg.header.op)}`);
        }
      },
    };
  }
  return members;
}

/** A key owned by member `id`. */
function keyOwnedBy(id: 'a' | 'b', tag: string): Buffer {
  for (let i = 0; ; i++) {
    const key = s(`${tag}-${i}`);
    if (ownerOf(part(key)) === id) return key;
  }
}

const valueOn = (m: Member, key: Buffer) => m.store.getMap(MAP)?.peek(key);

describe('clustered conditional writes', () => {
  it('replace through a non-owner: decided on the owner, copied to the backup', async () => {
    const { a, b } = cluster();
    const key = keyOwnedBy('b', 'r');
    expect(await a.svc.replace(MAP, key, s('1'), { origin: 'c' })).toBeUndefined();
    expect(valueOn(b, key)).toBeUndefined();
    expect(valueOn(a, key)).toBeUndefined();
    await a.svc.put(MAP, key, s('1'));
    expect(await a.svc.replace(MAP, key, s('2'), { origin: 'c' })).toEqual(s('1'));
    expect(valueOn(b, key)).toEqual(s('2'));
    expect(valueOn(a, key)).toEqual(s('2')); // the backup copy
    // The owner changed its store once per write, with the client as origin.
    expect(b.events.filter((e) => e.kind === 'put').map((e) => e.origin)).toEqual([undefined, 'c']);
  });

  it('replaceIfSame and removeIfSame carry the expected value to the owner', async () => {
    const { a, b } = cluster();
    const key = keyOwnedBy('b', 'cas');
    await b.svc.put(MAP, key, s('1'));
    expect(await a.svc.replaceIfSame(MAP, key, s('0'), s('2'))).toBe(false);
    expect(valueOn(b, key)).toEqual(s('1'));
    expect(await a.svc.replaceIfSame(MAP, key, s('1'), s('2'))).toBe(true);
    expect(valueOn(b, key)).toEqual(s('2'));
    expect(valueOn(a, key)).toEqual(s('2'));
    const forwarded = b.requests.filter((h) => h.op === 'key').map((h) => [h.name, h.expected]);
    expect(forwarded).toEqual([
      ['replaceIfSame', true],
      ['replaceIfSame', true],
    ]);
    expect(await a.svc.removeIfSame(MAP, key, s('1'), 'c')).toBe(false);
    expect(valueOn(b, key)).toEqual(s('2'));
    expect(await a.svc.removeIfSame(MAP, key, s('2'), 'c')).toBe(true);
    expect(valueOn(b, key)).toBeUndefined();
    expect(valueOn(a, key)).toBeUndefined(); // the backup copy is removed too
    // A missing key: nothing to compare, nothing written.
    expect(await a.svc.replaceIfSame(MAP, key, s('2'), s('3'))).toBe(false);
    expect(valueOn(b, key)).toBeUndefined();
  });

  it('setTtl moves the deadline on the owner and the backup, keeping max-idle', async () => {
    const { a, b } = cluster();
    const key = keyOwnedBy('b', 'ttl');
    expect(await a.svc.setTtl(MAP, key, 1000, 'c')).toBe(false);
    await a.svc.put(MAP, key, s('v'), { maxIdleMs: 60_000 });
    expect(await a.svc.setTtl(MAP, key, 1000, 'c')).toBe(true);
    const owner = b.store.getMap(MAP)!.peekEntry(key)!;
    const backup = a.store.getMap(MAP)!.peekEntry(key)!;
    expect(owner.expiresAt).toBe(b.clock.now() + 1000);
    expect(backup).toMatchObject({ expiresAt: owner.expiresAt, maxIdleMs: 60_000 });
    expect(b.events.at(-1)).toMatchObject({ kind: 'ttl', origin: 'c' });
    // 0 = never expires.
    expect(await a.svc.setTtl(MAP, key, 0)).toBe(true);
    expect(a.store.getMap(MAP)!.peekEntry(key)!.expiresAt).toBe(0);
  });
});

describe('clustered map-wide reads', () => {
  it('return every entry once: owned entries only, never backup copies', async () => {
    const { a, b } = cluster();
    const keys = Array.from({ length: 40 }, (_, i) => s(`k${i}`));
    for (const [i, key] of keys.entries()) await a.svc.put(MAP, key, s(`v${i}`));
    // Every member holds every entry (owner or backup).
    expect(a.store.getMap(MAP)!.size).toBe(40);
    expect(b.store.getMap(MAP)!.size).toBe(40);
    const text = (d: Buffer) => d.toString('utf8', 12);
    for (const m of [a, b]) {
      expect((await m.svc.keySet(MAP)).map(text).sort()).toEqual(keys.map(text).sort());
      expect((await m.svc.values(MAP)).map(text).sort()).toEqual(
        keys.map((_, i) => `v${i}`).sort(),
      );
      const entries = await m.svc.entrySet(MAP);
      expect(entries).toHaveLength(40);
      for (const [k, v] of entries) expect(text(v)).toBe(`v${text(k).slice(1)}`);
    }
  });

  it('containsValue finds a value whichever member owns it', async () => {
    const { a, b } = cluster();
    await a.svc.put(MAP, keyOwnedBy('a', 'x'), s('on-a'));
    await a.svc.put(MAP, keyOwnedBy('b', 'y'), s('on-b'));
    for (const m of [a, b]) {
      expect(await m.svc.containsValue(MAP, s('on-a'))).toBe(true);
      expect(await m.svc.containsValue(MAP, s('on-b'))).toBe(true);
      expect(await m.svc.containsValue(MAP, s('nowhere'))).toBe(false);
    }
  });

  it('an empty or never-written map reads as empty on every member', async () => {
    const { a } = cluster();
    expect(await a.svc.keySet('never')).toEqual([]);
    expect(await a.svc.entrySet('never')).toEqual([]);
    expect(await a.svc.containsValue('never', s('x'))).toBe(false);
  });

  it('refuses a member share over the size limit with a clear error, and keeps serving', async () => {
    const { a } = cluster(200);
    for (let i = 0; i < 20; i++) await a.svc.put(MAP, s(`big-${i}`), s('x'.repeat(40)));
    await expect(a.svc.entrySet(MAP)).rejects.toThrow(/exceeds 200 bytes on one member/);
    expect(await a.svc.containsValue(MAP, s('x'.repeat(40)))).toBe(true);
    expect(await a.svc.get(MAP, s('big-1'))).toEqual(s('x'.repeat(40)));
  });
});
