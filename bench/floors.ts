// The floor under a gateway that reads its answers' usage: bun bench/floors.ts [--rounds N]
// [--duration S] [--prewarm S]. Runs the throughput and stream scenarios against the baseline
// (the upstream's body piped back natively) and floor-proxy.ts (the same proxy, reading the body in
// JavaScript as any gateway that accounts usage must), interleaved and pinned like bench/run.ts,
// and prints each one's requests/s and CPU per request as ratios to the baseline. Tollgate's own
// ratios (bench/run.ts) can be no better than the floor's. See bench/README.md.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeBodies } from "./bodies.ts";
import { freePort, installCleanup, spawnChild, stopAll, waitFor200 } from "./processes.ts";
import { medianOf, perRound, prewarm, runScenario, SCENARIOS, type RoundResult } from "./scenarios.ts";
import { fmtCount, fmtRatio } from "./stats.ts";
import type { Target } from "./targets.ts";

const KEY = "sk-bench-floor-key";
const argv = Bun.argv.slice(2);
const num = (name: string, fallback: number) => {
  const i = argv.indexOf(name);
  const n = i >= 0 ? Number(argv[i + 1]) : fallback;
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} needs a number`);
  return n;
};
const rounds = num("--rounds", 5);
const durationS = num("--duration", 5);
const prewarmS = num("--prewarm", 20);
const cpus = { server: 0, load: 1 };

const dir = mkdtempSync(path.join(os.tmpdir(), "tollgate-floors-"));
installCleanup(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

async function startProxy(id: string, label: string, script: string, extra: string[], upstreamUrl: string): Promise<Target> {
  const port = freePort();
  const child = spawnChild(id, ["bun", path.join(import.meta.dir, script), "--port", String(port), "--upstream", upstreamUrl, "--key", KEY, ...extra], { cpu: cpus.server });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor200(`${baseUrl}/health`, { child, timeoutMs: 10_000, headers: { authorization: `Bearer ${KEY}` } });
  return { id, label, kind: "baseline", baseUrl, key: KEY, pid: child.pid, unsupported: {} };
}

async function main() {
  const bodyFiles = await writeBodies(dir);
  const upstreamPort = freePort();
  const mock = spawnChild("mock-upstream", ["bun", path.join(import.meta.dir, "mock-upstream.ts"), "--port", String(upstreamPort)], { cpu: cpus.load });
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  await waitFor200(`${upstreamUrl}/health`, { child: mock, timeoutMs: 10_000 });
  const targets = [
    await startProxy("baseline", "baseline (native pipe)", "baseline-proxy.ts", [], upstreamUrl),
    await startProxy("read", "reads the body in JS", "floor-proxy.ts", ["--observe", "read"], upstreamUrl),
    await startProxy("tee", "tee: native pipe + JS read", "floor-proxy.ts", ["--observe", "tee"], upstreamUrl),
  ];
  if (prewarmS > 0) await prewarm(targets, bodyFiles, prewarmS, cpus.load);
  const plan = { oneCoreLatency: false, rounds, durationS, warmupS: 1, ttfbRequests: 100, cpus };
  const lines = [`floors: ${rounds} rounds × ${durationS} s, proxies on CPU 0, wrk and the mock on CPU 1`, ""];
  lines.push("| scenario | target | requests/s | ÷ baseline | CPU per request | ÷ baseline |", "|---|---|---|---|---|---|");
  for (const scenario of SCENARIOS.filter((s) => s.id === "throughput" || s.id === "stream")) {
    const results = await runScenario(scenario, targets, bodyFiles, plan);
    const base = results.get("baseline")?.rounds;
    for (const t of targets) {
      const r = results.get(t.id)!;
      const ratio = (f: (x: RoundResult) => number) => perRound(r.rounds, base, (x, y) => f(x) / f(y));
      lines.push(`| ${scenario.id} | ${t.label} | ${fmtCount(medianOf(r.rounds, (x) => x.rps))} | ${fmtRatio(ratio((x) => x.rps))} | ${medianOf(r.rounds, (x) => x.cpuUs).toFixed(1)} µs | ${fmtRatio(ratio((x) => x.cpuUs))} |`);
      for (const f of r.failures) lines.push(`<!-- ${t.id}: ${f} -->`);
    }
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

try {
  await main();
} finally {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
}
