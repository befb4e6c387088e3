import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { nextUses, optHits } from '../../bench/lib/opt.js';
import { parseLisLine, readTrace } from '../../bench/lib/trace.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mdc-trace-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('trace reader', () => {
  test('parses .lis lines and skips malformed ones', () => {
    expect(parseLisLine('100 3 0 0')).toEqual([100, 3]);
    expect(parseLisLine('  7 1')).toEqual([7, 1]);
    expect(parseLisLine('')).toBeNull();
    expect(parseLisLine('x 1 0 0')).toBeNull();
    expect(parseLisLine('1 -2 0 0')).toBeNull();
  });

  test('expands .lis ranges, gzipped or not', async () => {
    const text = '10 3 0 0\n5 1 0 0\n\n';
    writeFileSync(join(dir, 't.lis'), text);
    writeFileSync(join(dir, 't.lis.gz'), gzipSync(text));
    expect(await readTrace(join(dir, 't.lis'))).toEqual([10, 11, 12, 5]);
    expect(await readTrace(join(dir, 't.lis.gz'))).toEqual([10, 11, 12, 5]);
  });

  test('reads one key per line, numeric keys as numbers', async () => {
    writeFileSync(join(dir, 'keys.txt'), 'a\n42\n\nb c\n007\n');
    expect(await readTrace(join(dir, 'keys.txt'))).toEqual(['a', 42, 'b c', '007']);
  });
});

describe('OPT (Bélády)', () => {
  test('next uses', () => {
    expect([...nextUses([1, 2, 1, 3, 2])]).toEqual([2, 4, Infinity, Infinity, Infinity]);
  });

  test('evicts the key used farthest in the future', () => {
    // capacity 2: 1 2 3 1 2 — at 3, evict 2 (used after 1) → 1 hits, then 2 misses.
    expect(optHits([1, 2, 3, 1, 2], 2)).toBe(1);
    // A loop of 3 through 2 slots: OPT hits half of the steady-state requests.
    expect(optHits([1, 2, 3, 1, 2, 3, 1, 2, 3], 2)).toBe(3);
    expect(optHits([1, 1, 1], 1)).toBe(2);
  });
});
