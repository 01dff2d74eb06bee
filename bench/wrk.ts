// Runs wrk (Debian's package) with wrk-post.lua and reads its --latency report.
import path from "node:path";
import { runChild } from "./processes.ts";

export interface WrkResult {
  rps: number;
  p50Us: number;
  p99Us: number;
  requests: number;
  /** Non-2xx/3xx responses plus socket errors: a run with any is reported, not trusted. */
  errors: number;
}

export interface WrkRun {
  url: string;
  bodyFile: string;
  key: string;
  connections: number;
  durationS: number;
  cpu?: number;
}

const LUA = path.join(import.meta.dir, "wrk-post.lua");

const UNIT_US: Record<string, number> = { us: 1, ms: 1000, s: 1_000_000, m: 60_000_000 };

/** "94.00us" | "1.34ms" | "2.01s" → microseconds. */
export function parseDurationUs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) throw new Error(`wrk: cannot read duration "${text}"`);
  return Number(m[1]) * UNIT_US[m[2]!]!;
}

export function parseWrkOutput(out: string): WrkResult {
  const percentile = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+(\\S+)\\s*$`, "m").exec(out);
    if (!m) throw new Error(`wrk: no ${p}% line in output (was --latency passed?):\n${out}`);
    return parseDurationUs(m[1]!);
  };
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  if (!rps) throw new Error(`wrk: no Requests/sec line:\n${out}`);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = sock ? sock.slice(1).reduce((a, n) => a + Number(n), 0) : 0;
  return { rps: Number(rps[1]), p50Us: percentile("50"), p99Us: percentile("99"), requests, errors: non2xx + socketErrors };
}

export async function runWrk(run: WrkRun): Promise<WrkResult> {
  const threads = 1; // one closed-loop thread: wrk shares its core with the mock upstream
  const { code, output, timedOut } = await runChild(
    "wrk",
    ["wrk", "-t", String(threads), "-c", String(run.connections), "-d", `${run.durationS}s`, "--timeout", "5s", "--latency", "-s", LUA, run.url],
    {
      cpu: run.cpu,
      env: { BENCH_BODY_FILE: run.bodyFile, BENCH_KEY: run.key, BENCH_PATH: new URL(run.url).pathname },
      timeoutMs: (run.durationS + 15) * 1000,
    },
  );
  if (timedOut) throw new Error(`wrk did not finish within ${run.durationS + 15} s`);
  if (code !== 0) throw new Error(`wrk exited with ${code}:\n${output}`);
  return parseWrkOutput(output);
}
