// Soak: sustained mixed load (non-streaming and streaming at once) on one target while its RSS is
// sampled, to show whether memory settles or keeps growing.
import path from "node:path";
import { runChild } from "./processes.ts";
import { rssKb } from "./rss.ts";
import { CHAT_PATH, type Target } from "./targets.ts";
import { parseWrkOutput } from "./wrk.ts";

export interface SoakResult {
  seconds: number;
  requests: number;
  errors: number;
  /** Largest RSS in the first and the last tenth of the soak. */
  earlyKb: number;
  lateKb: number;
  maxKb: number;
  /** RSS a few seconds after the load stopped. */
  afterKb: number;
}

const LUA = path.join(import.meta.dir, "wrk-post.lua");

export async function soak(target: Target, bodyFiles: { small: string; stream: string }, opts: { seconds: number; cpu?: number }): Promise<SoakResult> {
  const wrk = (bodyFile: string, connections: number) =>
    runChild("wrk-soak", ["wrk", "-t", "1", "-c", String(connections), "-d", `${opts.seconds}s`, "--timeout", "5s", "--latency", "-s", LUA, target.baseUrl + CHAT_PATH], {
      cpu: opts.cpu,
      env: { BENCH_BODY_FILE: bodyFile, BENCH_KEY: target.key, BENCH_PATH: CHAT_PATH },
      timeoutMs: (opts.seconds + 30) * 1000,
    });
  const runs = Promise.all([wrk(bodyFiles.small, 16), wrk(bodyFiles.stream, 8)]);
  const samples: { atS: number; kb: number }[] = [];
  const started = performance.now();
  let done = false;
  void runs.finally(() => (done = true));
  while (!done) {
    const kb = await rssKb(target.pid);
    if (Number.isFinite(kb)) samples.push({ atS: (performance.now() - started) / 1000, kb });
    await Bun.sleep(1000);
  }
  let requests = 0;
  let errors = 0;
  for (const r of await runs) {
    if (r.code !== 0) throw new Error(`soak: wrk exited with ${r.code}: ${r.output.slice(-300)}`);
    const parsed = parseWrkOutput(r.output);
    requests += parsed.requests;
    errors += parsed.errors;
  }
  await Bun.sleep(3000);
  const tenth = opts.seconds / 10;
  const maxIn = (from: number, to: number) => Math.max(...samples.filter((s) => s.atS >= from && s.atS <= to).map((s) => s.kb));
  return {
    seconds: opts.seconds,
    requests,
    errors,
    earlyKb: maxIn(0, Math.max(tenth, 2)),
    lateKb: maxIn(opts.seconds - Math.max(tenth, 2), opts.seconds + 5),
    maxKb: Math.max(...samples.map((s) => s.kb)),
    afterKb: await rssKb(target.pid),
  };
}
