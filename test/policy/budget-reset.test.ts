import { describe, expect, test } from "bun:test";
import { budgetResetDue, nextBudgetResetAt } from "../../src/policy/budget-reset.ts";

const at = (iso: string) => Date.parse(iso);

describe("aligned budget resets (UTC)", () => {
  // 2025-03-12 is a Wednesday.
  test.each([
    ["30s", "2025-03-12T10:07:10Z", "2025-03-12T10:07:30.000Z"],
    ["30m", "2025-03-12T10:07:00Z", "2025-03-12T10:30:00.000Z"],
    ["30m", "2025-03-12T10:30:00Z", "2025-03-12T11:00:00.000Z"],
    ["1h", "2025-03-12T10:07:00Z", "2025-03-12T11:00:00.000Z"],
    ["5h", "2025-03-12T21:00:00Z", "2025-03-13T00:00:00.000Z"], // next multiple past the day's end → midnight
    ["1d", "2025-03-12T10:07:00Z", "2025-03-13T00:00:00.000Z"],
    ["24h", "2025-03-12T23:59:59Z", "2025-03-13T00:00:00.000Z"],
    ["7d", "2025-03-12T10:07:00Z", "2025-03-17T00:00:00.000Z"], // next Monday
    ["1w", "2025-03-17T00:00:00Z", "2025-03-24T00:00:00.000Z"], // on a Monday → the following one
    ["30d", "2025-03-12T10:07:00Z", "2025-04-01T00:00:00.000Z"],
    ["1mo", "2025-12-31T23:00:00Z", "2026-01-01T00:00:00.000Z"],
    ["3d", "2025-03-12T10:07:00Z", "2025-03-15T00:00:00.000Z"], // other Nd: today 00:00 + N days
    ["30min", "2025-03-12T10:07:00Z", "2025-03-12T10:30:00.000Z"], // LiteLLM reads the prefix only
  ])("%s at %s → %s", (duration, now, expected) => {
    expect(nextBudgetResetAt(duration, at(now))?.toISOString()).toBe(expected);
  });

  test.each([null, undefined, "", "none", "30", "soon"])("%p never resets", (duration) => {
    expect(nextBudgetResetAt(duration, at("2025-03-12T10:07:00Z"))).toBeNull();
  });
});

describe("reset due", () => {
  const now = at("2025-03-12T10:07:00Z");
  test.each([
    ["no duration", { budgetDuration: null, budgetResetAt: new Date(now - 1) }, false],
    ["period not over", { budgetDuration: "1d", budgetResetAt: new Date(now + 1) }, false],
    ["period over", { budgetDuration: "1d", budgetResetAt: new Date(now - 1) }, true],
    ["exactly at the reset time", { budgetDuration: "1d", budgetResetAt: new Date(now) }, true],
    ["duration but no reset time yet", { budgetDuration: "1d", budgetResetAt: null }, true],
  ])("%s", (_name, budget, due) => {
    const r = budgetResetDue(budget, now);
    expect(r.due).toBe(due);
    if (r.due) expect(r.nextResetAt?.toISOString()).toBe("2025-03-13T00:00:00.000Z");
  });
});
