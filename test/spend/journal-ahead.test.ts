// Spend written ahead: a settled call is in the journal (one write) when record() resolves, and in
// the database a batch window later; committed lines leave the journal, which stays small.
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { count, eq } from "drizzle-orm";
import { spendTargets } from "../../src/policy/budget.ts";
import { SpendJournal } from "../../src/spend/journal.ts";
import { type SpendEntry, SpendLedger } from "../../src/spend/ledger.ts";
import type { Store } from "../../src/db/client.ts";
import { createTestStore, type Dialect, PG_URL, tempPath } from "../support/harness.ts";

const entry = (requestId: string, spendNano: number): SpendEntry => ({
  targets: spendTargets({ keyToken: "k1", userId: null, teamId: null, endUserId: null }),
  log: { requestId, callType: "acompletion", apiKey: "k1", model: "gpt-4o", spendNano, status: "success", startTime: new Date(1_700_000_000_000), endTime: new Date(1_700_000_000_500) },
});

/** A fresh database holding key k1, destroyed after `body`. */
async function withKeyStore(dialect: Dialect, body: (store: Store) => Promise<void>): Promise<void> {
  const store = await createTestStore(dialect);
  try {
    await store.db.insert(store.t.keys).values({ token: "k1", keyName: "sk-...0001" });
    await body(store);
  } finally {
    await store.destroy();
  }
}

const linesIn = (dir: string) =>
  readdirSync(dir).flatMap((f) => readFileSync(path.join(dir, f), "utf8").split("\n").filter(Boolean));

for (const dialect of ["sqlite", ...(PG_URL ? ["pg" as const] : [])] as Dialect[]) {
  describe(`spend written ahead on ${dialect}`, () => {
    test("record() resolves once the line is in the journal; the database follows in one batch; the journal is then emptied", async () => {
      await withKeyStore(dialect, async (store) => {
        const dir = tempPath("journal-ahead");
        const ledger = new SpendLedger(store, () => {}, { journal: new SpendJournal(dir, "a1") });
        // 50 calls settling in 50 separate turns of the event loop, each answered at once.
        for (let i = 0; i < 50; i++) {
          await ledger.record(entry(`ahead-${i}`, 100));
          await new Promise((r) => setImmediate(r));
        }
        const logs = async () => (await store.db.select({ n: count() }).from(store.t.spendLogs))[0]!.n;
        expect(linesIn(dir).length).toBe(50);
        expect(await logs()).toBe(0);
        await ledger.flush();
        expect(await logs()).toBe(50);
        const [key] = await store.db.select().from(store.t.keys).where(eq(store.t.keys.token, "k1"));
        expect(key!.spendNano).toBe(5_000);
        expect(ledger.stats.batches).toBeLessThanOrEqual(2);
        expect(linesIn(dir)).toEqual([]);
        await ledger.close();
        expect(readdirSync(dir)).toEqual([]); // an empty journal is removed at shutdown
      });
    });

    test("backpressure: past 2,000 calls waiting for the database, calls also wait for their commit", async () => {
      await withKeyStore(dialect, async (store) => {
        const ledger = new SpendLedger(store, () => {}, { journal: new SpendJournal(tempPath("journal-backpressure"), "a3") });
        let answered = 0;
        const all = Array.from({ length: 2_500 }, (_, i) => ledger.record(entry(`bp-${i}`, 1)).then(() => answered++));
        expect(answered).toBe(0); // nothing before the turn's write
        await new Promise((resolve) => setImmediate(resolve));
        expect(answered).toBe(2_000);
        await Promise.all(all);
        expect(answered).toBe(2_500);
        expect((await store.db.select({ n: count() }).from(store.t.spendLogs))[0]!.n).toBe(2_500);
        await ledger.close();
      });
    });

    test("when the journal cannot be written, calls wait for their commit instead", async () => {
      await withKeyStore(dialect, async (store) => {
        const file = tempPath("not-a-dir");
        writeFileSync(file, "");
        const errors: string[] = [];
        const log = { info() {}, warn() {}, debug() {}, error: (m: string) => errors.push(m) } as never;
        const ledger = new SpendLedger(store, () => {}, { journal: new SpendJournal(path.join(file, "journal"), "a2"), log });
        await Promise.all([ledger.record(entry("wait-1", 7)), ledger.record(entry("wait-2", 7))]);
        // Resolved only after the commit: the rows are there without a flush.
        expect((await store.db.select({ n: count() }).from(store.t.spendLogs))[0]!.n).toBe(2);
        expect(errors).toEqual(["spend journal write failed: calls now wait for their database commit"]);
        await ledger.close();
      });
    });

    test("a journal that failed is tried again after journalRetryMs; once it writes, calls are answered ahead of their commit again", async () => {
      await withKeyStore(dialect, async (store) => {
        const blocker = tempPath("journal-blocked");
        writeFileSync(blocker, ""); // a file where the journal's directory must go: every write fails
        const dir = path.join(blocker, "journal");
        const said: string[] = [];
        const log = { info: (m: string) => said.push(m), warn() {}, debug() {}, error: (m: string) => said.push(m) } as never;
        const ledger = new SpendLedger(store, () => {}, { journal: new SpendJournal(dir, "r1"), log, journalRetryMs: 50 });
        const logs = async () => (await store.db.select({ n: count() }).from(store.t.spendLogs))[0]!.n;
        await ledger.record(entry("blocked-1", 5));
        expect(await logs()).toBe(1); // answered only once committed
        // Still within the retry time: the journal is not touched, the call waits for its commit.
        await ledger.record(entry("blocked-2", 5));
        expect(await logs()).toBe(2);
        rmSync(blocker);
        await Bun.sleep(60);
        await ledger.record(entry("ahead-again", 5));
        expect(await logs()).toBe(2); // answered once journaled, before its commit
        const lines = linesIn(dir);
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain('"ahead-again"');
        await ledger.flush();
        expect(await logs()).toBe(3);
        expect(said).toEqual(["spend journal write failed: calls now wait for their database commit", "spend journal written again: calls are answered once journaled"]);
        await ledger.close();
      });
    });
  });
}

describe.if(Boolean(PG_URL))("spend settling during a commit (Postgres: the commit takes milliseconds)", () => {
  test("waits for its own batch window instead of a commit right after, so a steady trickle makes few batches", async () => {
    await withKeyStore("pg", async (store) => {
      const ledger = new SpendLedger(store, () => {}, { journal: new SpendJournal(tempPath("journal-trickle"), "t1") });
      // One call settling every ~1 ms for ~150 ms: a commit is always under way when the next
      // settles. Committing whatever arrived meanwhile at once made a commit every 2-3 calls.
      const calls = 150;
      for (let i = 0; i < calls; i++) {
        await ledger.record(entry(`trickle-${i}`, 10));
        await Bun.sleep(1);
      }
      await ledger.flush();
      const [logs] = await store.db.select({ n: count() }).from(store.t.spendLogs);
      expect(logs!.n).toBe(calls);
      const [key] = await store.db.select().from(store.t.keys).where(eq(store.t.keys.token, "k1"));
      expect(key!.spendNano).toBe(calls * 10);
      // ~10-15 windows of 20 ms (before: 54 batches).
      expect(ledger.stats.batches).toBeLessThanOrEqual(calls / 5);
      await ledger.close();
    });
  });
});

test("journal: lines covered by a commit are dropped; a large file with newer lines is sealed, then deleted once covered", () => {
  const dir = tempPath("journal-seal");
  const journal = new SpendJournal(dir, "b1", 3, 0);
  const active = path.join(dir, `spend-${process.pid}-b1.ndjson`);
  for (let i = 1; i <= 2; i++) journal.write([{ entry: entry(`s${i}`, 1) }]);
  journal.committed(1); // a line newer than the commit is still in the file
  expect(statSync(active).size).toBeGreaterThan(0);
  journal.committed(2);
  expect(statSync(active).size).toBe(0);
  // Commits that always lag one line behind: at 3 lines the file is sealed and a new one started.
  for (let i = 3; i <= 5; i++) journal.write([{ entry: entry(`s${i}`, 1) }]);
  journal.committed(4);
  const sealed = readdirSync(dir).filter((f) => f.endsWith(".replaying"));
  expect(sealed.length).toBe(1);
  journal.write([{ entry: entry("s6", 1) }]);
  expect(readFileSync(active, "utf8").split("\n").filter(Boolean).length).toBe(1);
  journal.committed(5); // covers the sealed file's last line
  expect(readdirSync(dir).filter((f) => f.endsWith(".replaying"))).toEqual([]);
  journal.committed(6);
  expect(statSync(active).size).toBe(0);
});

test("journal: a file whose lines are all committed is emptied at most once per interval, and removed at close", async () => {
  const dir = tempPath("journal-empty");
  const journal = new SpendJournal(dir, "e1", 1_000, 300);
  const active = path.join(dir, `spend-${process.pid}-e1.ndjson`);
  journal.write([{ entry: entry("e1", 1) }]);
  journal.committed(1);
  expect(statSync(active).size).toBe(0); // the first time: at once
  journal.write([{ entry: entry("e2", 1) }]);
  journal.committed(2);
  expect(statSync(active).size).toBeGreaterThan(0); // within the interval: kept (a replay adds nothing)
  expect(journal.hasActiveRecords).toBe(false);
  await Bun.sleep(600);
  expect(statSync(active).size).toBe(0); // emptied when the interval ended
  journal.write([{ entry: entry("e3", 1) }]);
  journal.committed(3);
  await journal.close();
  expect(existsSync(active)).toBe(false); // every line committed: nothing to replay
});
