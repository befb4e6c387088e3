/**
 * A static picture of a dashboard from query results: one SVG with a tile per panel (line chart,
 * big number or table, like the Grafana panel type). Pure; the e2e test renders it to PNG.
 */

export interface Series {
  name: string;
  /** [unix seconds, value] pairs; NaN values are skipped. */
  points: [number, number][];
}

export interface PanelData {
  title: string;
  type: 'timeseries' | 'stat' | 'table';
  unit: string;
  series: Series[];
}

const W = 1600;
const COLS = 3;
const TILE_W = W / COLS;
const TILE_H = 260;
const HEADER = 60;
const COLORS = [
  '#7eb26d',
  '#eab839',
  '#6ed0e0',
  '#ef843c',
  '#e24d42',
  '#1f78c1',
  '#ba43a9',
  '#705da0',
];

const esc = (s: string) =>
  s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

/** A short human number with the panel's unit. */
export function formatValue(v: number, unit: string): string {
  if (!Number.isFinite(v)) return '–';
  if (unit === 'percentunit') return `${(v * 100).toFixed(1)}%`;
  if (unit === 's') {
    if (v < 1e-3) return `${(v * 1e6).toFixed(0)} µs`;
    if (v < 1) return `${(v * 1e3).toFixed(1)} ms`;
    return `${v.toFixed(2)} s`;
  }
  const suffix = unit === 'bytes' ? 'B' : unit === 'ops' ? ' ops/s' : '';
  const abs = Math.abs(v);
  const [scaled, prefix] =
    abs >= 1e9
      ? [v / 1e9, 'G']
      : abs >= 1e6
        ? [v / 1e6, 'M']
        : abs >= 1e3
          ? [v / 1e3, 'k']
          : [v, ''];
  const digits = Number.isInteger(scaled) ? 0 : Math.abs(scaled) < 10 ? 2 : 1;
  return `${scaled.toFixed(digits)}${prefix ? ` ${prefix}` : ''}${suffix}`;
}

const finite = (s: Series) => s.points.filter(([, v]) => Number.isFinite(v));

function lineChart(p: PanelData, x: number, y: number): string {
  const plot = { x: x + 84, y: y + 36, w: TILE_W - 104, h: TILE_H - 100 };
  const all = p.series.flatMap(finite);
  if (all.length === 0) return noData(x, y);
  const ts = all.map(([t]) => t);
  const vs = all.map(([, v]) => v);
  const [t0, t1] = [Math.min(...ts), Math.max(...ts)];
  const [v0, v1] = [Math.min(0, ...vs), Math.max(...vs)];
  const span = v1 - v0 || 1;
  const sx = (t: number) => plot.x + ((t - t0) / (t1 - t0 || 1)) * plot.w;
  const sy = (v: number) => plot.y + plot.h - ((v - v0) / span) * plot.h;
  const grid = [0, 0.5, 1].map((f) => {
    const v = v0 + f * span;
    return `<line x1="${plot.x}" x2="${plot.x + plot.w}" y1="${sy(v)}" y2="${sy(v)}" stroke="#333"/><text x="${plot.x - 6}" y="${sy(v) + 4}" fill="#999" font-size="11" text-anchor="end">${esc(formatValue(v, p.unit))}</text>`;
  });
  const lines = p.series.slice(0, COLORS.length).map((s, i) => {
    const pts = finite(s).map(([t, v]) => `${sx(t).toFixed(1)},${sy(v).toFixed(1)}`);
    return `<polyline fill="none" stroke="${COLORS[i]}" stroke-width="2" points="${pts.join(' ')}"/>`;
  });
  const legend = p.series.slice(0, 4).map((s, i) => {
    const last = finite(s).at(-1)?.[1] ?? NaN;
    const lx = x + 20 + (i % 2) * (TILE_W / 2 - 20);
    const ly = y + TILE_H - 34 + Math.floor(i / 2) * 16;
    return `<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${COLORS[i]}"/><text x="${lx + 16}" y="${ly}" fill="#ccc" font-size="12">${esc(`${s.name.slice(0, 30)}: ${formatValue(last, p.unit)}`)}</text>`;
  });
  return [...grid, ...lines, ...legend].join('');
}

function bigNumber(p: PanelData, x: number, y: number): string {
  const last = p.series.map((s) => finite(s).at(-1)?.[1] ?? NaN).find(Number.isFinite) ?? NaN;
  return `<text x="${x + TILE_W / 2}" y="${y + TILE_H / 2 + 24}" fill="#73bf69" font-size="56" font-weight="bold" text-anchor="middle">${esc(formatValue(last, p.unit))}</text>`;
}

function table(p: PanelData, x: number, y: number): string {
  const rows = p.series
    .map((s) => ({ name: s.name, v: finite(s).at(-1)?.[1] ?? NaN }))
    .sort((a, b) => b.v - a.v)
    .slice(0, 10);
  if (rows.length === 0) return noData(x, y);
  return rows
    .map(
      (r, i) =>
        `<text x="${x + 20}" y="${y + 56 + i * 19}" fill="#ccc" font-size="13">${esc(r.name.slice(0, 52))}</text><text x="${x + TILE_W - 20}" y="${y + 56 + i * 19}" fill="#ccc" font-size="13" text-anchor="end">${esc(formatValue(r.v, p.unit))}</text>`,
    )
    .join('');
}

const noData = (x: number, y: number) =>
  `<text x="${x + TILE_W / 2}" y="${y + TILE_H / 2}" fill="#e24d42" font-size="20" text-anchor="middle">No data</text>`;

export function dashboardSvg(title: string, subtitle: string, panels: PanelData[]): string {
  const rows = Math.ceil(panels.length / COLS);
  const height = HEADER + rows * TILE_H;
  const tiles = panels.map((p, i) => {
    const x = (i % COLS) * TILE_W;
    const y = HEADER + Math.floor(i / COLS) * TILE_H;
    const body =
      p.type === 'stat'
        ? bigNumber(p, x, y)
        : p.type === 'table'
          ? table(p, x, y)
          : lineChart(p, x, y);
    return `<g><rect x="${x + 4}" y="${y + 4}" width="${TILE_W - 8}" height="${TILE_H - 8}" rx="4" fill="#181b1f" stroke="#2c3235"/><text x="${x + 16}" y="${y + 26}" fill="#e0e0e0" font-size="15" font-weight="bold">${esc(p.title)}</text>${body}</g>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${W}" height="${height}" fill="#111217"/>`,
    `<text x="16" y="34" fill="#fff" font-size="24" font-weight="bold">${esc(title)}</text>`,
    `<text x="${W - 16}" y="34" fill="#999" font-size="14" text-anchor="end">${esc(subtitle)}</text>`,
    ...tiles,
    '</svg>',
  ].join('\n');
}
