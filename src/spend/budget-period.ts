// The columns a `budget_duration` sets on a budget row (user, team, end user, budget tier): the
// duration as sent and the first aligned reset (contract §4.2). Shared by the admin services so every
// budget starts its schedule the moment a duration is set, not at the reset job's next pass.
import { GatewayError } from "../errors.ts";
import { budgetResetAt, parseDuration } from "../policy/duration.ts";

export interface BudgetPeriodColumns {
  budgetDuration: string | null;
  budgetResetAt: Date | null;
}

/** null / "" / "none" clear the period; a malformed duration is a 400 naming the field. */
export function budgetPeriodColumns(budgetDuration: string | null, nowMs: number, timeZone?: string): BudgetPeriodColumns {
  const parsed = parseDuration(budgetDuration);
  if (!parsed.ok) throw GatewayError.badRequest(parsed.reason, "budget_duration");
  if (parsed.duration === null) return { budgetDuration: null, budgetResetAt: null };
  return { budgetDuration, budgetResetAt: budgetResetAt(nowMs, parsed.duration, timeZone) };
}
