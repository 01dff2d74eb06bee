// The benchmark's own arithmetic: CPU per request is read from /proc and reported with its ratio to
// the baseline's, per round; the warm-up option. The runs themselves (wrk, pinned processes) are
// the benchmark's job, not the tests'.
import { expect, test } from "bun:test";
import { cpuTimeUs } from "../../bench/cpu.ts";
import { parseOptions } from "../../bench/options.ts";
import { renderReport } from "../../bench/report.ts";
import type { RoundResult, ScenarioResults, TargetRounds } from "../../bench/scenarios.ts";
import type { Target } from "../../bench/targets.ts";

const target = (id: string, kind: Target["kind"]): Target => ({ id, label: id, kind, baseUrl: "http://127.0.0.1:1", key: "k", pid: 1, unsupported: {} });
const round = (round: number, rps: number, cpuUs: number): RoundResult => ({ round, rps, cpuUs, p50Us: 100, p99Us: 200, requests: 1000, errors: 0 });
const rounds = (...r: RoundResult[]): TargetRounds => ({ rounds: r, ttfb: [], rssMaxKb: 100_000, failures: [] });

test("CPU per request: each target's median, and Tollgate's ratio to the baseline taken per round", () => {
  const targets = [target("direct", "direct"), target("baseline", "baseline"), target("tollgate", "tollgate")];
  const throughput: ScenarioResults = new Map([
    ["direct", rounds(round(0, 30_000, 18), round(1, 30_000, 18))],
    ["baseline", rounds(round(0, 20_000, 40), round(1, 22_000, 50))],
    // Ratios per round: 100/40 = 2.5 and 100/50 = 2.0; their median is 2.25 (the ratio of the medians would be 100/45).
    ["tollgate", rounds(round(0, 10_000, 100), round(1, 11_000, 100))],
  ]);
  const md = renderReport({
    machine: { date: "2026-12-07", nproc: 2, cpuModel: "test", kernel: "test", memGiB: 1, bun: "1.4.4", wrk: "wrk", commit: "abc", loadAvg: "0 0 0" },
    command: "bun bench/run.ts",
    plan: "test",
    targets,
    results: new Map([["throughput", throughput]]),
    idleRssKb: new Map(),
    soaks: [],
    coldStarts: [],
    notes: [],
  });
  const row = md.split("\n").find((l) => l.includes("| CPU per request |"));
  expect(row).toBeDefined();
  const cells = row!.split("|").map((c) => c.trim());
  // | scenario | metric | direct | baseline | tollgate | tollgate ÷ baseline | goal |
  expect(cells.slice(3, 7)).toEqual(["18 µs", "45 µs", "100 µs", "2.25×"]);
  expect(md).toContain("| throughput | baseline | 2 | 21,000 (20,000–22,000) | 45 µs (40 µs–50 µs) |");
  expect(md).toContain("| throughput | tollgate | 2 | 10,500 (10,000–11,000) | 100 µs (100 µs–100 µs) |");
});

test("soak and cold start: a cell and a goal mark for each Tollgate target, ? where one was not measured", () => {
  const targets = [target("direct", "direct"), target("baseline", "baseline"), target("sqlite", "tollgate"), target("pg", "tollgate"), target("third", "tollgate")];
  const soakOf = (earlyKb: number, lateKb: number, errors = 0) => ({ seconds: 600, requests: 1_000_000, errors, earlyKb, lateKb, maxKb: lateKb + 1024, afterKb: lateKb - 1024 });
  const md = renderReport({
    machine: { date: "2026-12-08", nproc: 2, cpuModel: "test", kernel: "test", memGiB: 1, bun: "1.4.4", wrk: "wrk", commit: "abc", loadAvg: "0 0 0" },
    command: "bun bench/run.ts",
    plan: "test",
    targets,
    results: new Map(),
    idleRssKb: new Map(),
    // SQLite flat (+1 MB); Postgres +20 MB over 100 MB, beyond the 5 MB / 5% slack; the third not soaked.
    soaks: [
      { targetId: "sqlite", result: soakOf(100 * 1024, 101 * 1024) },
      { targetId: "pg", result: soakOf(100 * 1024, 120 * 1024, 3) },
    ],
    coldStarts: [
      { targetId: "sqlite", result: { firstMs: 120, restartMs: [90, 95, 100] } },
      { targetId: "pg", result: { firstMs: 300, restartMs: [160, 170, 200] } },
    ],
    notes: [],
  });
  const cellsOf = (metric: string) => {
    const row = md.split("\n").find((l) => l.includes(`| ${metric} |`));
    expect(row).toBeDefined();
    return row!.split("|").map((c) => c.trim());
  };
  // | scenario | metric | direct | baseline | sqlite | pg | third | 3 ratios | goal |
  expect(cellsOf("RSS over 600 s of mixed load: first tenth → last tenth").slice(5, 8)).toEqual(["100.0 MB → 101.0 MB", "100.0 MB → 120.0 MB", ""]);
  const growth = cellsOf("RSS growth (max; 3 s after the load)");
  expect(growth.slice(5, 7)).toEqual(["+1.0 MB (102.0 MB; 100.0 MB)", "+20.0 MB (121.0 MB; 119.0 MB)"]);
  expect(growth.at(-2)).toBe("no growth ✓ / ✗ / ?");
  const restart = cellsOf("same, existing database (median of 3)");
  expect(restart.slice(5, 7)).toEqual(["95 ms", "170 ms"]);
  expect(restart.at(-2)).toBe("< 150 ms ✓ / ✗ / ?");
  expect(cellsOf("to first 200 on /health/readiness, new database (migrations)").slice(5, 7)).toEqual(["120 ms", "300 ms"]);
  expect(md).toContain("soak of pg: 3 of 1000000 requests failed.");
});

test("cpuTimeUs reads this process's CPU time, which only grows", async () => {
  const before = await cpuTimeUs(process.pid);
  let x = 0;
  for (const end = performance.now() + 60; performance.now() < end; ) x += Math.sqrt(x + 1);
  const after = await cpuTimeUs(process.pid);
  expect(before).toBeGreaterThan(0);
  expect(after).toBeGreaterThan(before);
  expect(x).toBeGreaterThan(0);
  expect(await cpuTimeUs(2 ** 30)).toBeNaN(); // no such process
});

test("--prewarm: 30 s by default, 3 s with --quick, 0 turns it off", () => {
  expect(parseOptions([], {}).prewarmS).toBe(30);
  expect(parseOptions(["--quick"], {}).prewarmS).toBe(3);
  expect(parseOptions(["--prewarm", "0"], {}).prewarmS).toBe(0);
  expect(() => parseOptions(["--prewarm", "x"], {})).toThrow("--prewarm needs a non-negative number");
});
