// Spend survives a Postgres outage: calls keep completing, their spend is journaled locally
// (fsync'd before the response), and applied exactly once when the database comes back. The outage
// is real: the test database stops accepting connections (ALLOW_CONNECTIONS false also holds
// superusers out, unlike CONNECTION LIMIT) and its sessions are terminated; the shared server stays up.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { count, eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { spendTargets } from "../../src/policy/budget.ts";
import { SpendJournal } from "../../src/spend/journal.ts";
import { type SpendEntry, SpendLedger } from "../../src/spend/ledger.ts";
import { createTestStore, freshPostgresUrl, type Gateway, PG_URL, startGateway, tempPath } from "../support/harness.ts";

// mock_response usage: 10 prompt + 20 completion tokens of gpt-4o ($2.50 / $10 per Mtok).
const CALL_NANO = 225_000;

const entry = (requestId: string, spendNano: number): SpendEntry => ({
  targets: spendTargets({ keyToken: "k1", userId: null, teamId: null, endUserId: null }),
  log: {
    requestId,
    callType: "acompletion",
    apiKey: "k1",
    model: "gpt-4o",
    spendNano,
    status: "success",
    startTime: new Date(1_700_000_000_000),
    endTime: new Date(1_700_000_000_500),
  },
});

test("journal: appends racing rotations each land in exactly one file, none torn or lost", async () => {
  const journal = new SpendJournal(tempPath("journal-race"), "abc1");
  const ops: Promise<unknown>[] = [];
  for (let i = 0; i < 300; i++) {
    ops.push(journal.append([{ entry: entry(`r${i}`, 1) }]));
    if (i % 7 === 0) ops.push(Promise.resolve(journal.rotate()));
  }
  await Promise.all(ops);
  const files = await journal.rotate();
  const ids = (await Promise.all(files.map((f) => journal.read(f)))).flat().map((r) => r.entry.log.requestId);
  expect(ids.length).toBe(300);
  expect(new Set(ids).size).toBe(300);
  expect(journal.hasActiveRecords).toBe(false);
});

test("journal: rotations within the same millisecond each keep their own file", async () => {
  const journal = new SpendJournal(tempPath("journal-same-ms"), "abc3");
  // Back to back, a rotation takes well under a millisecond: most of these share one.
  for (let i = 0; i < 40; i++) {
    journal.write([{ entry: entry(`m${i}`, 1) }]);
    journal.rotate();
  }
  const files = journal.replayable();
  expect(files.length).toBe(40);
  const ids = (await Promise.all(files.map((f) => journal.read(f)))).flat().map((r) => r.entry.log.requestId);
  expect(new Set(ids)).toEqual(new Set(Array.from({ length: 40 }, (_, i) => `m${i}`)));
});

test("journal: a record reads back as it was written, every field and date, lease holder included", async () => {
  const journal = new SpendJournal(tempPath("journal-roundtrip"), "abc2");
  const full: SpendEntry = {
    targets: spendTargets({ keyToken: "k1", userId: "u1", teamId: "t1", endUserId: "e1" }),
    log: {
      ...entry("req-full", 1_234).log,
      modelGroup: "gpt-4o",
      modelId: "dep-1",
      provider: "openai",
      apiBase: "https://api.openai.com/v1",
      userId: "u1",
      teamId: "t1",
      endUser: "e1",
      promptTokens: 10,
      completionTokens: 20,
      totalTokens: 30,
      requestTags: ["a", "b"],
      metadata: { user_api_key_alias: "my \"key\"\n", nested: { n: [1, null] } },
    },
  };
  journal.write([{ entry: full, leaseOwner: "inst-1" }, { entry: entry("req-plain", 5) }]);
  const [file] = journal.rotate();
  const [a, b] = await journal.read(file!);
  expect(a).toEqual({ entry: full, leaseOwner: "inst-1" });
  expect(a!.entry.log.startTime).toBeInstanceOf(Date);
  expect(b!.leaseOwner).toBeUndefined();
  expect(b!.entry).toEqual(entry("req-plain", 5));
});

describe("journal replay is idempotent by request_id", () => {
  for (const dialect of ["sqlite", ...(PG_URL ? ["pg" as const] : [])] as const) {
    test(`[${dialect}] a replayed entry that was already committed adds nothing; a new one is added once`, async () => {
      const store = await createTestStore(dialect);
      try {
        await store.db.insert(store.t.keys).values({ token: "k1", keyName: "sk-...0001" });
        await new SpendLedger(store).record(entry("req-committed", 1_000));
        // What a crashed process leaves behind: its journal, under a pid that no longer runs, holding
        // one batch that did commit (its answer was lost) and one that did not.
        const dir = tempPath("journal");
        mkdirSync(dir, { recursive: true });
        const lines = [entry("req-committed", 1_000), entry("req-journaled", 2_000)].map((e) => JSON.stringify({ entry: e }));
        writeFileSync(path.join(dir, "spend-999999999-deadbeef.ndjson"), `${lines.join("\n")}\n{"entry": {"torn`);
        const ledger = new SpendLedger(store, () => {}, { journal: new SpendJournal(dir, "cafe") });
        await ledger.recover();
        await ledger.replay(); // a second replay finds nothing left
        const [key] = await store.db.select().from(store.t.keys).where(eq(store.t.keys.token, "k1"));
        const [logs] = await store.db.select({ n: count() }).from(store.t.spendLogs);
        console.log(`[${dialect}] replay of 1 committed + 1 journaled entry: key spend ${key!.spendNano} nano, ${logs!.n} log rows`);
        expect(key!.spendNano).toBe(3_000);
        expect(logs!.n).toBe(2);
        expect(readdirSync(dir)).toEqual([]);
        expect(ledger.degraded).toBe(false);
      } finally {
        await store.destroy();
      }
    });
  }
});

describe.skipIf(!PG_URL)("a Postgres outage under load", () => {
  let db: { url: string; drop: () => Promise<void> };
  let admin: postgres.Sql;
  let g: Gateway;
  const journalDir = tempPath("spend-journal");
  const dbName = () => new URL(db.url).pathname.slice(1);

  beforeAll(async () => {
    db = await freshPostgresUrl();
    admin = postgres(PG_URL!, { max: 1, onnotice: () => {} });
    g = await startGateway({
      databaseUrl: db.url,
      configYaml: `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-upstream-unused }
general_settings:
  spend_journal_dir: ${journalDir}
`,
    });
  });
  afterAll(async () => {
    await admin.unsafe(`alter database ${dbName()} allow_connections true`).catch(() => {});
    // Connections killed by the outage can leave postgres.js waiting out end()'s full grace period.
    await g.deps.close();
    if ("pg" in g.store.raw) await g.store.raw.pg.end({ timeout: 0.1 });
    await g.close();
    await admin.end();
    await db.drop();
  });

  const block = async () => {
    await admin.unsafe(`alter database ${dbName()} allow_connections false`);
    await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${dbName()} and pid <> pg_backend_pid()`;
  };
  const unblock = () => admin.unsafe(`alter database ${dbName()} allow_connections true`);

  test("every call answered during the outage is in the spend log and the totals once, after reconnect", async () => {
    const res = await g.request("/key/generate", { method: "POST", json: { key_alias: "outage" } });
    const { key, token } = (await res.json()) as { key: string; token: string };
    const call = () =>
      g.request("/v1/chat/completions", {
        method: "POST",
        key,
        json: { model: "gpt-4o", messages: [{ role: "user", content: "hi" }], mock_response: "ok" },
      });
    expect((await call()).status).toBe(200); // warms the key cache and the budget book
    await g.committed();

    const countLogs = async () => (await g.store.db.select({ n: count() }).from(g.store.t.spendLogs))[0]!.n;
    const keySpend = async () => (await g.store.db.select().from(g.store.t.keys).where(eq(g.store.t.keys.token, token)))[0]!.spendNano;
    const logsBefore = await countLogs();
    const spendBefore = await keySpend();

    await block();
    const N = 200;
    const answers = await Promise.all(Array.from({ length: N }, call));
    // Answered once written ahead to the journal; the commit behind them is what finds the outage.
    await g.committed();
    const ok = answers.filter((r) => r.status === 200);
    const seenIds = ok.map((r) => r.headers.get("x-litellm-call-id")!);
    const journaled = g.deps.spend!.ledger.stats.journaled;
    const files = readdirSync(journalDir);
    expect(g.deps.spend!.ledger.degraded).toBe(true);

    await unblock();
    // The ledger retries on its own; asking it directly waits on the replay instead of a clock.
    let replayed = false;
    for (let attempt = 0; attempt < 50 && !replayed; attempt++) replayed = await g.deps.spend!.ledger.replay();
    expect(replayed).toBe(true);

    const logsAfter = await countLogs();
    const spendAfter = await keySpend();
    const [found] = await g.store.db
      .select({ n: count() })
      .from(g.store.t.spendLogs)
      .where(sql`${g.store.t.spendLogs.requestId} in ${seenIds}`);
    console.log(
      `outage: ${N} calls, ${ok.length} answered 200, ${journaled} journaled in ${files.length} file(s); ` +
        `spend_logs ${logsBefore} → ${logsAfter}, key spend ${spendBefore} → ${spendAfter} nano (expected +${ok.length * CALL_NANO})`,
    );
    expect(ok.length).toBe(N);
    expect(journaled).toBe(N);
    expect(found!.n).toBe(ok.length);
    expect(logsAfter - logsBefore).toBe(ok.length);
    expect(spendAfter - spendBefore).toBe(ok.length * CALL_NANO);
    expect(readdirSync(journalDir)).toEqual([]);
    // Back to writing to the database: the next call is committed behind its answer.
    expect((await call()).status).toBe(200);
    await g.committed();
    expect(await countLogs()).toBe(logsAfter + 1);
  }, 30_000);
});
