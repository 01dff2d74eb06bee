// The lease grant as a pure function of what is left of a budget (src/spend/budget-leases.ts).
import { expect, test } from "bun:test";
import { grantOf } from "../../src/spend/budget-leases.ts";

const req = { needNano: 100, wantNano: 500, freeNano: 0, creditNano: 0, blocksAtEqual: true };

test.each([
  ["room for the whole want", 1_000, req, 500],
  ["room for the call but not the want: takes what is left", 300, req, 300],
  ["less than the call needs, budget not used up: the crossing call passes once", 40, req, 100],
  ["used up exactly (keys block at spend == max)", 0, req, 0],
  ["used up exactly (teams pass at spend == max)", 0, { ...req, blocksAtEqual: false }, 100],
  ["overspent", -10, { ...req, blocksAtEqual: false }, 0],
  ["overspent, but this instance's own free slack makes up for it", -10, { ...req, freeNano: 30 }, 100],
  ["handing slack back asks for nothing", 1_000, { ...req, needNano: 0, wantNano: 0 }, 0],
] as const)("%s", (_name, available, r, granted) => {
  expect(grantOf(available, r)).toBe(granted);
});

test("a top-up that needed nothing from the database is not read as a used-up budget", async () => {
  const { BudgetBook } = await import("../../src/spend/budget-book.ts");
  let nowMs = 0;
  let onNothingAsked: (() => void) | undefined;
  const asked: { needNano: number; wantNano: number }[] = [];
  // A shared budget far from spent: the database grants whatever is wanted.
  const leases = {
    async lease(_ref: unknown, r: { needNano: number; wantNano: number }) {
      asked.push(r);
      if (r.needNano === 0 && r.wantNano === 0) onNothingAsked?.();
      return { grantedNano: grantOf(1e15, r as never), spendNano: 0, maxBudgetNano: 1e15, found: true };
    },
  };
  const book = new BudgetBook(async () => undefined, () => nowMs, 5_000, leases as never);
  const ref = { scope: "key" as const, id: "k" };
  const known = { ref, row: { spendNano: 0, maxBudgetNano: 1e15 }, label: "k" };
  const admit = async (amount: number) => {
    const d = await book.admit([ref], amount, new Map(), known);
    if (!d.ok) throw new Error(d.message);
    return d.reservation;
  };
  const held = [await admit(1_000), await admit(1_000), await admit(1_000), await admit(1_000), await admit(1_000)];
  nowMs += 2_000; // slack back to one call's worth
  const late = book.admit([ref], 1_000, new Map(), known); // short of slack: waits for a top-up
  for (let i = 0; i < 10; i++) await Promise.resolve(); // (its top-up goes out on the next turn)
  for (const r of held.slice(0, 4)) book.settle(r, [], 0); // ...while calls that finish free plenty
  // Had the top-up gone to the database (asking nothing), another call takes the freed slack
  // before the waiting one looks again.
  onNothingAsked = () => void admit(4_000);
  const decision = await late;
  expect(decision.ok).toBe(true);
});
