// The spend side's background work on a running gateway: the budget reset job and the spend-log
// retention delete. Started by serve.ts after startup, stopped at shutdown.
import type { AppDeps } from "../deps.ts";
import { startBudgetResetJob } from "./budget-reset-job.ts";
import { startRetentionJob } from "./retention.ts";

export interface SpendJobs {
  stop(): Promise<void>;
}

export function startSpendJobs(deps: AppDeps): SpendJobs {
  const g = deps.config.general;
  const resets = deps.spend
    ? startBudgetResetJob(
        { store: deps.store, invalidation: deps.invalidation, book: deps.spend.book, ledger: deps.spend.ledger, log: deps.log, now: deps.now, timeZone: deps.config.litellm.timezone },
        { minS: g.proxy_budget_rescheduler_min_time, maxS: g.proxy_budget_rescheduler_max_time },
      )
    : undefined;
  const retention = startRetentionJob(
    { store: deps.store, log: deps.log, now: deps.now },
    { period: g.maximum_spend_logs_retention_period, interval: g.maximum_spend_logs_retention_interval },
  );
  return {
    async stop() {
      retention?.stop();
      resets?.stop();
      await resets?.idle();
    },
  };
}
