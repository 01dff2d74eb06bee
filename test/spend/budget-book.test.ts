import { describe, expect, test } from "bun:test";
import type { BudgetRef } from "../../src/policy/budget.ts";
import { BudgetBook, type BudgetRow } from "../../src/spend/budget-book.ts";

const key: BudgetRef = { scope: "key", id: "k" };
const team: BudgetRef = { scope: "team", id: "t" };

function bookWith(rows: Record<string, BudgetRow>, clock = { ms: 0 }) {
  let loads = 0;
  const book = new BudgetBook(
    async (ref) => {
      loads++;
      await Promise.resolve();
      return rows[`${ref.scope}:${ref.id}`];
    },
    () => clock.ms,
    1_000,
  );
  return { book, loads: () => loads };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("budget book", () => {
  test("1,000 concurrent calls against a budget of 10: spend overshoots by less than one call", async () => {
    const costNano = 1_000_000;
    const { book } = bookWith({ "key:k": { spendNano: 0, maxBudgetNano: 10 * costNano } });
    let admitted = 0;
    let spent = 0;
    await Promise.all(
      Array.from({ length: 1_000 }, async () => {
        const r = await book.admit([key], costNano, new Map());
        if (!r.ok) return;
        admitted++;
        await tick(); // the upstream call
        book.settle(r.reservation, [key], costNano);
        spent += costNano;
      }),
    );
    expect(admitted).toBe(10);
    expect(spent - 10 * costNano).toBeLessThanOrEqual(costNano);
  });

  test("the call that crosses the budget succeeds, the next is refused (LiteLLM)", async () => {
    const { book } = bookWith({ "key:k": { spendNano: 0, maxBudgetNano: 100 } });
    const first = await book.admit([key], 10, new Map());
    expect(first.ok).toBe(true);
    if (first.ok) book.settle(first.reservation, [key], 150);
    const second = await book.admit([key], 10, new Map([["key\u0000k", "my-key"]]));
    expect(second).toMatchObject({ ok: false, scope: "key", message: "Budget has been exceeded! Key=my-key Current cost: 1.5e-7, Max budget: 1e-7" });
  });

  test("an actual cost below the estimate frees the rest of the reservation", async () => {
    const { book } = bookWith({ "key:k": { spendNano: 0, maxBudgetNano: 100 } });
    const a = await book.admit([key], 100, new Map());
    if (!a.ok) throw new Error("refused");
    expect((await book.admit([key], 1, new Map())).ok).toBe(false); // the whole budget is in flight
    book.settle(a.reservation, [key], 30);
    expect((await book.admit([key], 1, new Map())).ok).toBe(true);
    expect(book.spendNano(key)).toBe(30);
  });

  test("a known key row seeds the account, and a new row (admin update) re-reads its spend", async () => {
    const rows: Record<string, BudgetRow> = { "key:k": { spendNano: 500, maxBudgetNano: 100 } };
    const { book, loads } = bookWith(rows);
    const row1 = { spendNano: 500, maxBudgetNano: 100 };
    expect((await book.admit([key], 1, new Map(), { ref: key, row: row1, label: "k" })).ok).toBe(false);
    expect(loads()).toBe(0);
    // /key/update raised the budget: the KeyCache hands out a new row and it applies at once
    const row2 = { spendNano: 500, maxBudgetNano: 1_000 };
    expect((await book.admit([key], 1, new Map(), { ref: key, row: row2, label: "k" })).ok).toBe(true);
    // /key/reset_spend: new row, spend re-read from the database
    rows["key:k"] = { spendNano: 0, maxBudgetNano: 10 };
    const row3 = { spendNano: 0, maxBudgetNano: 10 };
    expect((await book.admit([key], 1, new Map(), { ref: key, row: row3, label: "k" })).ok).toBe(true);
    expect(book.spendNano(key)).toBe(0);
  });

  test("invalidate re-reads a budget before the next decision", async () => {
    const rows: Record<string, BudgetRow> = { "team:t": { spendNano: 200, maxBudgetNano: 100 } };
    const { book } = bookWith(rows);
    expect((await book.admit([team], 1, new Map())).ok).toBe(false);
    rows["team:t"] = { spendNano: 200, maxBudgetNano: 1_000 };
    expect((await book.admit([team], 1, new Map())).ok).toBe(false); // still the cached limit
    book.invalidate(team);
    expect((await book.admit([team], 1, new Map())).ok).toBe(true);
  });

  test("stale accounts refresh in the background (another instance's spend)", async () => {
    const clock = { ms: 0 };
    const rows: Record<string, BudgetRow> = { "team:t": { spendNano: 0, maxBudgetNano: null } };
    const { book, loads } = bookWith(rows, clock);
    await book.admit([team], 0, new Map());
    rows["team:t"] = { spendNano: 777, maxBudgetNano: null }; // another instance spent
    clock.ms = 5_000;
    await book.admit([team], 0, new Map()); // kicks off the refresh, decides on what it has
    await tick();
    expect(book.spendNano(team)).toBe(777);
    expect(loads()).toBe(2);
  });

  test("a reload that raced a commit does not overwrite the newer spend", async () => {
    let release!: (row: BudgetRow) => void;
    let first = true;
    const book = new BudgetBook(
      (): Promise<BudgetRow | undefined> => {
        if (first) {
          first = false;
          return Promise.resolve({ spendNano: 0, maxBudgetNano: null });
        }
        return new Promise((r) => (release = r));
      },
      () => 0,
    );
    await book.admit([team], 0, new Map());
    book.invalidate(team);
    const pending = book.admit([team], 0, new Map()); // re-reads
    await tick();
    book.committed(team, 0, 900); // a commit returns the newer spend while the read is in flight
    release({ spendNano: 100, maxBudgetNano: null }); // the read saw the row before that commit
    await pending;
    expect(book.spendNano(team)).toBe(900);
  });
});
