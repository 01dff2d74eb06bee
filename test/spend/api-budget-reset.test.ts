// The budget reset job with an injected clock: due budgets (key, user, team, team member, end user)
// are zeroed and their budget_reset_at advanced on LiteLLM's aligned schedule, exactly once when two
// instances run the pass at the same moment on one database; an over-budget key works again at once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { and, eq, isNotNull } from "drizzle-orm";
import { resetDueBudgets, nextRunDelayMs, type ResetCounts } from "../../src/spend/budget-reset-job.ts";
import { errorOf, type Gateway, PG_URL, startGateway } from "../support/harness.ts";

const CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-upstream-unused }
`;
const CALL_NANO = 225_000; // mock usage 10 + 20 tokens at $2.50 / $10 per Mtok

async function post(g: Gateway, path: string, json: unknown) {
  const res = await g.request(path, { method: "POST", json });
  const body = (await res.json()) as Record<string, any>;
  if (res.status !== 200) throw new Error(`${path} → ${res.status} ${JSON.stringify(body)}`);
  return body;
}

const chat = (g: Gateway, key: string, extra: Record<string, unknown> = {}) =>
  g.request("/v1/chat/completions", {
    method: "POST",
    key,
    json: { model: "gpt-4o", messages: [{ role: "user", content: "hi" }], mock_response: "ok", ...extra },
  });

const jobDeps = (g: Gateway) => ({ store: g.store, invalidation: g.deps.invalidation, book: g.deps.spend!.book, ledger: g.deps.spend!.ledger, log: g.deps.log });
const sum = (a: ResetCounts, b: ResetCounts) =>
  Object.fromEntries(Object.keys(a).map((k) => [k, a[k as keyof ResetCounts] + b[k as keyof ResetCounts]]));

for (const dialect of ["sqlite", "pg"] as const) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`budget reset job on ${dialect}`, () => {
    let g1: Gateway;
    let g2: Gateway;
    beforeAll(async () => {
      g1 = await startGateway({ configYaml: CONFIG, dialect });
      // A second instance on the same database (for SQLite: a second connection to the same file).
      g2 = await startGateway({ configYaml: CONFIG, databaseUrl: g1.store.location });
    });
    afterAll(async () => {
      await g2.close();
      await g1.close();
    });

    test("setting budget_duration starts the aligned schedule on users and teams; a bad one is a 400", async () => {
      const before = Date.now();
      const user = await post(g1, "/user/new", { user_id: `sched-${dialect}`, budget_duration: "1d" });
      const midnight = new Date(before);
      midnight.setUTCHours(24, 0, 0, 0);
      expect(user.budget_reset_at).toBe(midnight.toISOString());
      const team = await post(g1, "/team/new", { team_id: `sched-team-${dialect}`, budget_duration: "1mo" });
      const d = new Date(before);
      expect(team.budget_reset_at).toBe(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString());
      const bad = await g1.request("/team/update", { method: "POST", json: { team_id: `sched-team-${dialect}`, budget_duration: "soon" } });
      expect(bad.status).toBe(400);
      expect((await errorOf(bad)).param).toBe("budget_duration");
    });

    test("two instances reset each due budget exactly once, advance budget_reset_at, and the key works again", async () => {
      const s = g1.store;
      const t = s.t;
      await post(g1, "/user/new", { user_id: `u-${dialect}`, budget_duration: "1d" });
      await post(g1, "/team/new", { team_id: `t-${dialect}`, budget_duration: "7d" });
      await post(g1, "/team/member_add", { team_id: `t-${dialect}`, member: { user_id: `u-${dialect}`, role: "user" } });
      const { key, token } = await post(g1, "/key/generate", {
        user_id: `u-${dialect}`, team_id: `t-${dialect}`, max_budget: 0.0002, budget_duration: "30m",
      });
      expect((await chat(g1, key, { user: `eu-${dialect}` })).status).toBe(200);
      expect((await chat(g1, key)).status).toBe(400); // over the key's budget
      if (dialect === "pg") expect((await chat(g2, key)).status).toBe(400);
      // Memberships and end users get their durations from admin routes not under test here.
      await g1.committed();
      const m = t.teamMembers;
      await s.db.update(m).set({ budgetDuration: "1d", budgetResetAt: null }).where(and(eq(m.teamId, `t-${dialect}`), eq(m.userId, `u-${dialect}`)));
      await s.db.update(t.endUsers).set({ budgetDuration: "1h", budgetResetAt: new Date(Date.UTC(2020, 0, 1)) }).where(eq(t.endUsers.userId, `eu-${dialect}`));

      // A moment after every period has ended; Wednesday 2099-07-15 10:07 UTC.
      const nowMs = Date.UTC(2099, 6, 15, 10, 7);
      const [a, b] = await Promise.all([resetDueBudgets(jobDeps(g1), nowMs), resetDueBudgets(jobDeps(g2), nowMs)]);
      const total = sum(a, b);
      // Exactly once each across the two instances: every row with a duration was due (/user/new
      // also made a key with the user's duration; the first test's user and team count too).
      const withDuration = async (table: typeof t.keys | typeof t.users | typeof t.teams) =>
        (await s.db.select({ d: table.budgetDuration }).from(table as typeof t.keys).where(isNotNull(table.budgetDuration))).length;
      expect(total).toEqual({ key: await withDuration(t.keys), user: await withDuration(t.users), team: await withDuration(t.teams), team_member: 1, end_user: 1 });
      expect(total.key).toBeGreaterThanOrEqual(2);
      const mine = async () => ({
        key: (await s.db.select().from(t.keys).where(eq(t.keys.token, token)))[0]!,
        user: (await s.db.select().from(t.users).where(eq(t.users.userId, `u-${dialect}`)))[0]!,
        team: (await s.db.select().from(t.teams).where(eq(t.teams.teamId, `t-${dialect}`)))[0]!,
        member: (await s.db.select().from(m).where(and(eq(m.teamId, `t-${dialect}`), eq(m.userId, `u-${dialect}`))))[0]!,
        endUser: (await s.db.select().from(t.endUsers).where(eq(t.endUsers.userId, `eu-${dialect}`)))[0]!,
      });
      const rows = await mine();
      for (const r of Object.values(rows)) expect(r.spendNano).toBe(0);
      expect(rows.key.budgetResetAt!.toISOString()).toBe("2099-07-15T10:30:00.000Z");
      expect(rows.user.budgetResetAt!.toISOString()).toBe("2099-07-16T00:00:00.000Z");
      expect(rows.team.budgetResetAt!.toISOString()).toBe("2099-07-20T00:00:00.000Z"); // next Monday
      expect(rows.member.budgetResetAt!.toISOString()).toBe("2099-07-16T00:00:00.000Z");
      expect(rows.endUser.budgetResetAt!.toISOString()).toBe("2099-07-15T11:00:00.000Z");

      // Nothing is due any more at the same instant, on either instance.
      const again = sum(await resetDueBudgets(jobDeps(g1), nowMs), await resetDueBudgets(jobDeps(g2), nowMs));
      expect(Object.values(again).every((n) => n === 0)).toBe(true);

      // On Postgres the zeroed spend reaches both instances' budget books (NOTIFY): the refused key
      // is admitted again wherever it is called. (SQLite is one instance; its check follows.)
      if (dialect === "pg") {
        const res = await chat(g2, key);
        expect(res.status).toBe(200);
        expect(res.headers.get("x-litellm-key-spend")).toBe(String(CALL_NANO / 1e9));
        // g2 commits that call behind it (about 5 ms): a reset run on g1 only waits for g1's own
        // batch, so the call must be in the database before the next period starts (README,
        // Reliability: another instance's calls reach the database within ~5 ms plus its commit).
        await g2.committed();
      }

      // The next period on one instance: refused until 10:30, the 10:30 pass resets the key (and
      // only the key's 30m period is due), and the next call is admitted.
      for (let i = 0; i < 3 && (await chat(g1, key)).status === 200; i++);
      expect((await chat(g1, key)).status).toBe(400);
      const next = await resetDueBudgets(jobDeps(g1), Date.UTC(2099, 6, 15, 10, 30));
      expect(next).toEqual({ key: 1, user: 0, team: 0, team_member: 0, end_user: 0 });
      expect((await mine()).key.budgetResetAt!.toISOString()).toBe("2099-07-15T11:00:00.000Z");
      expect((await mine()).key.spendNano).toBe(0);
      expect((await chat(g1, key)).status).toBe(200);
    });
  });
}

describe("reset job schedule", () => {
  test.each([
    [597, 605, 0, 597_000],
    [597, 605, 1, 605_000],
    [60, 64, 0.5, 62_000],
    [10, 5, 0, 5_000], // min and max swapped in the config: still within the two
  ])("min %d max %d random %d → %d ms", (minS, maxS, r, expected) => {
    expect(nextRunDelayMs(minS, maxS, () => r)).toBe(expected);
  });
});
