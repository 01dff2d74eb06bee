// The same store code against both dialects: SQLite always, Postgres when TEST_DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, desc, eq, gte, sql } from "drizzle-orm";
import { findKeyByToken, insertKey } from "../../src/db/store/keys.ts";
import { insertSettingOnce, readSetting } from "../../src/db/store/settings.ts";
import { migrate } from "../../src/db/migrate.ts";
import { createTestStore, type Dialect, PG_URL } from "../support/harness.ts";

const dialects: Dialect[] = ["sqlite", "pg"];

for (const dialect of dialects) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`store on ${dialect}`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    beforeAll(async () => {
      store = await createTestStore(dialect);
    });
    afterAll(() => store.destroy());

    test("migrating again is a no-op", async () => {
      await migrate(store);
      await migrate(store);
      expect(await store.db.$count(store.t.keys)).toBe(0);
    });

    test("rows round-trip with identical types: dates, booleans, JSON, integer nano-USD", async () => {
      const expiresAt = new Date("2031-05-06T07:08:09.123Z");
      const bigSpend = 9_000_000_000_000_000; // 9M USD in nano-USD: past 2^53 would be unsafe, this is not
      await insertKey(store, {
        token: `tok-${dialect}`,
        keyName: "sk-...abcd",
        models: ["gpt-4o", "openai/*"],
        metadata: { team: "eng", nested: { n: 1, list: [true, null] } },
        maxBudgetNano: 100_000_000_000,
        spendNano: bigSpend,
        blocked: true,
        expiresAt,
      });
      const row = await findKeyByToken(store, `tok-${dialect}`);
      expect(row).toBeDefined();
      expect(row!.expiresAt).toEqual(expiresAt);
      expect(row!.createdAt).toBeInstanceOf(Date);
      expect(row!.blocked).toBe(true);
      expect(row!.models).toEqual(["gpt-4o", "openai/*"]);
      expect(row!.metadata).toEqual({ team: "eng", nested: { n: 1, list: [true, null] } });
      expect(row!.spendNano).toBe(bigSpend);
      expect(typeof row!.maxBudgetNano).toBe("number");
      expect(row!.aliases).toEqual({});
      expect(row!.teamId).toBeNull();
    });

    test("an atomic spend increment returns the new total", async () => {
      const k = store.t.keys;
      const rows = await store.db
        .update(k)
        .set({ spendNano: sql`${k.spendNano} + ${1_500}` })
        .where(eq(k.token, `tok-${dialect}`))
        .returning({ spendNano: k.spendNano });
      expect(rows[0]!.spendNano).toBe(9_000_000_000_001_500);
    });

    test("the unique key alias is enforced by the database", async () => {
      await insertKey(store, { token: `a1-${dialect}`, keyName: "sk-...0001", keyAlias: "dup" });
      expect(insertKey(store, { token: `a2-${dialect}`, keyName: "sk-...0002", keyAlias: "dup" })).rejects.toThrow();
      // null aliases never collide
      await insertKey(store, { token: `n1-${dialect}`, keyName: "sk-...0003" });
      await insertKey(store, { token: `n2-${dialect}`, keyName: "sk-...0004" });
    });

    test("filters, ordering and counting agree", async () => {
      const k = store.t.keys;
      const since = new Date(Date.now() - 60_000);
      const rows = await store.db.select({ token: k.token }).from(k).where(and(gte(k.createdAt, since), eq(k.blocked, false))).orderBy(desc(k.token));
      expect(rows.map((r) => r.token)).toEqual([`n2-${dialect}`, `n1-${dialect}`, `a1-${dialect}`]);
      expect(await store.db.$count(k, eq(k.blocked, true))).toBe(1);
    });

    test("settings insert once: the first value wins", async () => {
      expect(await insertSettingOnce(store, "s", "first")).toBe("first");
      expect(await insertSettingOnce(store, "s", "second")).toBe("first");
      expect(await readSetting(store, "s")).toBe("first");
      expect(await readSetting(store, "missing")).toBeUndefined();
    });

    test("ping answers while open", async () => {
      await store.ping();
    });
  });
}
