// The budget reset job (contract §4.2): every proxy_budget_rescheduler_min_time..max_time seconds,
// budgets whose period is over get spend = 0 and their next aligned reset time. Safe to run on every
// instance at once: each reset is a conditional UPDATE (db/store/spend-resets.ts), so a budget is
// reset exactly once per period however many instances see it due.
import { budgetResetDue } from "../policy/budget-reset.ts";
import { teamMemberId } from "../policy/budget.ts";
import type { Store } from "../db/client.ts";
import type { Invalidation } from "../db/invalidation.ts";
import { type DueBudget, findDueBudgets, RESET_SCOPES, resetBudgetIfUnchanged, type ResetScope } from "../db/store/spend-resets.ts";
import type { Logger } from "../log.ts";
import type { BudgetBook } from "./budget-book.ts";
import type { SpendLedger } from "./ledger.ts";

// LiteLLM's defaults for proxy_budget_rescheduler_min_time / max_time.
export const DEFAULT_RESCHEDULER_MIN_S = 597;
export const DEFAULT_RESCHEDULER_MAX_S = 605;
// Due rows read per query; a pass keeps reading until a scope has nothing due left.
const PAGE = 500;

export interface BudgetResetDeps {
  readonly store: Store;
  readonly invalidation: Pick<Invalidation, "key" | "user" | "team">;
  readonly book: Pick<BudgetBook, "invalidate">;
  /** Spend settled before a reset belongs to the period it ends: committed first (ledger.ts writes behind). */
  readonly ledger: Pick<SpendLedger, "flush">;
  readonly log: Logger;
  /** litellm_settings.timezone: the zone the next reset aligns to. */
  readonly timeZone?: string;
}

export type ResetCounts = Record<ResetScope, number>;

/** One pass at nowMs. Returns how many budgets this call reset (0 for those another instance took). */
export async function resetDueBudgets(deps: BudgetResetDeps, nowMs: number): Promise<ResetCounts> {
  const counts: ResetCounts = { key: 0, user: 0, team: 0, team_member: 0, end_user: 0 };
  await deps.ledger.flush();
  const now = new Date(nowMs);
  for (const scope of RESET_SCOPES) {
    let after: DueBudget | undefined;
    for (;;) {
      const due = await findDueBudgets(deps.store, scope, now, PAGE, after);
      for (const d of due) {
        const decision = budgetResetDue(d, nowMs, deps.timeZone);
        // A duration that no longer parses has no next reset: leave the row as it is.
        if (!decision.due || decision.nextResetAt === null) continue;
        if (await resetBudgetIfUnchanged(deps.store, d, decision.nextResetAt)) {
          counts[scope]++;
          await invalidate(deps, d);
        }
      }
      if (due.length < PAGE) break;
      after = due[due.length - 1];
    }
  }
  return counts;
}

/** Caches here and, for keys, users and teams, on every instance re-read the zeroed spend. */
async function invalidate(deps: BudgetResetDeps, d: DueBudget): Promise<void> {
  switch (d.scope) {
    case "key":
      // The key cache reload gives the budget book a new row, which makes it re-read the spend.
      deps.book.invalidate({ scope: "key", id: d.id });
      return deps.invalidation.key(d.id);
    case "user":
      return deps.invalidation.user(d.id);
    case "team":
      return deps.invalidation.team(d.id);
    case "team_member":
      // Team invalidation reaches every instance and drops the team's membership budgets too.
      deps.book.invalidate({ scope: "team_member", id: teamMemberId(d.teamId!, d.id) });
      return deps.invalidation.team(d.teamId!);
    case "end_user":
      // No cross-instance channel for end users: other instances' budget books re-read within their
      // refresh interval (seconds), which the next period's first calls can tolerate.
      deps.book.invalidate({ scope: "end_user", id: d.id });
      return;
  }
}

/** A uniform pick in [minS, maxS]: instances started together drift apart instead of colliding. */
export function nextRunDelayMs(minS: number, maxS: number, random: () => number = Math.random): number {
  const lo = Math.min(minS, maxS);
  const hi = Math.max(minS, maxS);
  return Math.round((lo + (hi - lo) * random()) * 1000);
}

export interface BudgetResetJob {
  stop(): void;
  /** The pass in progress (or a resolved promise), for shutdown and tests. */
  idle(): Promise<void>;
}

export function startBudgetResetJob(
  deps: BudgetResetDeps & { readonly now: () => number },
  schedule: { minS?: number; maxS?: number } = {},
): BudgetResetJob {
  const minS = schedule.minS ?? DEFAULT_RESCHEDULER_MIN_S;
  const maxS = schedule.maxS ?? DEFAULT_RESCHEDULER_MAX_S;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = resetDueBudgets(deps, deps.now())
        .then((c) => {
          const total = Object.values(c).reduce((a, b) => a + b, 0);
          if (total > 0) deps.log.info("budgets reset", c);
        })
        .catch((err) => deps.log.error("budget reset pass failed", { error: String(err) }))
        .finally(arm);
    }, nextRunDelayMs(minS, maxS));
    // The job must never keep a stopping process alive.
    timer.unref?.();
  };
  arm();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    idle: () => running,
  };
}
