// Budget tiers (/budget/*): named limits that end users attach to with budget_id.
import { asc, eq, inArray } from "drizzle-orm";
import type { Store } from "../client.ts";

export type BudgetRow = Store["t"]["budgets"]["$inferSelect"];
export type NewBudgetRow = Store["t"]["budgets"]["$inferInsert"];

export async function insertBudget(s: Store, row: NewBudgetRow): Promise<BudgetRow | undefined> {
  const rows = await s.db.insert(s.t.budgets).values(row).onConflictDoNothing().returning();
  return rows[0];
}

export async function updateBudget(s: Store, budgetId: string, patch: Partial<NewBudgetRow>): Promise<BudgetRow | undefined> {
  const rows = await s.db.update(s.t.budgets).set({ ...patch, updatedAt: new Date() }).where(eq(s.t.budgets.budgetId, budgetId)).returning();
  return rows[0];
}

export async function findBudgets(s: Store, ids: readonly string[]): Promise<BudgetRow[]> {
  if (ids.length === 0) return [];
  return s.db.select().from(s.t.budgets).where(inArray(s.t.budgets.budgetId, [...ids]));
}

export async function listBudgets(s: Store): Promise<BudgetRow[]> {
  return s.db.select().from(s.t.budgets).orderBy(asc(s.t.budgets.createdAt));
}

export async function deleteBudget(s: Store, budgetId: string): Promise<boolean> {
  return (await s.db.delete(s.t.budgets).where(eq(s.t.budgets.budgetId, budgetId)).returning({ id: s.t.budgets.budgetId })).length > 0;
}
