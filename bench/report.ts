// The markdown report: one table of figures with ratios to the baseline and the issue's goals,
// then the per-round details and every note (skips, failures, fallbacks).
import { type ColdStart, restartMedianMs } from "./cold-start.ts";
import type { Machine } from "./machine.ts";
import { medianOf, perRound, type RoundResult, type ScenarioId, type ScenarioResults, SCENARIOS, type TargetRounds } from "./scenarios.ts";
import type { SoakResult } from "./soak.ts";
import { fmtAddedUs, fmtCount, fmtMb, fmtRatio, fmtUs, median } from "./stats.ts";
import type { Target } from "./targets.ts";

export interface Report {
  machine: Machine;
  command: string;
  plan: string;
  targets: readonly Target[];
  results: Map<ScenarioId, ScenarioResults>;
  idleRssKb: Map<string, number>;
  /** One soak per Tollgate target (each database), one after the other. */
  soaks: readonly { targetId: string; result: SoakResult }[];
  /** Cold starts per Tollgate target: a new database, then restarts on it. */
  coldStarts: readonly { targetId: string; result: ColdStart }[];
  notes: string[];
}

interface Row {
  scenario: string;
  metric: string;
  cells: Map<string, string>; // by target id
  ratios: Map<string, string>; // by Tollgate target id
  goal?: { text: string; met: (targetId: string) => boolean | undefined };
}

const ADDED_MIN_US = 1; // below this a baseline's added latency is noise, and a ratio to it meaningless

export function renderReport(r: Report): string {
  const gateways = r.targets.filter((t) => t.kind === "tollgate");
  const direct = r.targets.find((t) => t.kind === "direct");
  const baseline = r.targets.find((t) => t.kind === "baseline");
  const rows: Row[] = [];

  const rounds = (s: ScenarioId, id: string | undefined): TargetRounds | undefined => (id ? r.results.get(s)?.get(id) : undefined);
  const usable = (tr: TargetRounds | undefined) => !!tr && !tr.skipped && tr.rounds.length > 0;
  const cellFor = (tr: TargetRounds | undefined, value: () => string) => (!tr ? "" : tr.skipped ? "skipped" : tr.rounds.length === 0 ? "failed" : value());

  const p50 = (x: RoundResult) => x.p50Us;
  const p99 = (x: RoundResult) => x.p99Us;
  const rps = (x: RoundResult) => x.rps;
  const cpu = (x: RoundResult) => x.cpuUs;
  const added = (s: ScenarioId, id: string, f: (x: RoundResult) => number) => perRound(rounds(s, id)?.rounds, rounds(s, direct?.id)?.rounds, (x, y) => f(x) - f(y));
  /** Median over rounds of f(id's round) ÷ f(to's round in the same round). */
  const ratioOf = (s: ScenarioId, id: string, to: string | undefined, f: (x: RoundResult) => number) => perRound(rounds(s, id)?.rounds, rounds(s, to)?.rounds, (x, y) => f(x) / f(y));
  const rpsRatio = (s: ScenarioId, id: string, to: string | undefined) => ratioOf(s, id, to, rps);

  /** `ratio`: each Tollgate target's value of this metric ÷ the baseline's, per round. */
  const metricRow = (s: ScenarioId, metric: string, f: (x: RoundResult) => number, fmt: (v: number) => string, opts: { ratio?: boolean; goal?: Row["goal"] } = {}) => {
    const row: Row = { scenario: s, metric, cells: new Map(), ratios: new Map(), goal: opts.goal };
    for (const t of r.targets) row.cells.set(t.id, cellFor(rounds(s, t.id), () => fmt(medianOf(rounds(s, t.id)?.rounds, f))));
    if (opts.ratio) for (const g of gateways) row.ratios.set(g.id, fmtRatio(ratioOf(s, g.id, baseline?.id, f)));
    rows.push(row);
  };
  // CPU time per request of each process (the direct column: the mock upstream's), ratio to the baseline's.
  const cpuRow = (s: ScenarioId) => metricRow(s, "CPU per request", cpu, fmtUs, { ratio: true });
  const addedRow = (s: ScenarioId, metric: string, f: (x: RoundResult) => number, goal?: Row["goal"]) => {
    const row: Row = { scenario: s, metric, cells: new Map(), ratios: new Map(), goal };
    for (const t of r.targets) row.cells.set(t.id, t.kind === "direct" ? "–" : cellFor(rounds(s, t.id), () => fmtAddedUs(added(s, t.id, f))));
    const base = baseline ? added(s, baseline.id, f) : Number.NaN;
    for (const g of gateways) {
      const mine = added(s, g.id, f);
      row.ratios.set(g.id, base >= ADDED_MIN_US && mine >= 0 ? fmtRatio(mine / base) : "–");
    }
    rows.push(row);
  };
  const met = (ok: (id: string) => number, test: (v: number) => boolean) => (id: string) => {
    const v = ok(id);
    return Number.isFinite(v) ? test(v) : undefined;
  };

  // latency
  if (r.results.has("latency")) {
    metricRow("latency", "p50", p50, fmtUs);
    metricRow("latency", "p99", p99, fmtUs, { goal: { text: "p99 < 1 ms", met: met((id) => medianOf(rounds("latency", id)?.rounds, p99), (v) => v < 1000) } });
    const baseAdded = baseline ? added("latency", baseline.id, p50) : Number.NaN;
    addedRow("latency", "added p50", p50, { text: "≤ 2× baseline", met: met((id) => added("latency", id, p50) / baseAdded, (v) => v <= 2) });
    addedRow("latency", "added p99", p99);
    metricRow("latency", "req/s", rps, fmtCount, { ratio: true });
    cpuRow("latency");
  }
  if (r.results.has("throughput")) {
    metricRow("throughput", "req/s", rps, fmtCount, { ratio: true, goal: { text: "≥ 0.7× baseline", met: met((id) => rpsRatio("throughput", id, baseline?.id), (v) => v >= 0.7) } });
    metricRow("throughput", "p50", p50, fmtUs);
    metricRow("throughput", "p99", p99, fmtUs);
    cpuRow("throughput");
  }
  if (r.results.has("stream")) {
    metricRow("stream", "streams/s", rps, fmtCount, { ratio: true, goal: { text: "≥ 0.8× baseline", met: met((id) => rpsRatio("stream", id, baseline?.id), (v) => v >= 0.8) } });
    metricRow("stream", "p50 (whole stream)", p50, fmtUs);
    const ttfb = (id: string | undefined) => rounds("stream", id)?.ttfb;
    const ttfbP50 = (id: string) => medianOf(ttfb(id), (x) => x.p50Us);
    const vsBase = (id: string) => perRound(ttfb(id), ttfb(baseline?.id), (x, y) => x.p50Us - y.p50Us);
    const row: Row = {
      scenario: "stream",
      metric: "TTFB p50 (sequential)",
      cells: new Map(),
      ratios: new Map(),
      goal: { text: "≤ baseline + 0.5 ms", met: met(vsBase, (v) => v <= 500) },
    };
    for (const t of r.targets) row.cells.set(t.id, cellFor(rounds("stream", t.id), () => fmtUs(ttfbP50(t.id))));
    for (const g of gateways) row.ratios.set(g.id, `${fmtAddedUs(vsBase(g.id))} vs baseline`);
    rows.push(row);
    const addedTtfb: Row = { scenario: "stream", metric: "added TTFB p50", cells: new Map(), ratios: new Map() };
    for (const t of r.targets) {
      addedTtfb.cells.set(t.id, t.kind === "direct" ? "–" : cellFor(rounds("stream", t.id), () => fmtAddedUs(perRound(ttfb(t.id), ttfb(direct?.id), (x, y) => x.p50Us - y.p50Us))));
    }
    rows.push(addedTtfb);
    cpuRow("stream");
  }
  if (r.results.has("stream-default")) {
    metricRow("stream-default", "streams/s", rps, fmtCount, { ratio: true });
    metricRow("stream-default", "p50 (whole stream)", p50, fmtUs);
    cpuRow("stream-default");
  }
  if (r.results.has("slow")) {
    metricRow("slow", "req/s", rps, fmtCount, { ratio: true });
    const row: Row = {
      scenario: "slow",
      metric: "req/s ÷ direct",
      cells: new Map(),
      ratios: new Map(),
      goal: { text: "≥ 0.97× direct", met: met((id) => rpsRatio("slow", id, direct?.id), (v) => v >= 0.97) },
    };
    for (const t of r.targets) row.cells.set(t.id, t.kind === "direct" ? "1.00×" : cellFor(rounds("slow", t.id), () => fmtRatio(rpsRatio("slow", t.id, direct?.id))));
    rows.push(row);
    addedRow("slow", "added p50", p50);
    addedRow("slow", "added p99", p99);
    cpuRow("slow");
  }
  if (r.results.has("bigbody")) {
    metricRow("bigbody", "req/s", rps, fmtCount, { ratio: true });
    metricRow("bigbody", "p50", p50, fmtUs);
    metricRow("bigbody", "p99", p99, fmtUs);
    cpuRow("bigbody");
  }

  // memory
  const idle: Row = { scenario: "memory", metric: "RSS idle (after start)", cells: new Map(), ratios: new Map(), goal: { text: "< 60 MB", met: met((id) => r.idleRssKb.get(id) ?? Number.NaN, (v) => v < 60 * 1024) } };
  const loadMax = (id: string) => {
    const all = [...r.results.values()].map((m) => m.get(id)?.rssMaxKb ?? Number.NaN).filter(Number.isFinite);
    return all.length ? Math.max(...all) : Number.NaN;
  };
  const loaded: Row = { scenario: "memory", metric: "RSS under load (max)", cells: new Map(), ratios: new Map(), goal: { text: "< 150 MB", met: met(loadMax, (v) => v < 150 * 1024) } };
  for (const t of r.targets) {
    idle.cells.set(t.id, fmtMb(r.idleRssKb.get(t.id) ?? Number.NaN));
    loaded.cells.set(t.id, fmtMb(loadMax(t.id)));
  }
  for (const g of gateways) {
    idle.ratios.set(g.id, fmtRatio((r.idleRssKb.get(g.id) ?? Number.NaN) / (r.idleRssKb.get(baseline?.id ?? "") ?? Number.NaN)));
    loaded.ratios.set(g.id, fmtRatio(loadMax(g.id) / loadMax(baseline?.id ?? "")));
  }
  rows.push(idle, loaded);

  if (r.soaks.length) {
    const soaks = new Map(r.soaks.map((s) => [s.targetId, s.result]));
    const growthOf = (s: SoakResult) => s.lateKb - s.earlyKb;
    const seconds = [...new Set(r.soaks.map((s) => s.result.seconds))].join(" / ");
    const cells = (f: (s: SoakResult) => string) => new Map(r.soaks.map(({ targetId, result }) => [targetId, f(result)]));
    rows.push(
      { scenario: "soak", metric: `RSS over ${seconds} s of mixed load: first tenth → last tenth`, cells: cells((s) => `${fmtMb(s.earlyKb)} → ${fmtMb(s.lateKb)}`), ratios: new Map() },
      { scenario: "soak", metric: "requests (errors)", cells: cells((s) => `${fmtCount(s.requests)} (${fmtCount(s.errors)})`), ratios: new Map() },
      {
        scenario: "soak",
        metric: "RSS growth (max; 3 s after the load)",
        cells: cells((s) => `${growthOf(s) >= 0 ? "+" : "−"}${fmtMb(Math.abs(growthOf(s)))} (${fmtMb(s.maxKb)}; ${fmtMb(s.afterKb)})`),
        ratios: new Map(),
        // Allocators keep some slack: under 5 MB or 5% of the early figure counts as flat.
        goal: { text: "no growth", met: (id) => mapDefined(soaks.get(id), (s) => growthOf(s) <= Math.max(5 * 1024, 0.05 * s.earlyKb)) },
      },
    );
    for (const { targetId, result } of r.soaks) if (result.errors > 0) r.notes.push(`soak of ${targetId}: ${result.errors} of ${result.requests} requests failed.`);
  }
  if (r.coldStarts.length) {
    const colds = new Map(r.coldStarts.map((c) => [c.targetId, c.result]));
    const restarts = [...new Set(r.coldStarts.map((c) => c.result.restartMs.length))].join(" / ");
    const cells = (f: (c: ColdStart) => number) => new Map(r.coldStarts.map(({ targetId, result }) => [targetId, `${f(result).toFixed(0)} ms`]));
    rows.push(
      { scenario: "cold start", metric: "to first 200 on /health/readiness, new database (migrations)", cells: cells((c) => c.firstMs), ratios: new Map() },
      {
        scenario: "cold start",
        metric: `same, existing database (median of ${restarts})`,
        cells: cells(restartMedianMs),
        ratios: new Map(),
        goal: { text: "< 150 ms", met: (id) => mapDefined(colds.get(id), (c) => restartMedianMs(c) < 150) },
      },
    );
  }

  return [header(r), table(rows, r.targets, gateways), details(r), notes(r)].join("\n");
}

const mapDefined = <T, U>(v: T | undefined, f: (v: T) => U): U | undefined => (v === undefined ? undefined : f(v));

function header(r: Report): string {
  const m = r.machine;
  return `# Tollgate benchmark

- date: ${m.date}
- machine: ${m.nproc} × ${m.cpuModel}, ${m.memGiB} GiB, Linux ${m.kernel}; load average at start ${m.loadAvg}
- software: Bun ${m.bun}, ${m.wrk}, Tollgate commit ${m.commit}
- command: \`${r.command}\`
- plan: ${r.plan}
- targets: ${r.targets.map((t) => `**${t.label}**`).join(", ")}. "added" = target minus direct in the same round; ratios are medians of per-round ratios.
`;
}

function table(rows: Row[], targets: readonly Target[], gateways: readonly Target[]): string {
  const head = ["scenario", "metric", ...targets.map((t) => t.label), ...gateways.map((g) => `${g.label} ÷ baseline`), "goal"];
  const lines = [`| ${head.join(" | ")} |`, `| ${head.map((_, i) => (i < 2 || i === head.length - 1 ? "---" : "---:")).join(" | ")} |`];
  let last = "";
  for (const row of rows) {
    const goal = row.goal
      ? `${row.goal.text} ${gateways
          .map((g) => {
            const v = row.goal!.met(g.id);
            return v === undefined ? "?" : v ? "✓" : "✗";
          })
          .join(" / ")}`
      : "";
    const cells = [row.scenario === last ? "" : row.scenario, row.metric, ...targets.map((t) => row.cells.get(t.id) ?? ""), ...gateways.map((g) => row.ratios.get(g.id) ?? ""), goal];
    last = row.scenario;
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n") + "\n";
}

function details(r: Report): string {
  const lines = [
    "## Rounds",
    "",
    "| scenario | target | rounds | req/s median (min–max) | CPU per request median (min–max) | p50 median | p99 median | failed requests |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const s of SCENARIOS) {
    const res = r.results.get(s.id);
    if (!res) continue;
    for (const t of r.targets) {
      const tr = res.get(t.id);
      if (!tr || tr.skipped) continue;
      const rates = tr.rounds.map((x) => x.rps);
      const range = rates.length ? `${fmtCount(median(rates))} (${fmtCount(Math.min(...rates))}–${fmtCount(Math.max(...rates))})` : "–";
      const cpus = tr.rounds.map((x) => x.cpuUs).filter(Number.isFinite);
      const cpuRange = cpus.length ? `${fmtUs(median(cpus))} (${fmtUs(Math.min(...cpus))}–${fmtUs(Math.max(...cpus))})` : "–";
      const errors = tr.rounds.reduce((a, x) => a + x.errors, 0);
      lines.push(`| ${s.id} | ${t.label} | ${tr.rounds.length} | ${range} | ${cpuRange} | ${fmtUs(medianOf(tr.rounds, (x) => x.p50Us))} | ${fmtUs(medianOf(tr.rounds, (x) => x.p99Us))} | ${errors} |`);
    }
  }
  return lines.join("\n") + "\n";
}

function notes(r: Report): string {
  const all = [...r.notes];
  const skips = new Map<string, string[]>(); // "label: reason" → scenarios
  for (const s of SCENARIOS) {
    for (const t of r.targets) {
      const tr = r.results.get(s.id)?.get(t.id);
      if (tr?.skipped) skips.set(`${t.label}: ${tr.skipped}`, [...(skips.get(`${t.label}: ${tr.skipped}`) ?? []), s.id]);
      for (const f of tr?.failures ?? []) all.push(`${s.id}: ${t.label}: ${f}`);
    }
  }
  for (const [why, ids] of skips) {
    const [label, ...reason] = why.split(": ");
    all.push(`${label} skipped in ${ids.join(", ")}: ${reason.join(": ")}`);
  }
  return all.length ? `## Notes\n\n${[...new Set(all)].map((n) => `- ${n}`).join("\n")}\n` : "";
}
