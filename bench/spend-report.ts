// GET /global/spend/report over 1,000,000 spend-log rows on SQLite, in-process (app.handle, no
// socket, the body read as text): p50/p95 per group_by, repeated and cold. Target: p95 < 200 ms.
// The logs and their rollups are seeded the way the ledger writes them (spend_logs rows +
// rollupUpserts over the same batch, one transaction). Figures and notes: bench/README.md.
// Run: bun bench/spend-report.ts [rows=1000000] [requests=50] [cold-requests=10]
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { buildApp } from "../src/app.ts";
import { hashKey } from "../src/auth/key-format.ts";
import { MasterKey } from "../src/auth/master-key.ts";
import { emptyConfig } from "../src/config/load.ts";
import { openStore } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { createDeps } from "../src/deps.ts";
import { silentLogger } from "../src/log.ts";
import { rollupUpserts } from "../src/spend/rollups.ts";
import type { SpendLogRow } from "../src/spend/ledger.ts";

const ROWS = Number(process.argv[2] ?? 1_000_000);
const REQUESTS = Number(process.argv[3] ?? 50);
const COLD_REQUESTS = Number(process.argv[4] ?? 10);
const MASTER = "sk-bench-master-key";
const BATCH = 5_000;
// 90 days of traffic from 200 keys (one user each, 20 teams), 1,000 customers, 6 models.
const DAYS = 90;
const KEYS = 200;
const CUSTOMERS = 1_000;
const MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4", "gemini-2.0-flash", "mistral-large", "o3-mini"];
const startMs = Date.parse("2026-01-01T00:00:00Z");

const dir = mkdtempSync(path.join(tmpdir(), "tollgate-bench-"));
const store = openStore(path.join(dir, "spend.db"));
await migrate(store);
if (!("sqlite" in store.raw)) throw new Error("SQLite only");
const sqlite = store.raw.sqlite;

const insertLog = sqlite.prepare(
  `insert into spend_logs (request_id, call_type, api_key, model, model_group, model_id, provider, api_base, user_id, team_id, end_user,
   prompt_tokens, completion_tokens, total_tokens, spend_nano, status, request_tags, metadata, start_time, end_time)
   values (?, 'acompletion', ?, ?, ?, ?, 'openai', 'https://api.openai.com/v1', ?, ?, ?, ?, ?, ?, ?, ?, '[]', '{}', ?, ?)`,
);

const seedStarted = performance.now();
let seed = 42;
// mulberry32: a fixed seed gives the same data on every run; high bits, so keys, models and
// customers are drawn independently (an LCG's low bits correlate them and shrink the rollups).
const rand = (n: number) => {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return Math.floor((((x ^ (x >>> 14)) >>> 0) / 4_294_967_296) * n);
};
for (let i = 0; i < ROWS; i += BATCH) {
  const logs: SpendLogRow[] = [];
  for (let j = i; j < Math.min(i + BATCH, ROWS); j++) {
    const k = rand(KEYS);
    const model = MODELS[rand(MODELS.length)]!;
    const prompt = 50 + rand(2_000);
    const completion = 20 + rand(800);
    const start = new Date(startMs + Math.floor((j / ROWS) * DAYS * 86_400_000));
    logs.push({
      requestId: `req-${j}`, callType: "acompletion", apiKey: hashKey(`sk-bench-${k}`), model, modelGroup: model, modelId: `${model}-1`,
      provider: "openai", apiBase: "https://api.openai.com/v1", userId: `user-${k}`, teamId: k % 10 === 0 ? null : `team-${k % 20}`,
      endUser: rand(3) === 0 ? null : `customer-${rand(CUSTOMERS)}`, promptTokens: prompt, completionTokens: completion,
      totalTokens: prompt + completion, spendNano: prompt * 2_500 + completion * 10_000, status: rand(50) === 0 ? ("failure" as const) : ("success" as const),
      requestTags: [], metadata: {}, startTime: start, endTime: new Date(start.getTime() + 800),
    });
  }
  sqlite.transaction(() => {
    for (const l of logs) {
      insertLog.run(l.requestId, l.apiKey ?? null, l.model, l.modelGroup ?? null, l.modelId ?? null, l.userId ?? null, l.teamId ?? null, l.endUser ?? null,
        l.promptTokens ?? 0, l.completionTokens ?? 0, l.totalTokens ?? 0, l.spendNano ?? 0, l.status, l.startTime.getTime(), l.endTime.getTime());
    }
    for (const q of rollupUpserts(store.db, store.t, logs)) (q as unknown as { run(): void }).run();
  })();
}
sqlite.exec("analyze");
const seedMs = performance.now() - seedStarted;
const count = (table: string) => (sqlite.query(`select count(*) as n from ${table}`).get() as { n: number }).n;

const { config } = emptyConfig({ LITELLM_MASTER_KEY: MASTER });
const deps = createDeps({ config, store, log: silentLogger, masterKey: new MasterKey(hashKey(MASTER)), now: () => startMs + (DAYS - 1) * 86_400_000 + 43_200_000 }); // noon of the last seeded day
const app = buildApp(deps);

const headers = { authorization: `Bearer ${MASTER}` };
async function timed(target: ReturnType<typeof buildApp>, url: string) {
  const started = performance.now();
  const res = await target.handle(new Request(url, { headers }));
  const text = await res.text();
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`${url} → ${res.status} ${text.slice(0, 200)}`);
  return { ms, bytes: text.length };
}
const percentile = (samples: number[], p: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

// Repeated: the same request REQUESTS times after 5 warm-ups, as a dashboard reloads it; the team
// and customer reports then rebuild only the days whose rollups changed (none here). Cold: each
// request on a new app (buildApp, not timed), so nothing is kept: what the first request pays, or
// every request over days that all keep changing (as from a fresh process: collected heap).
async function measure(route: string) {
  const url = `http://localhost${route}`;
  const cold: number[] = [];
  for (let i = 0; i < COLD_REQUESTS; i++) {
    const fresh = buildApp(deps);
    Bun.gc(true); // the previous cold app's kept days are garbage: collect them outside the timing
    cold.push((await timed(fresh, url)).ms);
  }
  for (let i = 0; i < 5; i++) await timed(app, url);
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const r = await timed(app, url);
    samples.push(r.ms);
    bytes = r.bytes;
  }
  const f = (ms: number) => ms.toFixed(2);
  return {
    route,
    response_kb: (bytes / 1024).toFixed(0),
    p50_ms: f(percentile(samples, 50)),
    p95_ms: f(percentile(samples, 95)),
    max_ms: f(percentile(samples, 100)),
    cold_p50_ms: f(percentile(cold, 50)),
    cold_p95_ms: f(percentile(cold, 95)),
  };
}

const month = "start_date=2026-03-01&end_date=2026-03-31";
const quarter = "start_date=2026-01-01&end_date=2026-03-31";
const results = [];
for (const r of [
  `/global/spend/report?${month}&group_by=team`,
  `/global/spend/report?${month}&group_by=api_key`,
  `/global/spend/report?${month}&group_by=customer`,
  `/global/spend/report?${month}&group_by=model`,
  `/global/spend/report?${quarter}&group_by=team`,
  `/global/spend/report?${quarter}&group_by=customer`,
  "/global/spend",
  "/global/spend/keys?limit=10",
  "/global/spend/teams",
  `/user/daily/activity?user_id=user-7&${quarter}`,
]) {
  results.push(await measure(r));
}

console.log(
  `${ROWS.toLocaleString("en")} spend logs on SQLite (seeded with rollups in ${(seedMs / 1000).toFixed(1)} s): daily_spend ${count("daily_spend").toLocaleString("en")} rows, ` +
    `daily_end_user_spend ${count("daily_end_user_spend").toLocaleString("en")} rows; per route ${REQUESTS} repeated requests and ${COLD_REQUESTS} cold ones, ` +
    `sequential, in-process; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} at the end:`,
);
console.table(results);
// Per route, not just the worst. The team and customer reports' cold time follows their response
// size (LiteLLM's shape lists every key × model per team per day, every model per customer per
// day), not the number of logged calls; repeated, it is reading the days' stamps and copying bytes.
for (const r of results.filter((x) => x.route.startsWith("/global/spend/report"))) {
  const ok = (ms: string) => (Number(ms) < 200 ? "OK  " : "OVER");
  console.log(`${ok(r.p95_ms)} p95 ${r.p95_ms} ms repeated (p50 ${r.p50_ms}), ${ok(r.cold_p95_ms)} p95 ${r.cold_p95_ms} ms cold (p50 ${r.cold_p50_ms}), ${r.response_kb} KB: ${r.route}`);
}

await deps.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
