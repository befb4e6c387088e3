import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshotHeader } from '../../../cache-node/src/store/snapshot.js';
import { k, makeStore, v } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mdc-snap-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function filled() {
  const made = makeStore([{ name: 'a' }, { name: 'b', ttlSeconds: 100 }]);
  const a = made.store.map('a')!;
  for (let i = 0; i < 50; i++) a.set(k(`k${i}`), v(`value ${i}`));
  made.store.map('b')!.set(k('x'), Buffer.alloc(3000, 7));
  return made;
}

describe('snapshots', () => {
  test('save then load restores every map, entry and expiry, atomically written', async () => {
    const { store, clock } = filled();
    const path = join(dir, 'snap.bin');
    expect(await store.saveSnapshot(path)).toEqual({ ok: true, maps: 2, entries: 51 });
    expect(readdirSync(dir)).toEqual(['snap.bin']);
    const fresh = makeStore([{ name: 'a' }, { name: 'b', ttlSeconds: 100 }]);
    fresh.clock.t = clock.t;
    expect(await fresh.store.loadSnapshot(path)).toEqual({ ok: true, maps: 2, entries: 51 });
    const a = fresh.store.map('a')!;
    expect(a.size).toBe(50);
    expect(a.peek(k('k7'))?.equals(v('value 7'))).toBe(true);
    const [x] = [...fresh.store.map('b')!.entries()];
    expect(x.value.equals(Buffer.alloc(3000, 7))).toBe(true);
    expect(x.expiresAt).toBe(clock.t + 100_000);
    fresh.clock.advance(100_000);
    expect(fresh.store.map('b')!.has(k('x'))).toBe(false);
  });

  test('loads in chunks: frames larger than a read chunk and many frames across chunk edges', async () => {
    const made = makeStore([{ name: 'big', maxSizeBytes: 64 << 20 }]);
    const big = made.store.map('big')!;
    // 3 MiB spans several 1 MiB reads; 20 000 small entries put frame edges inside every chunk.
    const huge = Buffer.alloc(3 << 20);
    for (let i = 0; i < huge.length; i += 4096) huge[i] = i % 251;
    big.set(k('huge'), huge);
    for (let i = 0; i < 20_000; i++) big.set(k(`e${i}`), v(`value ${i}`.repeat(1 + (i % 7))));
    const path = join(dir, 'snap.bin');
    expect(await made.store.saveSnapshot(path)).toEqual({ ok: true, maps: 1, entries: 20_001 });
    const fresh = makeStore([{ name: 'big', maxSizeBytes: 64 << 20 }]);
    expect(await fresh.store.loadSnapshot(path)).toEqual({ ok: true, maps: 1, entries: 20_001 });
    const loaded = fresh.store.map('big')!;
    expect(loaded.peek(k('huge'))?.equals(huge)).toBe(true);
    for (const i of [0, 1, 6999, 19_999]) {
      expect(loaded.peek(k(`e${i}`))?.equals(v(`value ${i}`.repeat(1 + (i % 7))))).toBe(true);
    }
  });

  test('a corrupt frame length is reported as truncation, not allocated', async () => {
    const { store } = filled();
    const path = join(dir, 'snap.bin');
    await store.saveSnapshot(path);
    const c = readFileSync(path);
    c.writeUInt32BE(0xfffffff0, 8 + 1); // the first frame claims almost 4 GiB
    writeFileSync(path, c);
    const r = await makeStore([{ name: 'a' }]).store.loadSnapshot(path);
    expect(r).toMatchObject({ ok: false, entries: 0 });
    expect(r.reason).toMatch(/truncated at byte 8: frame of 4294967280 bytes/);
  });

  test('a missing file is reported', async () => {
    const { store } = makeStore();
    const r = await store.loadSnapshot(join(dir, 'none'));
    expect(r).toMatchObject({ ok: false, entries: 0 });
    expect(r.reason).toMatch(/missing/);
  });

  test.each([
    ['truncated', (b: Buffer) => b.subarray(0, b.length - 20), /truncated/],
    ['cut in the header', (b: Buffer) => b.subarray(0, 5), /truncated/],
    [
      'corrupt',
      (b: Buffer) => {
        const c = Buffer.from(b);
        // A byte inside the last entry's value.
        c[c.length - 100] = c[c.length - 100] ^ 0xff;
        return c;
      },
      /checksum mismatch/,
    ],
    [
      'wrong version',
      (b: Buffer) => Buffer.concat([snapshotHeader(99), b.subarray(8)]),
      /unsupported snapshot version 99/,
    ],
    ['not a snapshot', () => Buffer.from('hello world, not a snapshot'), /bad magic/],
    [
      'trailing garbage',
      (b: Buffer) => Buffer.concat([b, Buffer.from([1, 2, 3])]),
      /after the end frame/,
    ],
  ])('a %s file is reported and nothing is loaded', async (_, damage, reason) => {
    const { store } = filled();
    const path = join(dir, 'snap.bin');
    await store.saveSnapshot(path);
    writeFileSync(path, damage(readFileSync(path)));
    const fresh = makeStore([{ name: 'a' }, { name: 'b' }]);
    fresh.store.map('a')!.set(k('keep'), v('me'));
    const r = await fresh.store.loadSnapshot(path);
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(reason);
    expect(fresh.store.map('a')!.size).toBe(1);
    expect(fresh.store.map('b')!.size).toBe(0);
  });

  test('maps the configuration does not allow are skipped and named', async () => {
    const { store } = filled();
    const path = join(dir, 'snap.bin');
    await store.saveSnapshot(path);
    const fresh = makeStore([{ name: 'a' }]);
    const r = await fresh.store.loadSnapshot(path);
    expect(r).toMatchObject({ ok: true, maps: 1, entries: 50 });
    expect(r.reason).toMatch(/skipped: b$/);
  });

  test('a failed write leaves no file behind and reports why', async () => {
    const { store } = filled();
    const r = await store.saveSnapshot(join(dir, 'no-such-dir', 'snap.bin'));
    expect(r.ok).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('prefetch', () => {
  test('hints are queued once, in order, and taken in batches', () => {
    const { store } = makeStore();
    expect(store.recordPrefetch('a', [k('1'), k('2'), k('1')])).toBe(3);
    expect(store.recordPrefetch('a', [k('2'), k('3')])).toBe(2);
    const first = store.takePrefetch(2);
    expect(first.map((h) => [h.map, h.key.toString('latin1', 12)])).toEqual([
      ['a', '1'],
      ['a', '2'],
    ]);
    expect(store.takePrefetch(10).map((h) => h.key.toString('latin1', 12))).toEqual(['3']);
    expect(store.takePrefetch(10)).toEqual([]);
  });

  test('cached keys and refused maps are not queued', () => {
    const { store } = makeStore([{ name: 'a' }]);
    store.map('a')!.set(k('have'), v('1'));
    expect(store.recordPrefetch('a', [k('have'), k('want')])).toBe(1);
    expect(store.recordPrefetch('nope', [k('x')])).toBe(0);
    expect(store.takePrefetch(10).map((h) => h.key.toString('latin1', 12))).toEqual(['want']);
  });

  test('the queue is bounded', () => {
    const { store } = makeStore();
    const keys = Array.from({ length: 10_050 }, (_, i) => k(`p${i}`));
    expect(store.recordPrefetch('a', keys)).toBe(10_000);
    expect(store.takePrefetch(20_000)).toHaveLength(10_000);
  });
});
