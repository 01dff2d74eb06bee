// The load scenarios and the round loop: each round runs every target once, in a rotated order,
// so slow drift of a shared machine lands on all targets alike. Ratios are taken per round.
import path from "node:path";
import type { BodyKind } from "./bodies.ts";
import { cpuTimeUs } from "./cpu.ts";
import { repin, runChild } from "./processes.ts";
import { sampleRss } from "./rss.ts";
import { median } from "./stats.ts";
import { CHAT_PATH, type Target } from "./targets.ts";
import type { TtfbResult } from "./ttfb-client.ts";
import { runWrk, type WrkResult } from "./wrk.ts";

export type ScenarioId = "latency" | "throughput" | "stream" | "stream-default" | "slow" | "bigbody";

export interface Scenario {
  id: ScenarioId;
  title: string;
  body: BodyKind;
  connections: number;
  /**
   * Run the proxy on the load core too, so one request's whole chain runs serially on one CPU and
   * the added latency is the proxy's own CPU time, not cross-CPU wake-ups (tens of µs per hop on
   * this KVM guest). This is how perf-anchors.md measured the baseline's +38–57 µs.
   */
  oneCore?: boolean;
}

export const SCENARIOS: readonly Scenario[] = [
  { id: "latency", title: "latency: 1 connection, instant upstream", body: "small", connections: 1, oneCore: true },
  { id: "throughput", title: "throughput: 32 connections, instant upstream", body: "small", connections: 32 },
  { id: "stream", title: "stream: 16 connections, 20-chunk SSE", body: "stream", connections: 16 },
  { id: "stream-default", title: "stream-default: the same, the client not asking for usage (the OpenAI SDK's default)", body: "stream-default", connections: 16 },
  { id: "slow", title: "slow: 64 connections, 50 ms upstream", body: "slow", connections: 64 },
  { id: "bigbody", title: "bigbody: 16 connections, 64 KB request body", body: "big", connections: 16 },
];

export interface Cpus {
  /** The proxy under test (baseline or Tollgate). */
  server?: number;
  /** wrk, the mock upstream and the TTFB client. */
  load?: number;
}

export interface RunPlan {
  /** Honour Scenario.oneCore (--latency-cores one); otherwise keep the proxy on its own core. */
  oneCoreLatency: boolean;
  rounds: number;
  durationS: number;
  warmupS: number;
  ttfbRequests: number;
  cpus: Cpus;
}

/** `cpuUs`: the target process's CPU time per request in the measured run (the direct target: the mock's). */
export type RoundResult = WrkResult & { round: number; cpuUs: number };

export interface TargetRounds {
  rounds: RoundResult[];
  ttfb: (TtfbResult & { round: number })[];
  rssMaxKb: number;
  skipped?: string;
  failures: string[];
}

export type ScenarioResults = Map<string, TargetRounds>; // by target id

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

async function measureOnce(target: Target, scenario: Scenario, bodyFile: string, plan: RunPlan, into: TargetRounds, round: number) {
  const run = { url: target.baseUrl + CHAT_PATH, bodyFile, key: target.key, connections: scenario.connections, cpu: plan.cpus.load };
  const moved = plan.oneCoreLatency && scenario.oneCore && target.kind !== "direct" && plan.cpus.load !== undefined && plan.cpus.server !== undefined;
  if (moved) await repin(target.pid, plan.cpus.load!);
  const rss = sampleRss(target.pid);
  try {
    if (plan.warmupS > 0) await runWrk({ ...run, durationS: plan.warmupS });
    const cpuBefore = await cpuTimeUs(target.pid);
    const result = await runWrk({ ...run, durationS: plan.durationS });
    const cpuUs = result.requests > 0 ? ((await cpuTimeUs(target.pid)) - cpuBefore) / result.requests : Number.NaN;
    // A round with failed requests measured something else (errors are cheap): it is reported, not used.
    if (result.errors > 0) into.failures.push(`round ${round + 1} discarded: ${result.errors} of ${result.requests} requests failed (non-2xx or socket errors)`);
    else into.rounds.push({ ...result, round, cpuUs });
  } finally {
    if (moved) await repin(target.pid, plan.cpus.server!);
    const { maxKb } = await rss.stop();
    if (Number.isFinite(maxKb)) into.rssMaxKb = Number.isFinite(into.rssMaxKb) ? Math.max(into.rssMaxKb, maxKb) : maxKb;
  }
}

async function measureTtfb(target: Target, bodyFile: string, plan: RunPlan, into: TargetRounds, round: number) {
  const client = path.join(import.meta.dir, "ttfb-client.ts");
  const n = Math.max(20, Math.round(plan.ttfbRequests / plan.rounds));
  const { code, output } = await runChild("ttfb", ["bun", client, target.baseUrl + CHAT_PATH, target.key, bodyFile, String(n)], {
    cpu: plan.cpus.load,
    timeoutMs: 120_000,
  });
  const line = output.trim().split("\n").findLast((l) => l.startsWith("{"));
  if (code !== 0 || !line) throw new Error(`ttfb client exited with ${code}: ${output.slice(-400)}`);
  const result = JSON.parse(line) as TtfbResult;
  if (result.errors > 0) into.failures.push(`TTFB round ${round + 1} discarded: ${result.errors} failed requests (${result.firstError})`);
  else into.ttfb.push({ ...result, round });
}

// The warm-up's load, as shares of its length: every scenario's code path gets hot.
const PREWARM_MIX: readonly { body: BodyKind; connections: number; share: number }[] = [
  { body: "small", connections: 32, share: 0.5 },
  { body: "stream", connections: 16, share: 0.25 },
  { body: "big", connections: 16, share: 0.25 },
];

/**
 * Load on every target before the first measurement, unmeasured. JavaScriptCore compiles hot code
 * in the background for tens of seconds after a start (its JIT threads took 46 µs per request at
 * one connection, and still 11 µs at 32, in the first ten seconds of load; about 1 µs after 40 s),
 * and on a pinned core that compiling competes with the requests: a figure taken then measures the
 * warm-up, not the proxy. One-connection p50 after a 40 s warm-up: 326 → 248 µs (baseline 146 → 139).
 */
export async function prewarm(targets: readonly Target[], bodyFiles: Record<BodyKind, string>, seconds: number, cpu: number | undefined): Promise<void> {
  for (const target of targets) {
    for (const { body, connections, share } of PREWARM_MIX) {
      if (target.unsupported[body]) continue;
      const durationS = Math.max(1, Math.round(seconds * share));
      await runWrk({ url: target.baseUrl + CHAT_PATH, bodyFile: bodyFiles[body], key: target.key, connections, durationS, cpu });
    }
  }
}

export async function runScenario(scenario: Scenario, targets: readonly Target[], bodyFiles: Record<BodyKind, string>, plan: RunPlan): Promise<ScenarioResults> {
  const results: ScenarioResults = new Map();
  for (const t of targets) {
    results.set(t.id, { rounds: [], ttfb: [], rssMaxKb: Number.NaN, failures: [], skipped: t.unsupported[scenario.body] });
  }
  const active = targets.filter((t) => !results.get(t.id)!.skipped);
  for (let round = 0; round < plan.rounds; round++) {
    for (const target of rotate(active, round)) {
      const into = results.get(target.id)!;
      process.stderr.write(`  ${scenario.id} round ${round + 1}/${plan.rounds}: ${target.label}\n`);
      try {
        await measureOnce(target, scenario, bodyFiles[scenario.body], plan, into, round);
        if (scenario.id === "stream") await measureTtfb(target, bodyFiles.stream, plan, into, round);
      } catch (err) {
        into.failures.push(`round ${round + 1}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
      }
    }
  }
  return results;
}

/** Median over rounds of f(a's result, b's result in the same round); rounds either lacks are left out. */
export function perRound<R extends { round: number }>(a: readonly R[] | undefined, b: readonly R[] | undefined, f: (x: R, y: R) => number): number {
  if (!a || !b) return Number.NaN;
  const values: number[] = [];
  for (const x of a) {
    const y = b.find((r) => r.round === x.round);
    const v = y ? f(x, y) : Number.NaN;
    if (Number.isFinite(v)) values.push(v);
  }
  return median(values);
}

export function medianOf<R>(rounds: readonly R[] | undefined, f: (x: R) => number): number {
  return rounds ? median(rounds.map(f).filter(Number.isFinite)) : Number.NaN;
}
