// Storage side of the budget reset job: which budgets are due, and the conditional reset itself.
// The reset is `UPDATE ... SET spend = 0, budget_reset_at = <next> WHERE <pk> AND budget_reset_at =
// <the value read>`: when two instances see the same due row, only the first UPDATE matches, the
// second finds budget_reset_at already advanced and changes nothing. No lock, no leader election.
import { and, asc, eq, gt, isNotNull, isNull, lte, or, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Store } from "../client.ts";

export type ResetScope = "key" | "user" | "team" | "team_member" | "end_user";
export const RESET_SCOPES: readonly ResetScope[] = ["key", "user", "team", "team_member", "end_user"];

export interface DueBudget {
  readonly scope: ResetScope;
  /** key hash, user_id, team_id or end-user id; for a team member, the user_id. */
  readonly id: string;
  /** Only for team members. */
  readonly teamId?: string;
  readonly budgetDuration: string | null;
  readonly budgetResetAt: Date | null;
}

const dueWhere = (duration: AnyPgColumn, resetAt: AnyPgColumn, now: Date): SQL =>
  // A duration without a reset time is due at once, so its schedule starts (policy/budget-reset.ts).
  and(isNotNull(duration), or(isNull(resetAt), lte(resetAt, now)))!;

const sameResetAt = (col: AnyPgColumn, value: Date | null): SQL => (value === null ? isNull(col) : eq(col, value));

/**
 * Up to `limit` budgets of one scope whose period is over at `now`, in primary-key order after
 * `after` (keyset paging: a pass reads each due row once, whatever happens to the rows before it).
 */
export async function findDueBudgets(s: Store, scope: ResetScope, now: Date, limit: number, after?: DueBudget): Promise<DueBudget[]> {
  const t = s.t;
  const past = (col: AnyPgColumn) => (after ? gt(col, after.id) : undefined);
  switch (scope) {
    case "key": {
      const rows = await s.db
        .select({ id: t.keys.token, budgetDuration: t.keys.budgetDuration, budgetResetAt: t.keys.budgetResetAt })
        .from(t.keys)
        .where(and(dueWhere(t.keys.budgetDuration, t.keys.budgetResetAt, now), past(t.keys.token)))
        .orderBy(asc(t.keys.token))
        .limit(limit);
      return rows.map((r) => ({ scope, ...r }));
    }
    case "user": {
      const rows = await s.db
        .select({ id: t.users.userId, budgetDuration: t.users.budgetDuration, budgetResetAt: t.users.budgetResetAt })
        .from(t.users)
        .where(and(dueWhere(t.users.budgetDuration, t.users.budgetResetAt, now), past(t.users.userId)))
        .orderBy(asc(t.users.userId))
        .limit(limit);
      return rows.map((r) => ({ scope, ...r }));
    }
    case "team": {
      const rows = await s.db
        .select({ id: t.teams.teamId, budgetDuration: t.teams.budgetDuration, budgetResetAt: t.teams.budgetResetAt })
        .from(t.teams)
        .where(and(dueWhere(t.teams.budgetDuration, t.teams.budgetResetAt, now), past(t.teams.teamId)))
        .orderBy(asc(t.teams.teamId))
        .limit(limit);
      return rows.map((r) => ({ scope, ...r }));
    }
    case "team_member": {
      const m = t.teamMembers;
      const rows = await s.db
        .select({ id: m.userId, teamId: m.teamId, budgetDuration: m.budgetDuration, budgetResetAt: m.budgetResetAt })
        .from(m)
        .where(and(dueWhere(m.budgetDuration, m.budgetResetAt, now), after ? or(gt(m.teamId, after.teamId!), and(eq(m.teamId, after.teamId!), gt(m.userId, after.id))) : undefined))
        .orderBy(asc(m.teamId), asc(m.userId))
        .limit(limit);
      return rows.map((r) => ({ scope, ...r }));
    }
    case "end_user": {
      const e = t.endUsers;
      const rows = await s.db
        .select({ id: e.userId, budgetDuration: e.budgetDuration, budgetResetAt: e.budgetResetAt })
        .from(e)
        .where(and(dueWhere(e.budgetDuration, e.budgetResetAt, now), past(e.userId)))
        .orderBy(asc(e.userId))
        .limit(limit);
      return rows.map((r) => ({ scope, ...r }));
    }
  }
}

/**
 * Zeroes the budget's spend and moves its reset time to nextResetAt, only if its reset time is still
 * the one read. True when this call did the reset.
 */
export async function resetBudgetIfUnchanged(s: Store, due: DueBudget, nextResetAt: Date): Promise<boolean> {
  const t = s.t;
  const set = { spendNano: 0, budgetResetAt: nextResetAt };
  switch (due.scope) {
    case "key":
      return (await s.db.update(t.keys).set(set).where(and(eq(t.keys.token, due.id), sameResetAt(t.keys.budgetResetAt, due.budgetResetAt))).returning({ id: t.keys.token })).length > 0;
    case "user":
      return (await s.db.update(t.users).set(set).where(and(eq(t.users.userId, due.id), sameResetAt(t.users.budgetResetAt, due.budgetResetAt))).returning({ id: t.users.userId })).length > 0;
    case "team":
      return (await s.db.update(t.teams).set(set).where(and(eq(t.teams.teamId, due.id), sameResetAt(t.teams.budgetResetAt, due.budgetResetAt))).returning({ id: t.teams.teamId })).length > 0;
    case "team_member": {
      const m = t.teamMembers;
      const where = and(eq(m.teamId, due.teamId!), eq(m.userId, due.id), sameResetAt(m.budgetResetAt, due.budgetResetAt));
      return (await s.db.update(m).set(set).where(where).returning({ id: m.userId })).length > 0;
    }
    case "end_user": {
      const e = t.endUsers;
      return (await s.db.update(e).set(set).where(and(eq(e.userId, due.id), sameResetAt(e.budgetResetAt, due.budgetResetAt))).returning({ id: e.userId })).length > 0;
    }
  }
}
