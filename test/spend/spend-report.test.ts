// The team and customer reports keep each day's JSON while the day's rollups are unchanged: what
// they answer is always what a fresh build over the same rows answers. Both dialects.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { insertTeam, updateTeam } from "../../src/db/store/teams.ts";
import type { SpendLogRow } from "../../src/spend/ledger.ts";
import { rollupUpserts } from "../../src/spend/rollups.ts";
import { ReportDayCache, SpendReports } from "../../src/spend/spend-report.ts";
import { createTestStore, type Dialect, PG_URL } from "../support/harness.ts";

let n = 0;
const log = (day: string, over: Partial<SpendLogRow> = {}): SpendLogRow => ({
  requestId: `r-${++n}`,
  callType: "acompletion",
  apiKey: "k1",
  model: "gpt-4o",
  modelGroup: "gpt-4o",
  provider: "openai",
  userId: "alice",
  teamId: "red",
  endUser: "c1",
  promptTokens: 10,
  completionTokens: 20,
  totalTokens: 30,
  spendNano: 225_000,
  status: "success",
  requestTags: [],
  metadata: {},
  startTime: new Date(`${day}T12:00:00Z`),
  endTime: new Date(`${day}T12:00:01Z`),
  ...over,
});
const RANGE = { fromDay: "2031-03-01", toDay: "2031-03-31" };

for (const dialect of ["sqlite", "pg"] as Dialect[]) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`spend reports on ${dialect}`, () => {
    let store: Awaited<ReturnType<typeof createTestStore>>;
    const add = async (...logs: SpendLogRow[]) => {
      for (const q of rollupUpserts(store.db, store.t, logs)) await q;
    };
    // A report built from nothing kept: what the kept days must always equal.
    const fresh = async (kind: "team" | "customer", userId?: string) =>
      (await (kind === "team" ? new SpendReports(store).team(RANGE, userId) : new SpendReports(store).customer(RANGE))).text();

    beforeAll(async () => {
      store = await createTestStore(dialect);
      await insertTeam(store, { teamId: "red", teamAlias: "Red Team" });
      await add(
        log("2031-03-10"),
        log("2031-03-10", { apiKey: "k2", userId: "bob", teamId: null, endUser: "c2", model: "gpt-4o-mini", modelGroup: "gpt-4o-mini", spendNano: 13_500 }),
        log("2031-03-11"),
      );
    });
    afterAll(() => store.destroy());

    test("a repeated report is answered from the kept days, byte for byte what a fresh build gives", async () => {
      const reports = new SpendReports(store);
      const first = await (await reports.customer(RANGE)).text();
      expect(reports.cache.size.days).toBe(2);
      const again = await (await reports.customer(RANGE)).text();
      expect(again).toBe(first);
      expect(again).toBe(await fresh("customer"));
      expect(JSON.parse(again).map((d: any) => [d.group_by_day, d.customers.map((c: any) => c.customer)])).toEqual([
        ["2031-03-10", ["c1", "c2"]],
        ["2031-03-11", ["c1"]],
      ]);
      const team = await (await reports.team(RANGE)).text();
      expect(reports.cache.size.days).toBe(4);
      expect(team).toBe(await fresh("team"));
      expect(JSON.parse(team)[0].teams.map((t: any) => t.team_name)).toEqual(["Unassigned Team", "Red Team"]);
    });

    test("a late log on a past day, a new day and a renamed team show in the next report", async () => {
      const reports = new SpendReports(store);
      await reports.customer(RANGE);
      await reports.team(RANGE);
      await add(log("2031-03-10", { endUser: "c9", spendNano: 1_000 }), log("2031-03-12", { teamId: "blue", apiKey: "k3" }));
      const customers = await (await reports.customer(RANGE)).text();
      expect(customers).toBe(await fresh("customer"));
      expect(JSON.parse(customers).map((d: any) => d.group_by_day)).toEqual(["2031-03-10", "2031-03-11", "2031-03-12"]);
      expect(JSON.parse(customers)[0].customers.map((c: any) => c.customer)).toEqual(["c1", "c2", "c9"]);

      await updateTeam(store, "red", { teamAlias: "Crimson" });
      const teams = await (await reports.team(RANGE)).text();
      expect(teams).toBe(await fresh("team"));
      expect(JSON.parse(teams)[1].teams.map((t: any) => t.team_name)).toEqual(["Crimson"]);
      expect(JSON.parse(teams)[2].teams).toMatchObject([{ team_name: "blue", team_id: "blue" }]);
    });

    test("a report for one user is built each time, not kept", async () => {
      const reports = new SpendReports(store);
      const bob = JSON.parse(await (await reports.team(RANGE, "bob")).text());
      expect(bob).toEqual([{ group_by_day: "2031-03-10", teams: [expect.objectContaining({ team_name: "Unassigned Team", total_spend: 13_500 / 1e9 })] }]);
      expect(reports.cache.size.days).toBe(0);
    });
  });
}

describe("ReportDayCache", () => {
  const bytes = (n: number) => new Uint8Array(n);

  test("a day is kept under its stamp: another stamp misses and drops it", () => {
    const c = new ReportDayCache(100);
    c.set("d1", "s1", bytes(10));
    expect(c.get("d1", "s1")?.length).toBe(10);
    expect(c.get("d1", "s2")).toBeUndefined();
    expect(c.size).toEqual({ days: 0, bytes: 0 });
  });

  test("past its size the least recently used days go; a day larger than the whole is not kept", () => {
    const c = new ReportDayCache(100);
    c.set("a", "s", bytes(40));
    c.set("b", "s", bytes(40));
    c.get("a", "s"); // b is now the least recently used
    c.set("c", "s", bytes(40));
    expect([c.get("a", "s"), c.get("b", "s"), c.get("c", "s")].map((x) => x?.length)).toEqual([40, undefined, 40]);
    expect(c.size).toEqual({ days: 2, bytes: 80 });
    c.set("a", "s2", bytes(20)); // replacing a day counts its new size only
    expect(c.size).toEqual({ days: 2, bytes: 60 });
    c.set("huge", "s", bytes(101));
    expect(c.get("huge", "s")).toBeUndefined();
    expect(c.size).toEqual({ days: 2, bytes: 60 });
  });

  test("whether a report keeps any day of a range", () => {
    const c = new ReportDayCache(100);
    c.set("team\u00002031-03-10", "s", bytes(1));
    expect(c.keepsAnyDay("team\u0000", { fromDay: "2031-03-01", toDay: "2031-03-10" })).toBe(true);
    expect(c.keepsAnyDay("team\u0000", { fromDay: "2031-03-11", toDay: "2031-03-31" })).toBe(false);
    expect(c.keepsAnyDay("customer\u0000", { fromDay: "2031-03-01", toDay: "2031-03-31" })).toBe(false);
  });
});
