/**
 * Counters and histograms whose label sets are resolved once, not on every update.
 *
 * prom-client turns the label object of every `inc`/`observe` into a sorted string key; at tens of
 * thousands of requests per second that was ~10% of a node's busy time. Here a label set resolves
 * (one Map lookup per label) to a cell of plain numbers that hot paths may keep and bump in
 * place; the registry reads the cells only when scraped. The exposition is the one prom-client
 * prints for its own Counter and Histogram (same lines, `_bucket`/`_sum`/`_count`, label order).
 */
import type { Metric, Registry } from 'prom-client';

/** Label values by label name; series are told apart by value, so values are strings. */
export type Labels<L extends string> = Readonly<Record<L, string>>;

/** One counter series: `value` may be bumped directly by whoever resolved it. */
export interface CounterCell {
  readonly labels: Readonly<Record<string, string>>;
  value: number;
}

/** One histogram series: counts per bucket (not cumulative), sum and count of observations. */
export class HistogramCell {
  /** counts[i]: observations ≤ bounds[i] and > bounds[i - 1]; larger ones only count in `count`. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: Float64Array,
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        this.counts[i]++;
        break;
      }
    }
    this.sum += value;
    this.count++;
  }
}

interface Level<T> {
  readonly next: Map<string, Level<T>>;
  leaf: T | undefined;
}

const newLevel = <T>(): Level<T> => ({ next: new Map(), leaf: undefined });

/** Label values → cell, one Map level per label name; cells kept in creation order for export. */
class CellTree<L extends string, T> {
  private readonly root = newLevel<T>();
  readonly cells: T[] = [];

  constructor(
    private readonly labelNames: readonly L[],
    private readonly create: (labels: Record<string, string>) => T,
  ) {}

  resolve(labels: Labels<L>): T {
    let level = this.root;
    for (const name of this.labelNames) {
      const value = labels[name];
      let next = level.next.get(value);
      if (!next) {
        if (typeof value !== 'string')
          throw new Error(`label "${name}" must be a string (got ${typeof value})`);
        next = newLevel<T>();
        level.next.set(value, next);
      }
      level = next;
    }
    if (level.leaf === undefined) {
      // A copy in label-name order: the caller's object may be reused or carry other keys.
      const own: Record<string, string> = {};
      for (const name of this.labelNames) own[name] = labels[name];
      level.leaf = this.create(own);
      this.cells.push(level.leaf);
    }
    return level.leaf;
  }
}

interface CellMetricConfig<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  registers: Registry[];
}

interface ExportedValue {
  value: number;
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  metricName?: string;
}

/**
 * What prom-client's Registry reads from a metric (it duck-types them): name, help, type,
 * aggregator, `get()` for JSON, `getForPromString()` for the text format, `reset()`.
 */
abstract class CellMetric<L extends string> {
  readonly aggregator = 'sum';
  abstract readonly type: 'counter' | 'histogram';
  /** Mutable: the registry renames counters for the OpenMetrics format. */
  name: string;
  readonly help: string;
  readonly labelNames: readonly L[];

  constructor(cfg: CellMetricConfig<L>) {
    this.name = cfg.name;
    this.help = cfg.help;
    this.labelNames = cfg.labelNames;
    // Registry's typings list its own classes only; at runtime it calls what CellMetric defines.
    for (const r of cfg.registers) r.registerMetric(this as unknown as Metric);
  }

  protected abstract values(forText: boolean): ExportedValue[];

  /** Zero every series in place (resolved cells stay valid; series stay listed at 0). */
  abstract reset(): void;

  getForPromString(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: ExportedValue[];
  }> {
    const { name, help, type, aggregator } = this;
    return Promise.resolve({ name, help, type, aggregator, values: this.values(true) });
  }

  get(): ReturnType<CellMetric<L>['getForPromString']> {
    const { name, help, type, aggregator } = this;
    return Promise.resolve({ name, help, type, aggregator, values: this.values(false) });
  }
}

export class CellCounter<L extends string> extends CellMetric<L> {
  readonly type = 'counter';
  private readonly tree: CellTree<L, CounterCell>;

  constructor(cfg: CellMetricConfig<L>) {
    super(cfg);
    this.tree = new CellTree(cfg.labelNames, (labels) => ({ labels, value: 0 }));
  }

  /** The series of `labels`, created at 0 if new: keep it and add to `.value` (never negative). */
  cell(labels: Labels<L>): CounterCell {
    return this.tree.resolve(labels);
  }

  inc(labels: Labels<L>, value = 1): void {
    if (!(value >= 0) || !Number.isFinite(value))
      throw new Error(`counter increments must be finite and non-negative (got ${value})`);
    this.tree.resolve(labels).value += value;
  }

  reset(): void {
    for (const c of this.tree.cells) c.value = 0;
  }

  protected values(): ExportedValue[] {
    return this.tree.cells.map((c) => ({ value: c.value, labels: { ...c.labels } }));
  }
}

export class CellHistogram<L extends string> extends CellMetric<L> {
  readonly type = 'histogram';
  private readonly bounds: Float64Array;
  private readonly tree: CellTree<L, HistogramCell>;

  constructor(cfg: CellMetricConfig<L> & { buckets: readonly number[] }) {
    super(cfg);
    for (let i = 1; i < cfg.buckets.length; i++) {
      if (!(cfg.buckets[i] > cfg.buckets[i - 1]))
        throw new Error(`histogram ${cfg.name}: buckets must increase`);
    }
    this.bounds = Float64Array.from(cfg.buckets);
    this.tree = new CellTree(cfg.labelNames, (labels) => new HistogramCell(labels, this.bounds));
  }

  /** The series of `labels`, created empty if new: keep it and call `.observe(v)`. */
  cell(labels: Labels<L>): HistogramCell {
    return this.tree.resolve(labels);
  }

  observe(labels: Labels<L>, value: number): void {
    this.tree.resolve(labels).observe(value);
  }

  reset(): void {
    for (const c of this.tree.cells) {
      c.counts.fill(0);
      c.sum = 0;
      c.count = 0;
    }
  }

  /**
   * prom-client's layout: per series, cumulative `_bucket` lines (`le` first, then the series'
   * labels as shared labels in the text format, merged in for JSON), `+Inf`, `_sum`, `_count`.
   */
  protected values(forText: boolean): ExportedValue[] {
    const out: ExportedValue[] = [];
    const bucket = `${this.name}_bucket`;
    const line = (
      metricName: string,
      value: number,
      own: Record<string, string | number>,
      shared: Record<string, string>,
    ): ExportedValue =>
      forText
        ? { metricName, value, labels: own, sharedLabels: shared }
        : { metricName, value, labels: { ...own, ...shared } };
    for (const c of this.tree.cells) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += c.counts[i];
        out.push(line(bucket, acc, { le: this.bounds[i] }, c.labels));
      }
      out.push(line(bucket, c.count, { le: '+Inf' }, c.labels));
      out.push(line(`${this.name}_sum`, c.sum, {}, c.labels));
      out.push(line(`${this.name}_count`, c.count, {}, c.labels));
    }
    return out;
  }
}
