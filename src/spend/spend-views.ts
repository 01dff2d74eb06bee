// The spend API's JSON shapes (LiteLLM's, contract §1.10), built from spend-log rows and rollup
// sums. Pure: rows in, wire objects out; money leaves nano-USD only here.
import type { RollupSums, SpendLogRecord } from "../db/store/spend.ts";
import { GatewayError } from "../errors.ts";
import { nanoToUsd } from "../money.ts";

/**
 * One LiteLLM_SpendLogs row as /spend/logs returns it. request_id is the answer's own id, as in
 * LiteLLM (the call id when the answer had none); the call id (x-litellm-call-id) is call_id.
 */
export function toSpendLogJson(r: SpendLogRecord) {
  return {
    request_id: r.responseId ?? r.requestId,
    call_id: r.requestId,
    call_type: r.callType,
    api_key: r.apiKey ?? "",
    spend: nanoToUsd(r.spendNano),
    total_tokens: r.totalTokens,
    prompt_tokens: r.promptTokens,
    completion_tokens: r.completionTokens,
    startTime: r.startTime.toISOString(),
    endTime: r.endTime.toISOString(),
    completionStartTime: r.endTime.toISOString(),
    model: r.model,
    model_id: r.modelId ?? "",
    model_group: r.modelGroup ?? "",
    custom_llm_provider: r.provider ?? "",
    api_base: r.apiBase ?? "",
    user: r.userId ?? "",
    team_id: r.teamId ?? "",
    end_user: r.endUser ?? "",
    status: r.status,
    request_tags: r.requestTags,
    metadata: r.metadata,
    cache_hit: "False",
    // Only with general_settings.store_prompts_in_spend_logs.
    ...(r.messages !== null && r.messages !== undefined ? { messages: r.messages } : {}),
    ...(r.response !== null && r.response !== undefined ? { response: r.response } : {}),
  };
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A start_date / end_date query value: "YYYY-MM-DD" (a whole UTC day) or an ISO timestamp. Returns
 * the instant and the UTC day it falls on; a value that does not parse is a 400 naming the field.
 */
export function parseDateParam(value: string | undefined, field: string): { at: Date; day: string } | undefined {
  if (value === undefined || value === "") return undefined;
  const at = new Date(DAY_RE.test(value) ? `${value}T00:00:00.000Z` : value);
  if (Number.isNaN(at.getTime())) throw GatewayError.badRequest(`${field} must be a date (YYYY-MM-DD) or an ISO timestamp. Received: ${value}`, field);
  return { at, day: at.toISOString().slice(0, 10) };
}

/** The exclusive end of an end_date: a bare day includes the whole day (LiteLLM's UI sends days). */
export function endExclusive(value: string, parsed: { at: Date }): Date {
  return DAY_RE.test(value) ? new Date(parsed.at.getTime() + 86_400_000) : parsed.at;
}

/** The metrics object of LiteLLM's daily-activity responses. */
export function toMetrics(s: RollupSums) {
  return {
    spend: nanoToUsd(s.spendNano),
    prompt_tokens: s.promptTokens,
    completion_tokens: s.completionTokens,
    total_tokens: s.promptTokens + s.completionTokens,
    api_requests: s.requests,
    successful_requests: s.successfulRequests,
    failed_requests: s.failedRequests,
  };
}

const zeroSums = (): RollupSums => ({ spendNano: 0, promptTokens: 0, completionTokens: 0, requests: 0, successfulRequests: 0, failedRequests: 0 });
function addSums(into: RollupSums, s: RollupSums): void {
  into.spendNano += s.spendNano;
  into.promptTokens += s.promptTokens;
  into.completionTokens += s.completionTokens;
  into.requests += s.requests;
  into.successfulRequests += s.successfulRequests;
  into.failedRequests += s.failedRequests;
}

/** A rollup row for the daily-activity views; end-user rollups have no key or provider. */
type ActivityRow = RollupSums & { day: string; model: string; modelGroup: string; apiKey?: string; provider?: string };

/**
 * /user/daily/activity, /team/daily/activity and /customer/daily/activity: one result per day with
 * totals and breakdowns by model, model group, key and provider, and by entity (team or end user)
 * when `entityOf` names it, plus overall totals, paged by day.
 */
export function toDailyActivity<R extends ActivityRow>(rows: readonly R[], page: number, pageSize: number, entityOf?: (r: R) => string) {
  const byDay = new Map<string, { total: RollupSums; breakdown: Record<string, Map<string, RollupSums>> }>();
  const total = zeroSums();
  for (const r of rows) {
    let d = byDay.get(r.day);
    if (!d) {
      const breakdown: Record<string, Map<string, RollupSums>> = { models: new Map(), model_groups: new Map(), api_keys: new Map(), providers: new Map() };
      if (entityOf) breakdown.entities = new Map();
      byDay.set(r.day, (d = { total: zeroSums(), breakdown }));
    }
    addSums(d.total, r);
    addSums(total, r);
    const into = (name: string, id: string | undefined) => {
      if (id === undefined) return;
      const m = d!.breakdown[name]!;
      let s = m.get(id);
      if (!s) m.set(id, (s = zeroSums()));
      addSums(s, r);
    };
    into("models", r.model);
    into("model_groups", r.modelGroup);
    into("api_keys", r.apiKey);
    into("providers", r.provider);
    if (entityOf) into("entities", entityOf(r));
  }
  const days = [...byDay.keys()].sort().reverse();
  const totalPages = Math.max(1, Math.ceil(days.length / pageSize));
  const results = days.slice((page - 1) * pageSize, page * pageSize).map((day) => {
    const d = byDay.get(day)!;
    const breakdown = Object.fromEntries(
      Object.entries(d.breakdown).map(([name, m]) => [name, Object.fromEntries([...m].map(([id, s]) => [id, { metrics: toMetrics(s) }]))]),
    );
    return { date: day, metrics: toMetrics(d.total), breakdown };
  });
  const t = toMetrics(total);
  return {
    results,
    metadata: {
      total_spend: t.spend,
      total_prompt_tokens: t.prompt_tokens,
      total_completion_tokens: t.completion_tokens,
      total_tokens: t.total_tokens,
      total_api_requests: t.api_requests,
      total_successful_requests: t.successful_requests,
      total_failed_requests: t.failed_requests,
      page,
      total_pages: totalPages,
      has_more: page < totalPages,
    },
  };
}

/** Groups rows by a key, keeping insertion order. */
export function groupBy<T>(rows: readonly T[], keyOf: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = keyOf(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

export const sumSpendNano = (rows: readonly { spendNano: number }[]) => rows.reduce((a, r) => a + r.spendNano, 0);
