// Reads the spend and limit of one budget from the database, for the BudgetBook's first sight of it
// and its background refreshes.
import { and, eq } from "drizzle-orm";
import type { Store } from "../db/client.ts";
import type { BudgetRef } from "../policy/budget.ts";
import type { BudgetRow } from "./budget-book.ts";

export async function loadBudgetRow(s: Store, ref: BudgetRef): Promise<BudgetRow | undefined> {
  const t = s.t;
  switch (ref.scope) {
    case "key":
      return first(await s.db.select({ spendNano: t.keys.spendNano, maxBudgetNano: t.keys.maxBudgetNano }).from(t.keys).where(eq(t.keys.token, ref.id)).limit(1));
    case "user":
      return first(await s.db.select({ spendNano: t.users.spendNano, maxBudgetNano: t.users.maxBudgetNano }).from(t.users).where(eq(t.users.userId, ref.id)).limit(1));
    case "team":
      return first(await s.db.select({ spendNano: t.teams.spendNano, maxBudgetNano: t.teams.maxBudgetNano }).from(t.teams).where(eq(t.teams.teamId, ref.id)).limit(1));
    case "team_member": {
      const sep = ref.id.indexOf("\u0000");
      const m = t.teamMembers;
      const rows = await s.db
        .select({ spendNano: m.spendNano, maxBudgetNano: m.maxBudgetInTeamNano })
        .from(m)
        .where(and(eq(m.teamId, ref.id.slice(0, sep)), eq(m.userId, ref.id.slice(sep + 1))))
        .limit(1);
      return first(rows);
    }
    case "end_user":
      return first(await s.db.select({ spendNano: t.endUsers.spendNano, maxBudgetNano: t.endUsers.maxBudgetNano }).from(t.endUsers).where(eq(t.endUsers.userId, ref.id)).limit(1));
  }
}

const first = (rows: BudgetRow[]) => rows[0];
