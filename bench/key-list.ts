// GET /key/list with 100,000 keys on SQLite, in-process (app.handle, no socket): p50/p95 per query.
// Target: p95 < 50 ms. Run: bun bench/key-list.ts [keys=100000] [requests=300]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildApp } from "../src/app.ts";
import { hashKey } from "../src/auth/key-format.ts";
import { MasterKey } from "../src/auth/master-key.ts";
import { emptyConfig } from "../src/config/load.ts";
import { openStore } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { createDeps } from "../src/deps.ts";
import { silentLogger } from "../src/log.ts";
import { seedKeys } from "../test/support/seed-keys.ts";

const KEYS = Number(process.argv[2] ?? 100_000);
const REQUESTS = Number(process.argv[3] ?? 300);
const MASTER = "sk-bench-master-key";

const dir = mkdtempSync(path.join(tmpdir(), "tollgate-bench-"));
const store = openStore(path.join(dir, "keys.db"));
await migrate(store);

const seedStarted = performance.now();
await seedKeys(store, KEYS);
const seedMs = performance.now() - seedStarted;

const { config } = emptyConfig({ LITELLM_MASTER_KEY: MASTER });
const deps = createDeps({ config, store, log: silentLogger, masterKey: new MasterKey(hashKey(MASTER)) });
const app = buildApp(deps);

async function measure(query: string) {
  const url = `http://localhost/key/list${query}`;
  const headers = { authorization: `Bearer ${MASTER}` };
  for (let i = 0; i < 20; i++) await app.handle(new Request(url, { headers })); // warm-up
  const samples: number[] = [];
  let count = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const res = await app.handle(new Request(url, { headers }));
    const body = (await res.json()) as { keys: unknown[]; total_count: number };
    samples.push(performance.now() - started);
    if (res.status !== 200) throw new Error(`${url} → ${res.status}`);
    count = body.total_count;
  }
  samples.sort((a, b) => a - b);
  const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]!;
  return { query: query || "(none)", total_count: count, p50_ms: pct(50).toFixed(2), p95_ms: pct(95).toFixed(2), max_ms: pct(100).toFixed(2) };
}

const results = [];
for (const q of ["", "?page=2&size=100", "?return_full_object=true&size=100", "?user_id=user-7", "?team_id=team-3&size=100", "?key_alias=alias-500", "?page=1000&size=100"]) {
  results.push(await measure(q));
}

console.log(`GET /key/list, ${KEYS} keys on SQLite (seeded in ${(seedMs / 1000).toFixed(1)} s), ${REQUESTS} sequential requests per query, in-process:`);
console.table(results);
const worst = Math.max(...results.map((r) => Number(r.p95_ms)));
console.log(`worst p95 = ${worst.toFixed(2)} ms (target < 50 ms): ${worst < 50 ? "OK" : "OVER"}`);

await store.close();
rmSync(dir, { recursive: true, force: true });
