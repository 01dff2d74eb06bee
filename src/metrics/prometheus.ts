// LiteLLM's Prometheus metrics (litellm_settings.callbacks: ["prometheus"]), with its metric and
// label names so existing dashboards and alerts keep working: requests, failures, spend, tokens
// and latency per key, team, user, end user and model, and each deployment's state. Recorded when
// a call settles (a call hook, so nothing is added to a call when the setting is off); written out
// on GET /metrics.
import type { Principal } from "../auth/principal.ts";
import { CALLBACK_LISTS } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import type { Deployment } from "../providers/types.ts";
import type { CallContext, CallOutcome } from "../proxy/hooks.ts";
import type { AbandonableHooks } from "../spend/compose-hooks.ts";
import { isCoolingDown } from "../router/deployment-stats.ts";
import type { Router } from "../router/router.ts";
import { deploymentCostNanoUsd, tokenUsageOf } from "../spend/cost.ts";
import { nanoToUsd } from "../money.ts";
import type { BudgetBook } from "../spend/budget-book.ts";
import { Counter, exposition, Gauge, Histogram, MAX_SERIES } from "./registry.ts";

const WHO = ["end_user", "hashed_api_key", "api_key_alias", "team", "team_alias", "user"] as const;
const REQUEST_LABELS = [...WHO, "requested_model"];
const MODEL_LABELS = [...WHO, "model"];
const LATENCY_LABELS = [...WHO, "model", "requested_model"];
const DEPLOYMENT_LABELS = ["litellm_model_name", "model_id", "api_base", "api_provider"];
// LiteLLM's LATENCY_BUCKETS, in seconds.
const LATENCY_BUCKETS = [
  0.005, 0.00625, 0.0125, 0.025, 0.05, 0.1, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5, 10, 15, 20, 25,
  30, 60, 120, 180, 240, 300,
];

/** A deployment's labels, the same on its counters and its state: model group, id, api_base, provider. */
const deploymentLabels = (d: Deployment) => [d.modelName, d.id, d.params.api_base ?? "", d.params.model.split("/")[0] ?? ""];

/** The `who` labels of a call: end user, key hash and alias, team and alias, user. */
function whoOf(p: Principal, endUser: string | null): string[] {
  if (p.kind === "master") return [endUser ?? "", "master_key", "", "", "", p.userId];
  return [endUser ?? "", p.token, p.key.keyAlias ?? "", p.key.teamId ?? "", p.team?.teamAlias ?? "", p.key.userId ?? ""];
}

export class ProxyMetrics {
  constructor(private readonly now: () => number = Date.now) {}

  readonly totalRequests = new Counter("litellm_proxy_total_requests_metric_total", "Requests made to the proxy, by status code", [...REQUEST_LABELS, "status_code"]);
  readonly failedRequests = new Counter(
    "litellm_proxy_failed_requests_metric_total",
    "Requests that failed, by the status and error class the client got",
    [...REQUEST_LABELS, "exception_status", "exception_class"],
  );
  readonly requests = new Counter("litellm_requests_metric_total", "LLM calls answered", MODEL_LABELS);
  readonly spend = new Counter("litellm_spend_metric_total", "Spend of LLM calls, USD", MODEL_LABELS);
  readonly inputTokens = new Counter("litellm_input_tokens_metric_total", "Prompt tokens of LLM calls", MODEL_LABELS);
  readonly outputTokens = new Counter("litellm_output_tokens_metric_total", "Completion tokens of LLM calls", MODEL_LABELS);
  readonly totalTokens = new Counter("litellm_total_tokens_metric_total", "Prompt and completion tokens of LLM calls", MODEL_LABELS);
  readonly latency = new Histogram("litellm_request_total_latency_metric", "Time from the request to the end of the answer, seconds", LATENCY_LABELS, LATENCY_BUCKETS);
  readonly deploymentRequests = new Counter("litellm_deployment_total_requests_total", "Calls sent to each deployment", DEPLOYMENT_LABELS);
  readonly deploymentSuccesses = new Counter("litellm_deployment_success_responses_total", "Calls each deployment answered", DEPLOYMENT_LABELS);
  readonly deploymentFailures = new Counter("litellm_deployment_failure_responses_total", "Calls that failed at each deployment", DEPLOYMENT_LABELS);
  readonly keyBudgetRemaining = new Gauge("litellm_remaining_api_key_budget_metric", "A key's budget left, USD", ["hashed_api_key", "api_key_alias"]);
  readonly keyBudgetMax = new Gauge("litellm_api_key_max_budget_metric", "A key's max budget, USD", ["hashed_api_key", "api_key_alias"]);
  readonly teamBudgetRemaining = new Gauge("litellm_remaining_team_budget_metric", "A team's budget left, USD", ["team", "team_alias"]);
  readonly teamBudgetMax = new Gauge("litellm_team_max_budget_metric", "A team's max budget, USD", ["team", "team_alias"]);
  // The aliases budgets are labelled with, learned from the calls (the budget book knows ids only).
  private readonly keyAliases = new Map<string, string>();
  private readonly teamAliases = new Map<string, string>();
  readonly deploymentState = new Gauge(
    "litellm_deployment_state",
    "Each deployment's state: 0 healthy, 1 its last call failed, 2 cooling down (out of rotation)",
    DEPLOYMENT_LABELS,
  );

  /**
   * The call hook that records each call once it settles; first among the hooks, so a call another
   * hook refuses (a budget, a rate limit) is abandoned here and counted as the failure it was.
   */
  hooks(): AbandonableHooks {
    return {
      admit: async () => ({}),
      settle: async (ctx, outcome) => this.record(ctx, outcome),
      abandon: (ctx, refusal) => {
        const status = refusal instanceof GatewayError ? refusal.status : 500;
        const now = this.now();
        this.record(ctx, { status: "failure", httpStatus: status, usage: undefined, deployment: undefined, provider: undefined, upstreamModel: undefined, apiBase: undefined, startedAtMs: ctx.startedAtMs, endedAtMs: Math.max(now, ctx.startedAtMs), error: refusal instanceof Error ? refusal : undefined });
      },
    };
  }

  record(ctx: CallContext, outcome: CallOutcome): void {
    const who = whoOf(ctx.principal, ctx.endUserId);
    if (ctx.principal.kind === "key") this.rememberAliases(ctx.principal);
    const status = String(outcome.httpStatus);
    this.totalRequests.inc([...who, ctx.requestedModel, status]);
    if (outcome.status === "failure") {
      const errorClass = (outcome.error as { type?: string } | undefined)?.type ?? outcome.error?.name ?? "Error";
      this.failedRequests.inc([...who, ctx.requestedModel, status, errorClass]);
    }
    if (outcome.deployment) {
      const labels = deploymentLabels(outcome.deployment);
      this.deploymentRequests.inc(labels);
      if (outcome.status === "success") this.deploymentSuccesses.inc(labels);
      else if (outcome.status === "failure") this.deploymentFailures.inc(labels);
    }
    const model = outcome.upstreamModel ?? ctx.modelGroup;
    this.latency.observe([...who, model, ctx.requestedModel], Math.max(0, outcome.endedAtMs - outcome.startedAtMs) / 1000);
    if (outcome.status !== "success") return;
    const labels = [...who, model];
    const usage = tokenUsageOf(outcome.usage as Record<string, unknown> | undefined);
    this.requests.inc(labels);
    this.inputTokens.inc(labels, usage.promptTokens);
    this.outputTokens.inc(labels, usage.completionTokens);
    this.totalTokens.inc(labels, usage.promptTokens + usage.completionTokens);
    if (outcome.deployment) this.spend.inc(labels, nanoToUsd(deploymentCostNanoUsd(usage, outcome.deployment)));
  }

  private rememberAliases(p: Extract<Principal, { kind: "key" }>): void {
    if (p.key.keyAlias && this.keyAliases.size < MAX_SERIES) this.keyAliases.set(p.token, p.key.keyAlias);
    if (p.team?.teamAlias && this.teamAliases.size < MAX_SERIES) this.teamAliases.set(p.team.teamId, p.team.teamAlias);
  }

  /**
   * The exposition text: each deployment's state read from the router, and the budgets of the
   * keys and teams this instance has served read from the budget book, as they are now.
   */
  text(router: Router, nowMs: number, budgets?: Pick<BudgetBook, "limited">): string {
    for (const g of [this.keyBudgetRemaining, this.keyBudgetMax, this.teamBudgetRemaining, this.teamBudgetMax, this.deploymentState]) g.clear();
    for (const b of budgets?.limited("key") ?? []) {
      const labels = [b.id, this.keyAliases.get(b.id) ?? ""];
      this.keyBudgetRemaining.set(labels, nanoToUsd(b.maxBudgetNano - b.spendNano));
      this.keyBudgetMax.set(labels, nanoToUsd(b.maxBudgetNano));
    }
    for (const b of budgets?.limited("team") ?? []) {
      const labels = [b.id, this.teamAliases.get(b.id) ?? ""];
      this.teamBudgetRemaining.set(labels, nanoToUsd(b.maxBudgetNano - b.spendNano));
      this.teamBudgetMax.set(labels, nanoToUsd(b.maxBudgetNano));
    }
    for (const d of router.deployments) {
      const s = router.statsOf(d.id);
      const state = isCoolingDown(s, nowMs) ? 2 : s.lastOutcome && !s.lastOutcome.ok ? 1 : 0;
      this.deploymentState.set(deploymentLabels(d), state);
    }
    return exposition([
      this.totalRequests, this.failedRequests, this.requests, this.spend, this.inputTokens, this.outputTokens, this.totalTokens, this.latency,
      this.deploymentRequests, this.deploymentSuccesses, this.deploymentFailures,
      this.keyBudgetRemaining, this.keyBudgetMax, this.teamBudgetRemaining, this.teamBudgetMax, this.deploymentState,
    ]);
  }
}

/** Whether the config turns the metrics on: "prometheus" in litellm_settings callbacks (any of the three lists). */
export function prometheusEnabled(litellm: Partial<Record<(typeof CALLBACK_LISTS)[number], readonly unknown[]>>): boolean {
  return CALLBACK_LISTS.some((list) => litellm[list]?.includes("prometheus") ?? false);
}
