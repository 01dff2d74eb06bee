import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { spendTargets, teamMemberId } from "../../src/policy/budget.ts";
import { BudgetBook } from "../../src/spend/budget-book.ts";
import { loadBudgetRow } from "../../src/spend/budget-rows.ts";
import { type SpendEntry, SpendLedger } from "../../src/spend/ledger.ts";
import { createTestStore, type Dialect, PG_URL } from "../support/harness.ts";

const owners = { keyToken: "k1", userId: "u1", teamId: "t1", endUserId: "cust-1" };

const entry = (i: number, spendNano: number, status: "success" | "failure" = "success"): SpendEntry => ({
  targets: spendTargets(owners),
  log: {
    requestId: `req-${i}`,
    callType: "acompletion",
    apiKey: "k1",
    model: "gpt-4o",
    modelGroup: "gpt-4o",
    userId: "u1",
    teamId: "t1",
    endUser: "cust-1",
    promptTokens: 10,
    completionTokens: 20,
    totalTokens: 30,
    spendNano,
    status,
    requestTags: ["a"],
    startTime: new Date(1_700_000_000_000),
    endTime: new Date(1_700_000_000_500),
  },
});

for (const dialect of ["sqlite", "pg"] as Dialect[]) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`spend ledger on ${dialect}`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    beforeAll(async () => {
      store = await createTestStore(dialect);
      const t = store.t;
      await store.db.insert(t.users).values({ userId: "u1" });
      await store.db.insert(t.teams).values({ teamId: "t1" });
      await store.db.insert(t.teamMembers).values({ teamId: "t1", userId: "u1", role: "user" });
      await store.db.insert(t.keys).values({ token: "k1", keyName: "sk-...0001", userId: "u1", teamId: "t1" });
    });
    afterAll(() => store.destroy());

    test("500 concurrent settles: every cent on every row, one log row each, written in few batches", async () => {
      const seen: number[] = [];
      const ledger = new SpendLedger(store, (c) => seen.push(c.length));
      const costs = Array.from({ length: 500 }, (_, i) => 1_000 + i);
      await Promise.all(costs.map((c, i) => ledger.record(entry(i, c, i % 50 === 0 ? "failure" : "success"))));
      const total = costs.reduce((a, b) => a + b, 0);
      const t = store.t;
      const [key] = await store.db.select().from(t.keys).where(eq(t.keys.token, "k1"));
      const [user] = await store.db.select().from(t.users).where(eq(t.users.userId, "u1"));
      const [team] = await store.db.select().from(t.teams).where(eq(t.teams.teamId, "t1"));
      const [member] = await store.db.select().from(t.teamMembers);
      const [endUser] = await store.db.select().from(t.endUsers).where(eq(t.endUsers.userId, "cust-1"));
      expect([key!.spendNano, user!.spendNano, team!.spendNano, member!.spendNano, endUser!.spendNano]).toEqual([total, total, total, total, total]);
      const logs = await store.db.select().from(t.spendLogs);
      expect(logs.length).toBe(500);
      expect(logs.filter((l) => l.status === "failure").length).toBe(10);
      expect(logs.find((l) => l.requestId === "req-7")).toMatchObject({ spendNano: 1007, requestTags: ["a"], totalTokens: 30 });
      expect(ledger.stats.entries).toBe(500);
      expect(ledger.stats.batches).toBeLessThan(50);
      console.log(`[${dialect}] 500 settles in ${ledger.stats.batches} batches (largest ${ledger.stats.largestBatch})`);
    });

    test("the book follows commits: committed spend replaces unflushed spend, never both", async () => {
      const book = new BudgetBook((ref) => loadBudgetRow(store, ref), () => 0);
      const ledger = new SpendLedger(store, (c) => c.forEach((x) => book.committed(x.ref, x.addedNano, x.spendNano)));
      const before = (await loadBudgetRow(store, { scope: "key", id: "k1" }))!.spendNano;
      const refs = spendTargets(owners);
      const admitted = await book.admit(refs, 5_000, new Map());
      if (!admitted.ok) throw new Error("refused");
      book.settle(admitted.reservation, refs, 4_000);
      expect(book.spendNano({ scope: "key", id: "k1" })).toBe(before + 4_000);
      await ledger.record(entry(10_000, 4_000));
      expect(book.spendNano({ scope: "key", id: "k1" })).toBe(before + 4_000);
      expect(book.spendNano({ scope: "team_member", id: teamMemberId("t1", "u1") })).toBe(before + 4_000);
      expect((await loadBudgetRow(store, { scope: "key", id: "k1" }))!.spendNano).toBe(before + 4_000);
    });

    test("an end user is created on first use, even by a free call", async () => {
      const ledger = new SpendLedger(store);
      const e = entry(20_000, 0);
      await ledger.record({ ...e, targets: [{ scope: "end_user", id: "new-customer" }] });
      expect(await loadBudgetRow(store, { scope: "end_user", id: "new-customer" })).toEqual({ spendNano: 0, maxBudgetNano: null });
    });
  });
}
