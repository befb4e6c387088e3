/**
 * Trace readers for the hit-ratio benchmark: ARC `.lis` (`start count x y` per line, expanded into
 * `count` consecutive keys; Megiddo and Modha, FAST 2003) or one key per line, gzipped or not.
 * Keys are returned as numbers when every key is numeric (compact), otherwise as strings.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

export type TraceKey = number | string;

function open(file: string): Readable {
  const raw = createReadStream(file);
  return file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
}

/** Parses one `.lis` line into [start, count]; null for blank or malformed lines. */
export function parseLisLine(line: string): [number, number] | null {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2) return null;
  const start = Number(parts[0]);
  const count = Number(parts[1]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(count) || count < 0) return null;
  return [start, count];
}

/** Reads the whole trace into memory as an array of keys (requests, in order). */
export async function readTrace(file: string): Promise<TraceKey[]> {
  const lis = /\.lis(\.gz)?$/.test(file);
  const keys: TraceKey[] = [];
  const lines = createInterface({ input: open(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (lis) {
      const parsed = parseLisLine(line);
      if (!parsed) continue;
      const [start, count] = parsed;
      for (let i = 0; i < count; i++) keys.push(start + i);
    } else {
      const key = line.trim();
      if (key === '') continue;
      const n = Number(key);
      keys.push(Number.isSafeInteger(n) && String(n) === key ? n : key);
    }
  }
  return keys;
}
