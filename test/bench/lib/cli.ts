/** Small helpers shared by the benchmarks: `--name value` flags, pacing, percentiles. */

/** The value after `--name`, or `dflt`. */
export function flag(argv: string[], name: string, dflt: string): string {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
}

export const numberFlag = (argv: string[], name: string, dflt: number): number =>
  Number(flag(argv, name, String(dflt)));

/** Yield to I/O once (lets sockets deliver between paced writes). */
export const tick = (): Promise<void> => new Promise<void>((r) => setImmediate(r));

/** Sleep until `t` on the performance.now() clock. */
export const sleepUntil = (t: number): Promise<void> =>
  new Promise<void>((r) => setTimeout(r, Math.max(0, t - performance.now())));

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
