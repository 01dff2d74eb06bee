// When a budget with a `budget_duration` resets (contract §4.2): LiteLLM's aligned schedule, in UTC
// or litellm_settings.timezone.
// The alignment itself lives with the duration grammar in duration.ts; this is what the spend side
// asks of it.
import { budgetResetAt, parseDuration } from "./duration.ts";

/** The next reset after nowMs for a budget_duration; null when it never resets or does not parse. */
export function nextBudgetResetAt(budgetDuration: string | null | undefined, nowMs: number, timeZone?: string): Date | null {
  const parsed = parseDuration(budgetDuration);
  if (!parsed.ok || parsed.duration === null) return null;
  return budgetResetAt(nowMs, parsed.duration, timeZone);
}

export interface ResettableBudget {
  readonly budgetDuration: string | null;
  readonly budgetResetAt: Date | null;
}

/**
 * Whether a budget's period is over at nowMs, and the reset time that follows. A budget with a
 * duration but no reset time yet (set before the column existed, or by a direct SQL write) is due
 * at once so the schedule starts.
 */
export function budgetResetDue(b: ResettableBudget, nowMs: number, timeZone?: string): { due: false } | { due: true; nextResetAt: Date | null } {
  if (!b.budgetDuration) return { due: false };
  if (b.budgetResetAt && b.budgetResetAt.getTime() > nowMs) return { due: false };
  return { due: true, nextResetAt: nextBudgetResetAt(b.budgetDuration, nowMs, timeZone) };
}
