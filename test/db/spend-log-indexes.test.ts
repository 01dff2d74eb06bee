// The spend log's key, team and user indexes are partial (a row without that owner is not in it):
// the filters the spend API runs, equalities, still use them on both databases.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { findSpendLogsByRequestId } from "../../src/db/store/spend.ts";
import { createTestStore, type Dialect, PG_URL } from "../support/harness.ts";

const FILTERS = [
  ["api_key", "spend_logs_key_idx"],
  ["team_id", "spend_logs_team_idx"],
  ["user_id", "spend_logs_user_idx"],
] as const;

const query = (column: string) => `select request_id from spend_logs where ${column} = 'x' order by start_time desc limit 50`;

for (const dialect of ["sqlite", "pg"] as Dialect[]) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`spend log indexes on ${dialect}`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    beforeAll(async () => {
      store = await createTestStore(dialect);
    });
    afterAll(() => store.destroy());

    const plan = async (sqlText: string): Promise<string> => {
      if ("sqlite" in store.raw) {
        const rows = store.raw.sqlite.query(`explain query plan ${sqlText}`).all() as { detail: string }[];
        return rows.map((r) => r.detail).join("\n");
      }
      // Tiny tables would be scanned anyway: scans are priced out, so a usable index is chosen.
      const rows = await store.raw.pg.begin(async (tx) => {
        await tx.unsafe("set local enable_seqscan = off");
        return tx.unsafe(`explain ${sqlText}`);
      });
      return rows.map((r) => String(Object.values(r)[0])).join("\n");
    };

    for (const [column, index] of FILTERS) {
      test(`where ${column} = ? reads ${index}`, async () => {
        expect(await plan(query(column))).toContain(index);
      });
    }

    test("the indexes are partial: they leave out rows without that owner", async () => {
      const defs =
        "sqlite" in store.raw
          ? (store.raw.sqlite.query("select sql from sqlite_master where name like 'spend_logs_%_idx'").all() as { sql: string }[]).map((r) => r.sql)
          : (await store.raw.pg.unsafe("select indexdef as sql from pg_indexes where indexname like 'spend_logs_%_idx'")).map((r) => String(r.sql));
      for (const [column, index] of FILTERS) {
        const def = defs.find((d) => d.includes(index));
        const plain = def?.toLowerCase().replace(/["`]/g, "");
        expect(plain).toMatch(new RegExp(`where \\(?(spend_logs\\.)?${column} is not null`));
      }
    });

    test("request_id: a call id is found by the key; an answer's id among the newest rows only", async () => {
      const t0 = Date.UTC(2031, 0, 1);
      const rows = [0, 1, 2, 3, 4].map((i) => ({
        requestId: `call-${i}`,
        responseId: `chatcmpl-answer-${i}`,
        callType: "acompletion",
        model: "m",
        status: "success" as const,
        startTime: new Date(t0 + i * 1000),
        endTime: new Date(t0 + i * 1000),
      }));
      await store.db.insert(store.t.spendLogs).values(rows);
      const find = async (id: string, searchRows: number) =>
        (await findSpendLogsByRequestId(store, { requestId: id }, { limit: 10, offset: 0 }, searchRows)).rows.map((r) => r.requestId);
      expect(await find("call-0", 3)).toEqual(["call-0"]);
      expect(await find("chatcmpl-answer-4", 3)).toEqual(["call-4"]);
      expect(await find("chatcmpl-answer-2", 3)).toEqual(["call-2"]);
      expect(await find("chatcmpl-answer-1", 3)).toEqual([]); // older than the 3 newest
      expect(await find("chatcmpl-answer-0", 100)).toEqual(["call-0"]); // fewer rows than the bound
      expect(await find("chatcmpl-nobody", 100)).toEqual([]);
    });
  });
}
