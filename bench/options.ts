// Command-line options of bench/run.ts.
import type { ScenarioId } from "./scenarios.ts";

const SCENARIO_IDS: readonly ScenarioId[] = ["latency", "throughput", "stream", "stream-default", "slow", "bigbody"];

export interface Options {
  quick: boolean;
  rounds: number;
  durationS: number;
  warmupS: number;
  /** Unmeasured load on each target before the scenarios (JIT warm-up). */
  prewarmS: number;
  ttfbRequests: number;
  soakSeconds: number;
  coldStarts: number;
  pgUrl?: string;
  pin: boolean;
  /** latency scenario: proxy on the load core ("one", as perf-anchors.md) or on its own ("two"). */
  latencyCores: "one" | "two";
  rebuild: boolean;
  record: boolean;
  scenarios?: ScenarioId[];
}

export const BENCH_USAGE = `Usage: bun bench/run.ts [options]

  --quick             short run: 2 rounds × 2 s, 20 s soak, 3 cold starts (a smoke test, not figures to quote)
  --rounds N          interleaved rounds per scenario (default 5)
  --duration S        seconds measured per target per round (default 5)
  --warmup S          unmeasured seconds before each measurement (default 1)
  --prewarm S         unmeasured load on each target before the first scenario, so JavaScriptCore's
                      background compiling is over before anything is measured (default 30)
  --soak-seconds N    length of the soak (default 600; 0 skips it)
  --cold-starts N     restarts timed for the cold start (default 10)
  --pg URL            also run Tollgate on a fresh database on this Postgres server (default: TEST_DATABASE_URL)
  --only a,b          scenarios to run: latency,throughput,stream,stream-default,slow,bigbody
  --latency-cores one|two
                      latency scenario: run the proxy on the same core as wrk and the mock (one,
                      default: measures the proxy's CPU time per request, as perf-anchors.md did)
                      or on its own core like the other scenarios (two: adds cross-CPU wake-ups)
  --no-pin            do not pin with taskset
  --rebuild           rebuild dist/tollgate even when it looks current
  --record            also write bench/LATEST.md (the committed copy of the results)
`;

export function parseOptions(argv: readonly string[], env: Record<string, string | undefined>): Options {
  const quick = argv.includes("--quick");
  const o: Options = {
    quick,
    rounds: quick ? 2 : 5,
    durationS: quick ? 2 : 5,
    warmupS: 1,
    prewarmS: quick ? 3 : 30,
    ttfbRequests: quick ? 200 : 1000,
    soakSeconds: quick ? 20 : 600,
    coldStarts: quick ? 3 : 10,
    pgUrl: env.TEST_DATABASE_URL || undefined,
    pin: true,
    latencyCores: "one",
    rebuild: false,
    record: false,
  };
  const args = [...argv];
  const num = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number`);
    return n;
  };
  while (args.length > 0) {
    const a = args.shift()!;
    switch (a) {
      case "--quick":
        break;
      case "--rounds":
        o.rounds = Math.max(1, Math.round(num(a, args.shift())));
        break;
      case "--duration":
        o.durationS = Math.max(1, Math.round(num(a, args.shift())));
        break;
      case "--warmup":
        o.warmupS = Math.round(num(a, args.shift()));
        break;
      case "--prewarm":
        o.prewarmS = Math.round(num(a, args.shift()));
        break;
      case "--soak-seconds":
        o.soakSeconds = Math.round(num(a, args.shift()));
        break;
      case "--cold-starts":
        o.coldStarts = Math.max(1, Math.round(num(a, args.shift())));
        break;
      case "--pg":
        o.pgUrl = args.shift();
        if (!o.pgUrl) throw new Error("--pg needs a postgres:// URL");
        break;
      case "--only":
        o.scenarios = (args.shift() ?? "").split(",").filter(Boolean) as ScenarioId[];
        for (const id of o.scenarios) if (!SCENARIO_IDS.includes(id)) throw new Error(`--only: unknown scenario ${id} (${SCENARIO_IDS.join(", ")})`);
        break;
      case "--latency-cores": {
        const v = args.shift();
        if (v !== "one" && v !== "two") throw new Error("--latency-cores is one or two");
        o.latencyCores = v;
        break;
      }
      case "--no-pin":
        o.pin = false;
        break;
      case "--rebuild":
        o.rebuild = true;
        break;
      case "--record":
        o.record = true;
        break;
      case "--help":
      case "-h":
        process.stdout.write(BENCH_USAGE);
        process.exit(0);
      default:
        throw new Error(`unknown option ${a}\n\n${BENCH_USAGE}`);
    }
  }
  return o;
}

/** The command as typed, with a Postgres URL's credentials masked. */
export function commandLine(argv: readonly string[]): string {
  const shown = argv.map((a) => a.replace(/\/\/[^@/]*@/, "//***@"));
  return ["bun", "bench/run.ts", ...shown].join(" ");
}
