// The compiled binary killed with SIGKILL under load: every call the client saw complete is in the
// spend log and in the key's spend once the next start has replayed the journal. On Postgres also through an outage: calls answered
// while the database refused connections were journaled; the binary is killed before it could
// replay them, and the next start applies them exactly once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { count, eq, inArray } from "drizzle-orm";
import postgres from "postgres";
import { openStore } from "../../src/db/client.ts";
import { buildBinary, type RunningBinary, startBinary } from "../support/binary.ts";
import { freshPostgresUrl, PG_URL, tempPath } from "../support/harness.ts";

const CALL_NANO = 225_000; // mock_response: 10 + 20 tokens of gpt-4o
const MASTER = "sk-durability-master";

let bin: string;
beforeAll(async () => {
  bin = await buildBinary();
}, 120_000);

function writeConfig(journalDir: string): string {
  const p = tempPath("config.yaml");
  writeFileSync(
    p,
    `model_list:
  - model_name: gpt-4o
    litellm_params: {model: openai/gpt-4o, api_key: sk-upstream-unused}
general_settings:
  master_key: ${MASTER}
  spend_journal_dir: ${journalDir}
`,
  );
  return p;
}

async function newKey(gw: RunningBinary): Promise<{ key: string; token: string }> {
  const res = await fetch(`${gw.url}/key/generate`, { method: "POST", headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" }, body: "{}" });
  expect(res.status).toBe(200);
  return (await res.json()) as { key: string; token: string };
}

const chat = (gw: RunningBinary, key: string) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], mock_response: "ok" }),
  });

/**
 * Keeps `concurrency` calls in flight until `killAfter` have completed, then SIGKILLs the gateway
 * while the rest are still running. Returns the call ids of the answers the client received.
 */
async function loadThenKill(gw: RunningBinary, key: string, concurrency: number, killAfter: number): Promise<{ seen: string[]; failed: number }> {
  const seen: string[] = [];
  let failed = 0;
  let killed = false;
  const worker = async () => {
    while (!killed) {
      try {
        const res = await chat(gw, key);
        if (res.status !== 200) throw new Error(`status ${res.status}`);
        await res.json(); // complete: the whole body arrived
        seen.push(res.headers.get("x-litellm-call-id")!);
        if (seen.length >= killAfter && !killed) {
          killed = true;
          gw.proc.kill("SIGKILL");
        }
      } catch {
        failed++; // cut off by the kill: the client never saw it complete
        if (killed) return;
        // The gateway died on its own (it once did: postgres.js wrote to a connection Postgres had
        // just terminated): fail with its log rather than retrying until the test times out.
        if (gw.proc.exitCode !== null || gw.proc.signalCode !== null) throw new Error(`the gateway exited on its own:\n${gw.stderr().slice(-2_000)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await gw.proc.exited;
  return { seen, failed };
}

async function countIn(target: string, token: string, seen: string[]) {
  const store = openStore(target);
  try {
    const t = store.t;
    const [found] = await store.db.select({ n: count() }).from(t.spendLogs).where(inArray(t.spendLogs.requestId, seen));
    const [all] = await store.db.select({ n: count() }).from(t.spendLogs).where(eq(t.spendLogs.apiKey, token));
    const [key] = await store.db.select().from(t.keys).where(eq(t.keys.token, token));
    return { found: found!.n, logged: all!.n, spendNano: key!.spendNano };
  } finally {
    await store.close();
  }
}

const targets: { name: string; db: () => Promise<{ target: string; drop: () => Promise<void> }> }[] = [
  { name: "sqlite", db: async () => ({ target: tempPath("durability.db"), drop: async () => {} }) },
  ...(PG_URL
    ? [{ name: "pg", db: async () => { const pg = await freshPostgresUrl(); return { target: pg.url, drop: pg.drop }; } }]
    : []),
];

for (const { name, db } of targets) {
  test(`[${name}] kill -9 under load: every completed call is in the spend log and the key's spend`, async () => {
    const { target, drop } = await db();
    try {
      const args = ["--config", writeConfig(tempPath("journal")), "--db", target];
      const gw = await startBinary(bin, args);
      const { key, token } = await newKey(gw);
      const { seen, failed } = await loadThenKill(gw, key, 32, 300);
      // Spend is written ahead to the journal and committed behind the calls: the last few
      // milliseconds of it reach the database when the next start replays the journal.
      const atKill = await countIn(target, token, seen);
      const next = await startBinary(bin, args);
      await next.waitForLog("spend journal replayed", 10_000);
      const after = await countIn(target, token, seen);
      expect(await next.stop()).toBe(0);
      console.log(
        `[${name}] kill -9 after ${seen.length} completed calls (${failed} cut off): ${atKill.found}/${seen.length} in spend_logs at the kill, ` +
          `${after.found}/${seen.length} after the restart; ${after.logged} logged in all, key spend ${after.spendNano} nano = ${after.spendNano / CALL_NANO} calls`,
      );
      expect(after.found).toBe(seen.length);
      // Calls cut off mid-flight may have committed too; logs and totals agree either way.
      expect(after.spendNano).toBe(after.logged * CALL_NANO);
    } finally {
      await drop();
    }
  }, 60_000);
}

describe.skipIf(!PG_URL)("a Postgres outage, then kill -9, then a restart", () => {
  let pg: Awaited<ReturnType<typeof freshPostgresUrl>>;
  let admin: postgres.Sql;
  const dbName = () => new URL(pg.url).pathname.slice(1);
  beforeAll(async () => {
    pg = await freshPostgresUrl();
    admin = postgres(PG_URL!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await admin.unsafe(`alter database ${dbName()} allow_connections true`).catch(() => {});
    await admin.end();
    await pg.drop();
  });

  test("calls answered during the outage are journaled, and replayed exactly once by the next start", async () => {
    const config = writeConfig(tempPath("journal"));
    const first = await startBinary(bin, ["--config", config, "--db", pg.url]);
    const { key, token } = await newKey(first);
    expect((await chat(first, key)).status).toBe(200);
    const before = await countIn(pg.url, token, []);

    await admin.unsafe(`alter database ${dbName()} allow_connections false`);
    await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${dbName()} and pid <> pg_backend_pid()`;
    const { seen, failed } = await loadThenKill(first, key, 16, 150);
    await admin.unsafe(`alter database ${dbName()} allow_connections true`);
    const afterKill = await countIn(pg.url, token, seen);

    const second = await startBinary(bin, ["--config", config, "--db", pg.url]);
    await second.waitForLog("spend journal replayed", 10_000);
    const after = await countIn(pg.url, token, seen);
    expect(await second.stop()).toBe(0);
    console.log(
      `outage + kill -9: ${seen.length} calls answered while Postgres refused connections (${failed} cut off); ` +
        `in spend_logs before the restart ${afterKill.found}, after ${after.found}; ` +
        `key spend ${before.spendNano} → ${afterKill.spendNano} → ${after.spendNano} nano (${after.logged} calls logged)`,
    );
    expect(afterKill.found).toBe(0);
    expect(after.found).toBe(seen.length);
    expect(after.spendNano).toBe(after.logged * CALL_NANO);
    expect(after.logged).toBeGreaterThanOrEqual(before.logged + seen.length);
  }, 60_000);
});
