/**
 * Snapshot load: time and transient memory of `loadSnapshot` (two streaming passes over the file)
 * against a whole-file loader (read the file, verify and decode every frame into a list, then
 * restore: the design before streaming), on the same file in the same run.
 *
 *   npm run bench -- snapshot-load [--entries 200000] [--value-bytes 1024] [--rounds 2]
 *
 * Each load runs in a fresh child process, so each has its own peak resident set (`maxRSS`):
 * the loaded store is the same for both, and the difference is what the loader itself holds at
 * its worst (the whole file, for the reference). Rounds alternate the two loaders.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeString } from '../../cache-node/src/data/index.js';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { partitionIdOf } from '../../cache-node/src/data/index.js';
import { createStore, type StoreApi } from '../../cache-node/src/store/index.js';
import { checkHeader, decodeEntry, FrameChecker } from '../../cache-node/src/store/snapshot.js';
import { numberFlag } from './lib/cli.js';

export const defaultArgs = ['--entries', '100000', '--value-bytes', '512'];

const MiB = 1 << 20;

/** The reference: read the whole file, verify and decode every frame, then restore. */
async function wholeFileLoad(store: StoreApi, path: string): Promise<number> {
  const buf = await readFile(path);
  if (checkHeader(buf) !== undefined) throw new Error('bad header');
  const checker = new FrameChecker();
  const items = [];
  for (let at = 8; at < buf.length;) {
    const end = at + 9 + buf.readUInt32BE(at + 1);
    const item = checker.check({ bytes: buf.subarray(at, end), at });
    if (typeof item === 'string') throw new Error(item);
    items.push(item);
    at = end;
  }
  let map: ReturnType<StoreApi['map']>;
  let n = 0;
  for (const item of items) {
    if (item.kind === 'map') map = store.map(item.name);
    else if (item.kind === 'entry') {
      const entry = decodeEntry(item.payload);
      map!.restore({ ...entry, partitionId: partitionIdOf(entry.key, 271) });
      n++;
    }
  }
  return n;
}

function newStore(): StoreApi {
  return createStore({
    partitionCount: 271,
    maps: [{ name: 'inodes', eviction: 'tinylfu', ttlSeconds: 0, maxIdleSeconds: 0 }],
    defaultMap: { eviction: 'tinylfu', ttlSeconds: 0, maxIdleSeconds: 0, maxEntries: 1000 },
    undeclaredMaps: 'reject',
    hotKeys: { topK: 5, halfLifeSeconds: 60 },
    maintenance: {
      expirySweepIntervalSeconds: 0,
      sketchAgingIntervalSeconds: 0,
      statsWindowSeconds: 60,
      statsBuckets: 6,
    },
  });
}

/** A snapshot of `entries` entries (the store is dropped afterwards, so it is not measured). */
async function writeSnapshot(path: string, entries: number, valueBytes: number) {
  const source = newStore();
  const map = source.map('inodes')!;
  const value = Buffer.alloc(valueBytes, 7);
  for (let i = 0; i < entries; i++) map.set(encodeString(`/data/dir${i % 997}/file${i}`), value);
  return source.saveSnapshot(path);
}

/** In a child: load `path` with one loader, print its seconds and peak RSS as JSON. */
async function child(mode: string, path: string): Promise<void> {
  const store = newStore();
  const t0 = performance.now();
  const loaded =
    mode === 'whole-file'
      ? await wholeFileLoad(store, path)
      : (await store.loadSnapshot(path)).entries;
  const s = (performance.now() - t0) / 1000;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ loaded, s, maxRssMiB }));
}

const self = fileURLToPath(import.meta.url);
function inChild(mode: string, path: string): { loaded: number; s: number; maxRssMiB: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', self], {
    env: { ...process.env, SNAPSHOT_BENCH_CHILD: `${mode}:${path}` },
    encoding: 'utf8',
  });
  return JSON.parse(out) as { loaded: number; s: number; maxRssMiB: number };
}

export async function run(argv: string[]): Promise<void> {
  const entries = numberFlag(argv, 'entries', 200_000);
  const valueBytes = numberFlag(argv, 'value-bytes', 1024);
  const rounds = numberFlag(argv, 'rounds', 2);
  const dir = await mkdtemp(join(tmpdir(), 'mdc-snapshot-bench-'));
  try {
    const path = join(dir, 'snap.bin');
    const saved = await writeSnapshot(path, entries, valueBytes);
    const fileBytes = (await stat(path)).size;
    const runs = { streamed: [] as number[][], wholeFile: [] as number[][] };
    for (let round = 0; round < rounds; round++) {
      for (const mode of round % 2 === 0
        ? ['streamed', 'whole-file']
        : ['whole-file', 'streamed']) {
        const r = inChild(mode, path);
        if (r.loaded !== saved.entries)
          throw new Error(`${mode} loaded ${r.loaded} of ${saved.entries}`);
        (mode === 'streamed' ? runs.streamed : runs.wholeFile).push([r.s, r.maxRssMiB]);
      }
    }
    const best = (xs: number[][], i: number) => Math.min(...xs.map((x) => x[i]));
    const fix = (x: number) => Number(x.toFixed(2));
    console.log(
      JSON.stringify({
        bench: 'snapshot-load',
        entries: saved.entries,
        fileMiB: fix(fileBytes / MiB),
        loadSeconds: fix(best(runs.streamed, 0)),
        wholeFileSeconds: fix(best(runs.wholeFile, 0)),
        timeRatio: fix(best(runs.streamed, 0) / best(runs.wholeFile, 0)),
        peakRssMiB: fix(best(runs.streamed, 1)),
        wholeFilePeakRssMiB: fix(best(runs.wholeFile, 1)),
        peakRssRatio: fix(best(runs.streamed, 1) / best(runs.wholeFile, 1)),
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const childJob = process.env.SNAPSHOT_BENCH_CHILD;
if (childJob) {
  const at = childJob.indexOf(':');
  await child(childJob.slice(0, at), childJob.slice(at + 1));
}
