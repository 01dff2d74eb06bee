// Counters and histograms in memory, written out in Prometheus' text format on scrape. Each metric
// keeps at most MAX_SERIES label sets: past that, new label sets are counted under one series whose
// labels all read "other", so a flood of end users or keys cannot grow memory without bound.

export const MAX_SERIES = 10_000;
export const OTHER = "other";

type Labels = readonly string[];

interface Series {
  labels: Labels;
  value: number;
}

interface HistogramSeries {
  labels: Labels;
  counts: number[]; // per bucket, not cumulative
  sum: number;
  count: number;
}

abstract class Metric<S extends { labels: Labels }> {
  protected readonly series = new Map<string, S>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  protected seriesOf(labels: Labels, create: (labels: Labels) => S): S {
    // \u0001 cannot appear in label values we set (ids, aliases, model names) in any way that matters.
    const id = labels.join("\u0001");
    let s = this.series.get(id);
    if (s) return s;
    if (this.series.size >= MAX_SERIES) {
      // The overflow series itself may be the one past the cap.
      const other = this.labelNames.map(() => OTHER);
      const otherId = other.join("\u0001");
      s = this.series.get(otherId) ?? create(other);
      this.series.set(otherId, s);
      return s;
    }
    s = create(labels);
    this.series.set(id, s);
    return s;
  }

  abstract lines(): string[];

  protected head(type: string): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${type}`];
  }
}

export class Counter extends Metric<Series> {
  inc(labels: Labels, by = 1): void {
    if (by === 0) return;
    this.seriesOf(labels, (l) => ({ labels: l, value: 0 })).value += by;
  }

  lines(): string[] {
    const out = this.head("counter");
    for (const s of this.series.values()) out.push(`${this.name}${labelText(this.labelNames, s.labels)} ${num(s.value)}`);
    return out;
  }
}

export class Gauge extends Metric<Series> {
  set(labels: Labels, value: number): void {
    this.seriesOf(labels, (l) => ({ labels: l, value: 0 })).value = value;
  }

  /** Forgets every series (a gauge refilled on each scrape). */
  clear(): void {
    this.series.clear();
  }

  lines(): string[] {
    const out = this.head("gauge");
    for (const s of this.series.values()) out.push(`${this.name}${labelText(this.labelNames, s.labels)} ${num(s.value)}`);
    return out;
  }
}

export class Histogram extends Metric<HistogramSeries> {
  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly buckets: readonly number[],
  ) {
    super(name, help, labelNames);
  }

  observe(labels: Labels, value: number): void {
    const s = this.seriesOf(labels, (l) => ({ labels: l, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    const at = this.buckets.findIndex((b) => value <= b);
    if (at >= 0) s.counts[at]!++;
    s.sum += value;
    s.count++;
  }

  lines(): string[] {
    const out = this.head("histogram");
    for (const s of this.series.values()) {
      let cumulative = 0;
      for (const [i, le] of this.buckets.entries()) {
        cumulative += s.counts[i]!;
        out.push(`${this.name}_bucket${labelText([...this.labelNames, "le"], [...s.labels, num(le)])} ${cumulative}`);
      }
      out.push(`${this.name}_bucket${labelText([...this.labelNames, "le"], [...s.labels, "+Inf"])} ${s.count}`);
      out.push(`${this.name}_sum${labelText(this.labelNames, s.labels)} ${num(s.sum)}`);
      out.push(`${this.name}_count${labelText(this.labelNames, s.labels)} ${s.count}`);
    }
    return out;
  }
}

/** Prometheus' text exposition format, version 0.0.4. */
export function exposition(metrics: readonly { lines(): string[] }[]): string {
  return `${metrics.flatMap((m) => m.lines()).join("\n")}\n`;
}

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const labelText = (names: readonly string[], values: Labels) =>
  names.length === 0 ? "" : `{${names.map((n, i) => `${n}="${escapeLabel(values[i] ?? "")}"`).join(",")}}`;
const num = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(15))));
