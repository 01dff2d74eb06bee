// Reads the spend and limit of one budget from the database, for the BudgetBook's first sight of it
// and its background refreshes.
import { and, eq } from "drizzle-orm";
import type { Store } from "../db/client.ts";
import type { BudgetRef } from "../policy/budget.ts";
import { budgetResetAt, parseDuration } from "../policy/duration.ts";
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

/** litellm_settings.max_end_user_budget (nano-USD), or max_end_user_budget_id (a budget tier). */
export type EndUserDefaultBudget = number | { readonly budgetId: string };

/** A budget tier's limit now; null (no limit) when the tier has none or does not exist. */
async function tierMaxNano(s: Store, budgetId: string): Promise<number | null> {
  const b = s.t.budgets;
  const [row] = await s.db.select({ maxBudgetNano: b.maxBudgetNano }).from(b).where(eq(b.budgetId, budgetId)).limit(1);
  return row?.maxBudgetNano ?? null;
}

/**
 * An end user's budget when litellm_settings.max_end_user_budget gives every end user one: its own
 * max_budget, else the default. An end user seen for the first time is created here (as the first
 * commit would create it), so the default holds from its first call, on every instance.
 */
export async function loadEndUserBudget(s: Store, userId: string, byDefault: EndUserDefaultBudget): Promise<BudgetRow> {
  const t = s.t.endUsers;
  const read = async () => first(await s.db.select({ spendNano: t.spendNano, maxBudgetNano: t.maxBudgetNano }).from(t).where(eq(t.userId, userId)).limit(1));
  let row = await read();
  if (!row) {
    await s.db.insert(t).values({ userId }).onConflictDoNothing();
    row = (await read()) ?? { spendNano: 0, maxBudgetNano: null };
  }
  if (row.maxBudgetNano !== null) return row;
  return { spendNano: row.spendNano, maxBudgetNano: typeof byDefault === "number" ? byDefault : await tierMaxNano(s, byDefault.budgetId) };
}

/**
 * The proxy-wide budget's row (litellm_settings.max_budget): a user row of this id, as LiteLLM keeps
 * it, whose limit and period follow the config at every start; its spend and reset time are kept
 * unless the period changed.
 */
export async function ensureProxyBudgetRow(
  s: Store,
  userId: string,
  maxBudgetNano: number,
  duration: string | undefined,
  nowMs: number,
  timeZone?: string,
): Promise<void> {
  const u = s.t.users;
  const parsed = parseDuration(duration);
  const period = parsed.ok ? parsed.duration : null;
  const [row] = await s.db.select({ budgetDuration: u.budgetDuration, budgetResetAt: u.budgetResetAt }).from(u).where(eq(u.userId, userId)).limit(1);
  const keepReset = row !== undefined && row.budgetDuration === (duration ?? null) && row.budgetResetAt !== null;
  const fields = {
    maxBudgetNano,
    budgetDuration: period ? duration! : null,
    budgetResetAt: period ? (keepReset ? row.budgetResetAt : budgetResetAt(nowMs, period, timeZone)) : null,
  };
  if (row) await s.db.update(u).set(fields).where(eq(u.userId, userId));
  else await s.db.insert(u).values({ userId, ...fields }).onConflictDoNothing();
}
