/**
 * Tuning recommendations from one map's windowed statistics: a pure function, so every rule is
 * tested at its boundary. Each recommendation carries the numbers that triggered it.
 *
 * Rules (thresholds inclusive on the side that fires):
 * - raise-max-entries / raise-max-size-bytes (warning): hit ratio ≤ 0.5 while evictions are
 *   ≥ 20% of puts in the window, and the map has that limit.
 * - lower-max-entries (info): entries ≤ 10% of maxEntries with no eviction in the window and at
 *   least one operation in it (an idle map gets no advice).
 * - set-max-size-bytes (info): average entry ≥ 10 KiB and no byte limit.
 * - capacity-nearly-full (warning): eviction "none" and entries ≥ 90% of maxEntries or bytes ≥
 *   90% of maxSizeBytes (writes of new keys will soon fail).
 * A map with no reads in the window gets no hit-ratio verdict.
 */
import type { MapStats, Recommendation } from './types.js';

export const THRESHOLDS = {
  lowHitRatio: 0.5,
  highEvictionRate: 0.2,
  lowUtilisation: 0.1,
  largeEntryBytes: 10 * 1024,
  nearlyFull: 0.9,
} as const;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function recommend(s: MapStats): Recommendation[] {
  const out: Recommendation[] = [];
  const map = s.map;
  const evictionRate = s.puts > 0 ? s.evictions / s.puts : s.evictions > 0 ? 1 : 0;

  if (
    s.hitRatio !== null &&
    s.hitRatio <= THRESHOLDS.lowHitRatio &&
    s.evictions > 0 &&
    evictionRate >= THRESHOLDS.highEvictionRate
  ) {
    const byEntries =
      s.maxEntries !== null &&
      (s.maxSizeBytes === null || s.entries / s.maxEntries >= s.bytes / s.maxSizeBytes);
    const limit = byEntries ? 'maxEntries' : 'maxSizeBytes';
    out.push({
      map,
      id: byEntries ? 'raise-max-entries' : 'raise-max-size-bytes',
      severity: 'warning',
      message: `hit ratio ${pct(s.hitRatio)} over the last ${s.windowSeconds}s with ${s.evictions} evictions for ${s.puts} puts (${pct(evictionRate)}): the working set does not fit; raise ${limit}`,
      evidence: {
        hitRatio: s.hitRatio,
        evictions: s.evictions,
        puts: s.puts,
        evictionRate,
        entries: s.entries,
        maxEntries: s.maxEntries,
        bytes: s.bytes,
        maxSizeBytes: s.maxSizeBytes,
      },
    });
  }

  const active = s.hits + s.misses + s.puts + s.removals > 0;
  if (s.maxEntries !== null && active && s.evictions === 0) {
    const utilisation = s.entries / s.maxEntries;
    if (utilisation <= THRESHOLDS.lowUtilisation) {
      out.push({
        map,
        id: 'lower-max-entries',
        severity: 'info',
        message: `${s.entries} entries use ${pct(utilisation)} of maxEntries ${s.maxEntries} with no evictions in the last ${s.windowSeconds}s: a lower maxEntries would bound memory without losing hits`,
        evidence: { entries: s.entries, maxEntries: s.maxEntries, utilisation, evictions: 0 },
      });
    }
  }

  if (
    s.maxSizeBytes === null &&
    s.entries > 0 &&
    s.averageEntryBytes >= THRESHOLDS.largeEntryBytes
  ) {
    out.push({
      map,
      id: 'set-max-size-bytes',
      severity: 'info',
      message: `average entry is ${Math.round(s.averageEntryBytes)} bytes (${s.entries} entries, ${s.bytes} bytes) and the map has no byte limit: set maxSizeBytes to bound memory`,
      evidence: { averageEntryBytes: s.averageEntryBytes, entries: s.entries, bytes: s.bytes },
    });
  }

  if (s.eviction === 'none') {
    const entryFill = s.maxEntries !== null ? s.entries / s.maxEntries : 0;
    const byteFill = s.maxSizeBytes !== null ? s.bytes / s.maxSizeBytes : 0;
    const fill = Math.max(entryFill, byteFill);
    if (fill >= THRESHOLDS.nearlyFull) {
      out.push({
        map,
        id: 'capacity-nearly-full',
        severity: 'warning',
        message: `eviction is "none" and the map is ${pct(fill)} full (${s.entries} entries, ${s.bytes} bytes): writes of new keys will be refused; raise the limit or choose an eviction policy`,
        evidence: {
          entries: s.entries,
          maxEntries: s.maxEntries,
          bytes: s.bytes,
          maxSizeBytes: s.maxSizeBytes,
          fill,
        },
      });
    }
  }
  return out;
}
