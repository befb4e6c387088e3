import { dashboardSvg, formatValue, type PanelData } from '../../../dashboards/src/snapshot.js';
import { substituteGrafana } from '../../../dashboards/src/promql.js';

describe('formatValue', () => {
  it.each([
    [0.847, 'percentunit', '84.7%'],
    [0.0000251, 's', '25 µs'],
    [0.0183, 's', '18.3 ms'],
    [2.5, 's', '2.50 s'],
    [41.6, 'ops', '41.6 ops/s'],
    [9710, 'bytes', '9.71 kB'],
    [3, 'short', '3'],
    [NaN, 'short', '–'],
  ])('%d %s → %s', (value, unit, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });
});

describe('dashboardSvg', () => {
  const panel = (over: Partial<PanelData>): PanelData => ({
    title: 'Ops',
    type: 'timeseries',
    unit: 'ops',
    series: [
      {
        name: 'get <hit>',
        points: [
          [1, 1],
          [2, 3],
        ],
      },
    ],
    ...over,
  });

  it('draws one tile per panel, escaping text', () => {
    const svg = dashboardSvg('T & co', 'sub', [panel({}), panel({ type: 'stat', title: 'Stat' })]);
    expect(svg.match(/<g>/g)).toHaveLength(2);
    expect(svg).toContain('T &amp; co');
    expect(svg).toContain('get &lt;hit&gt;');
    expect(svg).toContain('<polyline');
  });

  it('says "No data" for a panel without finite values', () => {
    const svg = dashboardSvg('T', 's', [panel({ series: [{ name: 'x', points: [[1, NaN]] }] })]);
    expect(svg).toContain('No data');
  });
});

describe('substituteGrafana', () => {
  it('replaces $__rate_interval and variables, multi-values as alternations', () => {
    expect(
      substituteGrafana('rate(m{a=~"$namespace", b="${cache}"}[$__rate_interval])', {
        rateInterval: '10s',
        variables: { namespace: ['x', 'y'], cache: 'c' },
      }),
    ).toBe('rate(m{a=~"(x|y)", b="c"}[10s])');
  });

  it('leaves unknown variables alone', () => {
    expect(substituteGrafana('$other', { rateInterval: '1m', variables: {} })).toBe('$other');
  });
});
