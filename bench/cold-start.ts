// Cold start: spawn the compiled binary and time until /health/readiness first answers 200.
// The first start is on a new database (it runs the migrations); the rest reopen that database,
// which is how a restarted gateway starts.
import { freePort, stopChild } from "./processes.ts";
import { median } from "./stats.ts";
import { startTollgate } from "./tollgate.ts";

export interface ColdStart {
  firstMs: number;
  restartMs: number[];
}

/** `db`: a new, empty database (a SQLite path or a Postgres URL), started on once and then restarted on. */
export async function measureColdStart(opts: { configFile: string; db: string; cwd: string; restarts: number; cpu?: number }): Promise<ColdStart> {
  const once = async () => {
    const started = performance.now();
    const gw = await startTollgate({ name: "tollgate-cold", configFile: opts.configFile, db: opts.db, cwd: opts.cwd, port: freePort(), cpu: opts.cpu, pollMs: 1 });
    const ms = performance.now() - started;
    await stopChild(gw.child);
    return ms;
  };
  const firstMs = await once();
  const restartMs: number[] = [];
  for (let i = 0; i < opts.restarts; i++) restartMs.push(await once());
  return { firstMs, restartMs };
}

export const restartMedianMs = (c: ColdStart) => median(c.restartMs);
