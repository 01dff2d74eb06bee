// GET /user/list and /team/list with 100,000 users on SQLite, in-process (app.handle): p50/p95.
// Every user belongs to one of 1,000 teams (100 members each). Target: p95 < 50 ms.
// Run: bun bench/user-team-list.ts [users=100000] [requests=200]
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

const USERS = Number(process.argv[2] ?? 100_000);
const REQUESTS = Number(process.argv[3] ?? 200);
const TEAMS = 1000;
const MASTER = "sk-bench-master-key";
const BATCH = 500;

const dir = mkdtempSync(path.join(tmpdir(), "tollgate-bench-"));
const store = openStore(path.join(dir, "users.db"));
await migrate(store);

const seedStarted = performance.now();
const baseMs = Date.parse("2026-01-01T00:00:00Z");
for (let i = 0; i < TEAMS; i += BATCH) {
  const rows = Array.from({ length: Math.min(BATCH, TEAMS - i) }, (_, k) => ({
    teamId: `team-${i + k}`, teamAlias: `Team ${i + k}`, createdAt: new Date(baseMs + (i + k) * 1000),
  }));
  await store.db.insert(store.t.teams).values(rows);
}
for (let i = 0; i < USERS; i += BATCH) {
  const n = Math.min(BATCH, USERS - i);
  const users = Array.from({ length: n }, (_, k) => {
    const j = i + k;
    return { userId: `user-${j}`, userEmail: `user${j}@corp.example`, userEmailLower: `user${j}@corp.example`, userRole: j % 100 === 0 ? "proxy_admin_viewer" : "internal_user", createdAt: new Date(baseMs + j * 1000) };
  });
  await store.db.insert(store.t.users).values(users);
  await store.db.insert(store.t.teamMembers).values(users.map((u, k) => ({ teamId: `team-${(i + k) % TEAMS}`, userId: u.userId, role: "user" as const })));
}
const seedMs = performance.now() - seedStarted;

const { config } = emptyConfig({ LITELLM_MASTER_KEY: MASTER });
const deps = createDeps({ config, store, log: silentLogger, masterKey: new MasterKey(hashKey(MASTER)) });
const app = buildApp(deps);

async function measure(pathAndQuery: string) {
  const url = `http://localhost${pathAndQuery}`;
  const headers = { authorization: `Bearer ${MASTER}` };
  for (let i = 0; i < 10; i++) await (await app.handle(new Request(url, { headers }))).arrayBuffer(); // warm-up
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const started = performance.now();
    const res = await app.handle(new Request(url, { headers }));
    const body = await res.arrayBuffer();
    samples.push(performance.now() - started);
    if (res.status !== 200) throw new Error(`${url} → ${res.status} ${new TextDecoder().decode(body)}`);
    bytes = body.byteLength;
  }
  samples.sort((a, b) => a - b);
  const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]!;
  return { route: pathAndQuery, response_kb: Math.round(bytes / 1024), p50_ms: pct(50).toFixed(2), p95_ms: pct(95).toFixed(2), max_ms: pct(100).toFixed(2) };
}

const measured = [
  "/user/list", "/user/list?page=500&page_size=100", "/user/list?user_email=user4242", "/user/list?role=proxy_admin_viewer&page_size=100",
  "/user/list?team=team-7&page_size=100", "/user/list?sort_by=spend&sort_order=desc",
  "/team/list?page=1&page_size=50", "/team/list?page=20&page_size=50", "/team/list?user_id=user-4242",
];
const results = [];
for (const q of measured) results.push(await measure(q));

console.log(`${USERS} users in ${TEAMS} teams on SQLite (seeded in ${(seedMs / 1000).toFixed(1)} s), ${REQUESTS} sequential requests per route, in-process:`);
console.table(results);
const worst = Math.max(...results.map((r) => Number(r.p95_ms)));
console.log(`worst p95 = ${worst.toFixed(2)} ms (target < 50 ms): ${worst < 50 ? "OK" : "OVER"}`);
// The whole /team/list (every team with all 100,000 memberships, as LiteLLM returns it) is a large payload:
console.table([await (async () => { const r = await measure("/team/list"); return r; })()]);

await store.close();
rmSync(dir, { recursive: true, force: true });
