// Tollgate as users run it: the compiled binary, a config.yaml with models on the mock upstream,
// a master key, a fresh database, and a virtual key with a budget and rpm/tpm limits.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { MODEL, SLOW_MODEL } from "./bodies.ts";
import { type Child, runChild, spawnChild, waitFor200 } from "./processes.ts";

export const REPO = path.resolve(import.meta.dir, "..");
export const BINARY = path.join(REPO, "dist", "tollgate");
export const MASTER_KEY = "sk-bench-master-0123456789";

// High enough never to trip during a run (a soak at ~20k req/s is ~1.2M requests a minute).
export const KEY_LIMITS = { max_budget: 1_000_000, rpm_limit: 100_000_000, tpm_limit: 10_000_000_000 };

function newestMtimeMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtimeMs(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/tollgate with `bun run build` when it is missing, stale, or a rebuild is asked for. */
export async function ensureBinary(opts: { rebuild: boolean; notes: string[] }): Promise<boolean> {
  const exists = await Bun.file(BINARY).exists();
  const sourcesMs = Math.max(newestMtimeMs(path.join(REPO, "src")), newestMtimeMs(path.join(REPO, "drizzle")));
  const stale = exists && statSync(BINARY).mtimeMs < sourcesMs;
  if (exists && !stale && !opts.rebuild) return true;
  process.stderr.write(`bench: building ${path.relative(REPO, BINARY)} (${!exists ? "missing" : stale ? "older than src/" : "--rebuild"})\n`);
  const { code, output } = await runChild("build", ["bun", "run", "build"], { cwd: REPO, timeoutMs: 180_000 });
  if (code === 0) return true;
  const tail = output.trim().split("\n").slice(-5).join(" / ");
  if (exists) {
    opts.notes.push(`\`bun run build\` failed (${tail}); measured the previous dist/tollgate, which may not match the working tree.`);
    return true;
  }
  opts.notes.push(`\`bun run build\` failed and there is no dist/tollgate: Tollgate was not measured (${tail}).`);
  return false;
}

export function configYaml(upstreamPort: number): string {
  const model = (name: string) => `  - model_name: ${name}
    litellm_params:
      model: openai/${name}
      api_base: http://127.0.0.1:${upstreamPort}/v1
      api_key: sk-fake
    model_info:
      input_cost_per_token: 0.0000001
      output_cost_per_token: 0.0000002
`;
  return `model_list:\n${model(MODEL)}${model(SLOW_MODEL)}general_settings:\n  master_key: ${MASTER_KEY}\n`;
}

export interface Gateway {
  child: Child;
  port: number;
  baseUrl: string;
}

/** `cwd`: the run's own directory (a Postgres gateway keeps its spend journal there, not in the repo). */
export async function startTollgate(opts: { name: string; configFile: string; db: string; cwd: string; port: number; cpu?: number; timeoutMs?: number; pollMs?: number }): Promise<Gateway> {
  const child = spawnChild(opts.name, [BINARY, "serve", "--config", opts.configFile, "--db", opts.db, "--host", "127.0.0.1", "--port", String(opts.port)], {
    cpu: opts.cpu,
    cwd: opts.cwd,
    // The config and --db decide; a developer's shell must not.
    env: { DATABASE_URL: undefined, LITELLM_MASTER_KEY: undefined },
  });
  const baseUrl = `http://127.0.0.1:${opts.port}`;
  await waitFor200(`${baseUrl}/health/readiness`, { child, timeoutMs: opts.timeoutMs ?? 20_000, intervalMs: opts.pollMs ?? 10 });
  return { child, port: opts.port, baseUrl };
}

/** A virtual key with a budget and limits; the master key (with a note) when the route is missing. */
export async function createVirtualKey(gw: Gateway, notes: string[]): Promise<{ key: string; virtual: boolean }> {
  const res = await fetch(`${gw.baseUrl}/key/generate`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${MASTER_KEY}` },
    body: JSON.stringify({ ...KEY_LIMITS, key_alias: "bench" }),
  });
  const text = await res.text();
  if (res.status === 200) {
    const key = (JSON.parse(text) as { key?: string }).key;
    if (key) return { key, virtual: true };
  }
  const why = res.status === 404 ? "POST /key/generate is not implemented (404)" : `POST /key/generate answered ${res.status}: ${text.slice(0, 160)}`;
  notes.push(`${why}: Tollgate was measured with the master key, so no per-key budget or rate-limit work is in these figures.`);
  return { key: MASTER_KEY, virtual: false };
}
