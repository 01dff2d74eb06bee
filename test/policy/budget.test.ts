import { describe, expect, test } from "bun:test";
import { applicableBudgets, type BudgetState, decideBudgets, estimateTokens, spendTargets } from "../../src/policy/budget.ts";

const USD = 1e9;
const b = (scope: BudgetState["scope"], spendUsd: number, maxUsd: number | null, reservedUsd = 0, label = "x"): BudgetState => ({
  scope,
  id: label,
  label,
  spendNano: spendUsd * USD,
  reservedNano: reservedUsd * USD,
  maxBudgetNano: maxUsd === null ? null : maxUsd * USD,
});

describe("budget decisions", () => {
  test.each([
    ["key below budget", [b("key", 0.5, 1)], true],
    ["key at budget (>= blocks)", [b("key", 1, 1)], false],
    ["max_budget 0 refuses the first call", [b("key", 0, 0)], false],
    ["user at budget (>= blocks)", [b("user", 1, 1)], false],
    ["team member at budget (>= blocks)", [b("team_member", 1, 1)], false],
    ["team at budget passes (> blocks)", [b("team", 1, 1)], true],
    ["team over budget", [b("team", 1.01, 1)], false],
    ["end user at budget passes (> blocks)", [b("end_user", 1, 1)], true],
    ["end user over budget", [b("end_user", 2, 1)], false],
    ["no budget never blocks", [b("key", 1e6, null), b("team", 1e6, null)], true],
    ["reservations count as spent", [b("key", 0.5, 1, 0.5)], false],
    ["reservations below budget admit", [b("key", 0.5, 1, 0.49)], true],
  ])("%s", (_name, budgets, ok) => {
    expect(decideBudgets(budgets).ok).toBe(ok);
  });

  test("messages name the budget, LiteLLM's wording", () => {
    const msg = (s: BudgetState) => {
      const d = decideBudgets([s]);
      return d.ok ? "" : d.message;
    };
    expect(msg(b("key", 0.0002, 0.0001, 0, "my-alias"))).toBe("Budget has been exceeded! Key=my-alias Current cost: 0.0002, Max budget: 0.0001");
    expect(msg(b("team", 2, 1, 0, "team-1"))).toBe("Budget has been exceeded! Team=team-1 Current cost: 2, Max budget: 1");
    expect(msg(b("user", 1, 1, 0, "u1"))).toBe("ExceededBudget: User=u1 over budget. Spend=1, Budget=1");
    expect(msg(b("team_member", 1, 1, 0, "t1:u1"))).toBe("Budget has been exceeded! Team Member=t1:u1 Current cost: 1, Max budget: 1");
    expect(msg(b("end_user", 3, 1, 0, "cust"))).toBe("ExceededBudget: End User=cust over budget. Spend=3, Budget=1");
  });

  test("the key's own budget is named first when several are exhausted", () => {
    const d = decideBudgets([b("team", 5, 1, 0, "t"), b("key", 5, 1, 0, "k")]);
    expect(d).toMatchObject({ ok: false, scope: "key" });
  });
});

describe("which budgets apply", () => {
  test("a personal key: key and user", () => {
    expect(applicableBudgets({ keyToken: "k", userId: "u", teamId: null, endUserId: null })).toEqual([
      { scope: "key", id: "k" },
      { scope: "user", id: "u" },
    ]);
  });
  test("a team key: key, team and membership, never the user's personal budget", () => {
    expect(applicableBudgets({ keyToken: "k", userId: "u", teamId: "t", endUserId: "c" })).toEqual([
      { scope: "key", id: "k" },
      { scope: "team", id: "t" },
      { scope: "team_member", id: "t\u0000u" },
      { scope: "end_user", id: "c" },
    ]);
  });
  test("the master key: only the end user", () => {
    expect(applicableBudgets({ keyToken: null, userId: null, teamId: null, endUserId: "c" })).toEqual([{ scope: "end_user", id: "c" }]);
  });
  test("spend still goes to the user of a team key", () => {
    expect(spendTargets({ keyToken: "k", userId: "u", teamId: "t", endUserId: null }).map((r) => r.scope)).toEqual(["key", "user", "team", "team_member"]);
  });
});

describe("reservation estimate", () => {
  test.each([
    [{ messages: [{ role: "user", content: "hi" }], max_tokens: 50 }, 50],
    [{ messages: [], max_completion_tokens: 7, max_tokens: 50 }, 7],
    [{ messages: [], max_tokens: 10, n: 3 }, 30],
    [{ messages: [] }, 1024],
  ])("%o → %d output tokens", (body, out) => {
    expect(estimateTokens(body).completionTokens).toBe(out);
  });
  test("prompt estimate grows with the prompt and errs high for short English", () => {
    const text = "The quick brown fox jumps over the lazy dog. ".repeat(100); // ~1,000 real tokens
    expect(estimateTokens({ messages: [{ role: "user", content: text }] }).promptTokens).toBeGreaterThanOrEqual(1000);
  });
});
