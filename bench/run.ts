// The benchmark driver: bun bench/run.ts [--quick] (see bench/README.md).
// Starts the mock upstream, the baseline proxy and Tollgate's compiled binary on 127.0.0.1, runs
// wrk against each in interleaved rounds, and writes bench/results/latest.md.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { BODY_KINDS, bodyText, writeBodies, type BodyKind } from "./bodies.ts";
import { measureColdStart, type ColdStart } from "./cold-start.ts";
import { describeMachine } from "./machine.ts";
import { commandLine, parseOptions } from "./options.ts";
import { freshBenchDatabase } from "./postgres.ts";
import { freePort, installCleanup, setPinning, spawnChild, stopAll, waitFor200 } from "./processes.ts";
import { renderReport } from "./report.ts";
import { rssKb } from "./rss.ts";
import { type Cpus, prewarm, runScenario, SCENARIOS, type ScenarioId, type ScenarioResults } from "./scenarios.ts";
import { soak, type SoakResult } from "./soak.ts";
import { probe, type Target } from "./targets.ts";
import { configYaml, createVirtualKey, ensureBinary, KEY_LIMITS, startTollgate } from "./tollgate.ts";

const BASELINE_KEY = "sk-bench-baseline-key";
const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`);
/** An error as one line, for a note. */
const firstLine = (err: unknown) => (err instanceof Error ? err.message.split("\n")[0] : String(err));

const argv = Bun.argv.slice(2);
const opts = (() => {
  try {
    return parseOptions(argv, Bun.env);
  } catch (err) {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
})();
const cleanups: (() => Promise<void> | void)[] = [];
const dir = mkdtempSync(path.join(os.tmpdir(), "tollgate-bench-"));
cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

/** Stop the children, then drop the Postgres database and the temp dir (last added, first run). */
async function cleanUp() {
  await stopAll();
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve(c()).catch((e) => log(`cleanup: ${String(e)}`));
}
installCleanup(cleanUp);

const notes: string[] = [];
const cores = os.availableParallelism();
const pin = opts.pin && cores >= 2;
setPinning(pin);
const cpus: Cpus = pin ? { server: 0, load: 1 } : {};
if (opts.pin && !pin) notes.push(`only ${cores} CPU: nothing was pinned, so wrk, the mock and the proxies shared it.`);

async function main() {
  const machine = await describeMachine();
  if (os.loadavg()[0]! > 0.5) notes.push(`the machine was not idle at the start (load average ${machine.loadAvg}): other work shares these ${cores} cores, so read ratios rather than absolutes.`);
  if (opts.quick) notes.push("--quick: short rounds, a smoke test of the harness; do not quote these figures.");

  const bodyFiles = await writeBodies(dir);
  const bodyTexts = Object.fromEntries(BODY_KINDS.map((k) => [k, bodyText(k)])) as Record<BodyKind, string>;

  // The mock upstream shares the load core with wrk: the proxy's core stays its own.
  const upstreamPort = freePort();
  const mock = spawnChild("mock-upstream", ["bun", path.join(import.meta.dir, "mock-upstream.ts"), "--port", String(upstreamPort)], { cpu: cpus.load });
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  await waitFor200(`${upstreamUrl}/health`, { child: mock, timeoutMs: 10_000 });

  const baselinePort = freePort();
  const baseline = spawnChild("baseline-proxy", ["bun", path.join(import.meta.dir, "baseline-proxy.ts"), "--port", String(baselinePort), "--upstream", upstreamUrl, "--key", BASELINE_KEY], { cpu: cpus.server });
  const baselineUrl = `http://127.0.0.1:${baselinePort}`;
  await waitFor200(`${baselineUrl}/health`, { child: baseline, timeoutMs: 10_000, headers: { authorization: `Bearer ${BASELINE_KEY}` } });

  const targets: Target[] = [
    { id: "direct", label: "direct", kind: "direct", baseUrl: upstreamUrl, key: "sk-fake", pid: mock.pid, unsupported: {} },
    { id: "baseline", label: "baseline", kind: "baseline", baseUrl: baselineUrl, key: BASELINE_KEY, pid: baseline.pid, unsupported: {} },
  ];

  const configFile = path.join(dir, "config.yaml");
  await Bun.write(configFile, configYaml(upstreamPort));
  const haveBinary = await ensureBinary({ rebuild: opts.rebuild, notes });
  // `db(name)`: a new, empty database of that kind (the gateway measured, then the cold starts).
  const databases: { id: string; label: string; db: (name: string) => Promise<string> }[] = [
    { id: "tollgate", label: "tollgate (SQLite)", db: async (name) => path.join(dir, `${name}.db`) },
  ];
  if (opts.pgUrl) {
    const pgUrl = opts.pgUrl;
    databases.push({
      id: "tollgate-pg",
      label: "tollgate (Postgres)",
      db: async () => {
        const fresh = await freshBenchDatabase(pgUrl);
        cleanups.push(fresh.drop);
        return fresh.url;
      },
    });
  }
  if (haveBinary) {
    let keyNoted = false;
    for (const d of databases) {
      try {
        const gw = await startTollgate({ name: d.id, configFile, db: await d.db("bench"), cwd: dir, port: freePort(), cpu: cpus.server });
        const keyNotes: string[] = [];
        const { key, virtual } = await createVirtualKey(gw, keyNotes);
        if (virtual) keyNotes.push(`Tollgate was called with a virtual key from POST /key/generate (max_budget ${KEY_LIMITS.max_budget}, rpm_limit ${KEY_LIMITS.rpm_limit}, tpm_limit ${KEY_LIMITS.tpm_limit}; priced models, so every call is costed and budget-checked).`);
        if (!keyNoted) notes.push(...keyNotes);
        keyNoted = true;
        targets.push({ id: d.id, label: d.label, kind: "tollgate", baseUrl: gw.baseUrl, key, pid: gw.child.pid, unsupported: {} });
      } catch (err) {
        notes.push(`${d.label} did not start, so it was not measured: ${err instanceof Error ? err.message.split("\n").slice(0, 3).join(" / ") : String(err)}`);
      }
    }
  }

  await Bun.sleep(1000);
  const idleRssKb = new Map<string, number>();
  for (const t of targets) idleRssKb.set(t.id, await rssKb(t.pid));

  for (const t of targets) await probe(t, bodyTexts);
  for (const t of targets.filter((t) => t.kind !== "tollgate")) {
    const broken = Object.entries(t.unsupported);
    if (broken.length) throw new Error(`the harness itself is broken: ${t.label} failed its probe: ${broken.map(([k, v]) => `${k}: ${v}`).join("; ")}`);
  }

  if (opts.prewarmS > 0) {
    log(`warm-up: ${opts.prewarmS} s of load on each target, not measured`);
    await prewarm(targets, bodyFiles, opts.prewarmS, cpus.load);
  }

  const plan = { oneCoreLatency: opts.latencyCores === "one", rounds: opts.rounds, durationS: opts.durationS, warmupS: opts.warmupS, ttfbRequests: opts.ttfbRequests, cpus };
  const results = new Map<ScenarioId, ScenarioResults>();
  for (const scenario of SCENARIOS) {
    if (opts.scenarios && !opts.scenarios.includes(scenario.id)) continue;
    log(scenario.title);
    results.set(scenario.id, await runScenario(scenario, targets, bodyFiles, plan));
  }

  // Every Tollgate target soaks in turn (the others idle meanwhile), then starts cold on each database.
  const gateways = targets.filter((t) => t.kind === "tollgate");
  const soaks: { targetId: string; result: SoakResult }[] = [];
  if (opts.soakSeconds > 0) {
    if (gateways.length === 0) notes.push("soak skipped: Tollgate is not running.");
    for (const gateway of gateways) {
      if (gateway.unsupported.small) {
        notes.push(`soak of ${gateway.label} skipped: it cannot serve chat completions (${gateway.unsupported.small}).`);
        continue;
      }
      log(`soak: ${opts.soakSeconds} s on ${gateway.label}`);
      const streamFile = gateway.unsupported.stream ? bodyFiles.small : bodyFiles.stream;
      if (gateway.unsupported.stream) notes.push(`soak of ${gateway.label}: streaming is not available, so it sent non-streaming requests only.`);
      try {
        soaks.push({ targetId: gateway.id, result: await soak(gateway, { small: bodyFiles.small, stream: streamFile }, { seconds: opts.soakSeconds, cpu: cpus.load }) });
      } catch (err) {
        notes.push(`soak of ${gateway.label} failed: ${firstLine(err)}`);
      }
    }
  }

  const coldStarts: { targetId: string; result: ColdStart }[] = [];
  if (haveBinary) {
    for (const d of databases) {
      log(`cold start: ${d.label}`);
      try {
        const result = await measureColdStart({ configFile, db: await d.db("cold-start"), cwd: dir, restarts: opts.coldStarts, cpu: cpus.server });
        coldStarts.push({ targetId: d.id, result });
      } catch (err) {
        notes.push(`cold start of ${d.label} failed: ${firstLine(err)}`);
      }
    }
  }

  const pinText = pin
    ? `pinned with taskset: baseline and Tollgate on CPU 0, wrk + mock upstream + TTFB client on CPU 1${opts.latencyCores === "one" ? " (in latency, the proxy measured is moved to CPU 1 too: one core, serial chain)" : ""}`
    : "not pinned";
  const markdown = renderReport({
    machine,
    command: commandLine(argv),
    plan: `${opts.prewarmS > 0 ? `${opts.prewarmS} s of unmeasured load on each target first (JIT warm-up); then ` : ""}${opts.rounds} round${opts.rounds === 1 ? "" : "s"} × ${opts.durationS} s (+${opts.warmupS} s warm-up) per target and scenario, targets in a rotating order each round; 1 wrk thread; ${pinText}`,
    targets,
    results,
    idleRssKb,
    soaks,
    coldStarts,
    notes,
  });
  process.stdout.write(`\n${markdown}`);
  const resultsDir = path.join(import.meta.dir, "results");
  mkdirSync(resultsDir, { recursive: true });
  await Bun.write(path.join(resultsDir, "latest.md"), markdown);
  await Bun.write(path.join(resultsDir, `${machine.date.replace(/[:]/g, "-")}.md`), markdown);
  if (opts.record) await Bun.write(path.join(import.meta.dir, "LATEST.md"), markdown);
  log(`written to bench/results/latest.md${opts.record ? " and bench/LATEST.md" : ""}`);
}

let exitCode = 0;
try {
  await main();
} catch (err) {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  exitCode = 1;
} finally {
  await cleanUp();
}
process.exit(exitCode);
