// The spend report's reads on both dialects: rows in report order straight from the rollups, and
// the migration that re-keyed them keeps every row of a database written before it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrate as migrateSqlite } from "drizzle-orm/bun-sqlite/migrator";
import { drizzle as drizzleSqlite } from "drizzle-orm/bun-sqlite";
import { migrate as migratePg } from "drizzle-orm/postgres-js/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/postgres-js";
import { openStore, type Store } from "../../src/db/client.ts";
import { migrate, MIGRATIONS_DIR } from "../../src/db/migrate.ts";
import { customerReportRows, teamReportRows } from "../../src/db/store/spend.ts";
import { rollupUpserts } from "../../src/spend/rollups.ts";
import type { SpendLogRow } from "../../src/spend/ledger.ts";
import { createTestStore, type Dialect, freshPostgresUrl, PG_URL, tempPath } from "../support/harness.ts";

const day = (d: string, hour = 12) => new Date(`${d}T${String(hour).padStart(2, "0")}:00:00Z`);
let n = 0;
const log = (over: Partial<SpendLogRow> & { startTime: Date }): SpendLogRow => ({
  requestId: `r-${++n}`,
  callType: "acompletion",
  apiKey: "k1",
  model: "gpt-4o",
  modelGroup: "gpt-4o",
  provider: "openai",
  userId: "alice",
  teamId: "red",
  promptTokens: 10,
  completionTokens: 20,
  totalTokens: 30,
  spendNano: 225_000,
  status: "success",
  requestTags: [],
  metadata: {},
  endTime: over.startTime,
  ...over,
});

async function addLogs(store: Store, logs: SpendLogRow[]) {
  for (const q of rollupUpserts(store.db, store.t, logs)) await q;
}

for (const dialect of ["sqlite", "pg"] as Dialect[]) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`spend report reads on ${dialect}`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    beforeAll(async () => {
      store = await createTestStore(dialect);
      await addLogs(store, [
        log({ startTime: day("2031-03-11"), apiKey: "k2", teamId: null, userId: "bob", model: "gpt-4o-mini", modelGroup: "gpt-4o-mini", spendNano: 13_500 }),
        log({ startTime: day("2031-03-10"), endUser: "c2" }),
        // One key × model under two providers: two rollup rows, adjacent in report order.
        log({ startTime: day("2031-03-10", 9), provider: "azure", endUser: "c1" }),
        log({ startTime: day("2031-03-10", 8), apiKey: "k0", endUser: "c1", modelGroup: "mini", model: "gpt-4o-mini", spendNano: 7 }),
        log({ startTime: day("2031-03-09") }),
        log({ startTime: day("2031-03-10", 7), teamId: "blue", apiKey: "k3" }),
      ]);
    });
    afterAll(() => store.destroy());

    test("team rows come sorted by day, team, key and model, one key × model's rows adjacent", async () => {
      const rows = await teamReportRows(store, { fromDay: "2031-03-10", toDay: "2031-03-11" });
      expect(rows.map((r) => r.slice(0, 4))).toEqual([
        ["2031-03-10", "blue", "k3", "gpt-4o"],
        ["2031-03-10", "red", "k0", "gpt-4o-mini"],
        ["2031-03-10", "red", "k1", "gpt-4o"],
        ["2031-03-10", "red", "k1", "gpt-4o"],
        ["2031-03-11", "", "k2", "gpt-4o-mini"],
      ]);
      expect(rows[2]![4] + rows[3]![4]).toBe(450_000);
      expect(rows.every((r) => typeof r[4] === "number" && r[5] === 30 && r[6] === 1)).toBe(true);
      expect((await teamReportRows(store, { fromDay: "2031-03-10", toDay: "2031-03-11", userId: "bob" })).map((r) => r[2])).toEqual(["k2"]);
    });

    test("customer rows come sorted by day, end user and model group", async () => {
      expect(await customerReportRows(store, { fromDay: "2031-03-01", toDay: "2031-03-31" })).toEqual([
        ["2031-03-10", "c1", "gpt-4o", 225_000, 30, 1],
        ["2031-03-10", "c1", "mini", 7, 30, 1],
        ["2031-03-10", "c2", "gpt-4o", 225_000, 30, 1],
      ]);
    });

    if (dialect === "sqlite") {
      test("SQLite reads both reports as a range of a WITHOUT ROWID table's key: no sort, no lookup per row", () => {
        const sqlite = (store.raw as { sqlite: import("bun:sqlite").Database }).sqlite;
        const wr = sqlite.query("select name, wr from pragma_table_list where name like 'daily%' order by name").all();
        expect(wr).toEqual([{ name: "daily_end_user_spend", wr: 1 }, { name: "daily_spend", wr: 1 }]);
        for (const q of [
          `select day, team_id, api_key, model, spend_nano from daily_spend where day >= ? and day <= ? order by day, team_id, api_key, model`,
          `select day, end_user, model_group, spend_nano from daily_end_user_spend where day >= ? and day <= ? order by day, end_user, model_group`,
        ]) {
          const plan = (sqlite.query(`explain query plan ${q}`).all("a", "b") as { detail: string }[]).map((r) => r.detail);
          expect(plan).toEqual([expect.stringMatching(/USING PRIMARY KEY \(day>\? AND day<\?\)/)]);
        }
      });
    }
  });

  describe.skipIf(dialect === "pg" && !PG_URL)(`the rollup re-key migration on ${dialect}`, () => {
    test("a database written before it keeps every rollup row and reads in report order after it", async () => {
      // The migrations folder as it was before 0005.
      const before = mkdtempSync(path.join(tmpdir(), "tollgate-migrations-"));
      cpSync(path.join(MIGRATIONS_DIR, dialect), before, { recursive: true });
      const journalPath = path.join(before, "meta", "_journal.json");
      const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { idx: number; tag: string }[] };
      expect(journal.entries.some((e) => e.tag === "0005_rollups_in_report_order")).toBe(true);
      journal.entries = journal.entries.filter((e) => e.idx < 5);
      writeFileSync(journalPath, JSON.stringify(journal));

      const pg = dialect === "pg" ? await freshPostgresUrl() : undefined;
      const store = openStore(pg?.url ?? tempPath("rekey.db"));
      try {
        if ("sqlite" in store.raw) migrateSqlite(drizzleSqlite(store.raw.sqlite), { migrationsFolder: before });
        else await migratePg(drizzlePg(store.raw.pg), { migrationsFolder: before });
        await addLogs(store, [
          log({ startTime: day("2031-03-10"), endUser: "c1" }),
          log({ startTime: day("2031-03-10"), apiKey: "k0", teamId: "blue", endUser: "c1" }),
          log({ startTime: day("2031-03-10"), apiKey: "k0", teamId: "blue" }),
          log({ startTime: day("2031-03-09"), teamId: null, endUser: "c0" }),
        ]);
        await migrate(store);
        expect(await teamReportRows(store, { fromDay: "2031-03-01", toDay: "2031-03-31" })).toEqual([
          ["2031-03-09", "", "k1", "gpt-4o", 225_000, 30, 1],
          ["2031-03-10", "blue", "k0", "gpt-4o", 450_000, 60, 2],
          ["2031-03-10", "red", "k1", "gpt-4o", 225_000, 30, 1],
        ]);
        expect(await customerReportRows(store, { fromDay: "2031-03-01", toDay: "2031-03-31" })).toEqual([
          ["2031-03-09", "c0", "gpt-4o", 225_000, 30, 1],
          ["2031-03-10", "c1", "gpt-4o", 450_000, 60, 2],
        ]);
        // The ledger's upsert still finds the (re-keyed) primary key.
        await addLogs(store, [log({ startTime: day("2031-03-10"), apiKey: "k0", teamId: "blue", endUser: "c1" })]);
        expect((await teamReportRows(store, { fromDay: "2031-03-10", toDay: "2031-03-10" }))[0]).toEqual(["2031-03-10", "blue", "k0", "gpt-4o", 675_000, 90, 3]);
        expect(await customerReportRows(store, { fromDay: "2031-03-10", toDay: "2031-03-10" })).toEqual([["2031-03-10", "c1", "gpt-4o", 675_000, 90, 3]]);
      } finally {
        await store.close();
        await pg?.drop();
        rmSync(before, { recursive: true, force: true });
      }
    });
  });
}
