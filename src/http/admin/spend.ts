// Spend API (contract §1.10): spend logs, global spend views, the spend report, the spend reset and
// daily activity. Logs are read row by row; every aggregate comes from the daily rollups
// (src/spend/rollups.ts), so these answer in milliseconds over millions of logged calls.
import { Elysia, t } from "elysia";
import { pageParam, wholeParam } from "../paging.ts";
import { hashKey, isPlaintextKey } from "../../auth/key-format.ts";
import type { Principal } from "../../auth/principal.ts";
import type { AppDeps } from "../../deps.ts";
import {
  findSpendLogs,
  findSpendLogsByRequestId,
  keyLabels,
  type LogFilter,
  resetAllKeyAndTeamSpend,
  sumDailySpend,
  teamAliases,
  teamsOfUser,
} from "../../db/store/spend.ts";
import { GatewayError } from "../../errors.ts";
import { nanoToUsd } from "../../money.ts";
import { canReadAll } from "../../policy/roles.ts";
import { dayOf } from "../../spend/rollups.ts";
import { SpendReports } from "../../spend/spend-report.ts";
import { endExclusive, groupBy, parseDateParam, sumSpendNano, toDailyActivity, toSpendLogJson } from "../../spend/spend-views.ts";
import { authGuard } from "../auth-guard.ts";

const doc = (summary: string) => ({ detail: { tags: ["spend"], summary } });

const SpendLogsQuery = t.Object({
  api_key: t.Optional(t.String()),
  user_id: t.Optional(t.String()),
  request_id: t.Optional(t.String()),
  start_date: t.Optional(t.String()),
  end_date: t.Optional(t.String()),
  summarize: t.Optional(t.String()),
  page: pageParam(),
  page_size: wholeParam("page_size", 1000),
});
const DateRangeQuery = t.Object({ start_date: t.Optional(t.String()), end_date: t.Optional(t.String()), limit: wholeParam("limit", 10_000) });
const ReportQuery = t.Object({
  start_date: t.String({ error: "start_date is required (YYYY-MM-DD)" }),
  end_date: t.String({ error: "end_date is required (YYYY-MM-DD)" }),
  group_by: t.Optional(t.Union([t.Literal("team"), t.Literal("api_key"), t.Literal("customer"), t.Literal("model")], { error: "group_by must be team, api_key, customer or model" })),
  api_key: t.Optional(t.String()),
  internal_user_id: t.Optional(t.String()),
});
const AggregatedActivityQuery = t.Object({
  start_date: t.Optional(t.String()),
  end_date: t.Optional(t.String()),
  user_id: t.Optional(t.String()),
});
const ActivityQuery = t.Object({
  ...AggregatedActivityQuery.properties,
  team_ids: t.Optional(t.String()),
  page: pageParam(),
  page_size: wholeParam("page_size", 1000),
});

// Lists without a page cap at this many rows; the UI pages with page/page_size or /spend/logs/ui.
const MAX_UNPAGED_LOGS = 10_000;
// LiteLLM's /global/spend/keys and /global/spend/models look back 30 days.
const TOP_WINDOW_DAYS = 30;

const isFalse = (v: string | undefined) => v !== undefined && ["false", "0", "no"].includes(v.toLowerCase());
const keyHash = (k: string) => (isPlaintextKey(k) ? hashKey(k) : k);

function requireReadAll(p: Principal, route: string) {
  if (!canReadAll(p.role)) throw GatewayError.forbidden(`Only proxy admins and proxy admin viewers can view ${route}. Your role=${p.role}`);
}

/**
 * What a caller may see of the logs: admins and viewers everything; anyone else only the logs of
 * their own keys (by their user id, or the calling key when it has no user).
 */
function scopeLogFilter(p: Principal, f: LogFilter): LogFilter {
  if (canReadAll(p.role) || p.kind === "master") return f;
  const own = p.key.userId;
  if (own !== null) {
    if (f.userId !== undefined && f.userId !== own) throw GatewayError.forbidden(`key not allowed to access this user's spend. user_id=${f.userId}, key's user_id=${own}`, "user_id");
    return { ...f, userId: own };
  }
  if (f.apiKey !== undefined && f.apiKey !== p.key.token) throw GatewayError.forbidden("key not allowed to access another key's spend", "api_key");
  return { ...f, apiKey: p.key.token };
}

function dateRange(q: { start_date?: string; end_date?: string }) {
  const from = parseDateParam(q.start_date, "start_date");
  const to = parseDateParam(q.end_date, "end_date");
  return { from, to, toExclusive: to && q.end_date ? endExclusive(q.end_date, to) : undefined };
}

export function spendRoutes(deps: AppDeps) {
  const s = deps.store;
  const reports = new SpendReports(s);
  const daysAgo = (n: number) => dayOf(deps.now() - n * 86_400_000);

  const logs = async (principal: Principal, q: typeof SpendLogsQuery.static, paged: boolean) => {
    const { from, to, toExclusive } = dateRange(q);
    const filter = scopeLogFilter(principal, {
      apiKey: q.api_key ? keyHash(q.api_key) : undefined,
      userId: q.user_id || undefined,
      requestId: q.request_id || undefined,
      from: from?.at,
      to: toExclusive,
    });
    // LiteLLM: with a date range and summarize (the default), one entry per day, from the rollups.
    if (!paged && from && to && !isFalse(q.summarize) && !filter.requestId) {
      const rows = await sumDailySpend(s, ["day", "model", "userId"], { fromDay: from.day, toDay: to.day, apiKey: filter.apiKey, userId: filter.userId });
      return [...groupBy(rows, (r) => r.day)].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, rs]) => ({
        startTime: day,
        spend: nanoToUsd(sumSpendNano(rs)),
        models: Object.fromEntries([...groupBy(rs, (r) => r.model)].map(([m, x]) => [m, nanoToUsd(sumSpendNano(x))])),
        users: Object.fromEntries([...groupBy(rs, (r) => r.userId)].map(([u, x]) => [u, nanoToUsd(sumSpendNano(x))])),
      }));
    }
    const page = q.page ?? 1;
    const pageSize = q.page_size ?? (paged ? 50 : MAX_UNPAGED_LOGS);
    const window = { limit: pageSize, offset: (page - 1) * pageSize };
    const { requestId } = filter;
    const { rows, total } = requestId ? await findSpendLogsByRequestId(s, { ...filter, requestId }, window) : await findSpendLogs(s, filter, window);
    const data = rows.map(toSpendLogJson);
    if (!paged) return data;
    return { data, total, page, page_size: pageSize, total_pages: Math.max(1, Math.ceil(total / pageSize)) };
  };

  /** A user's daily rollup rows: any user's (or everyone's) for admins and viewers, one's own for others. */
  const userActivity = async (principal: Principal, q: typeof AggregatedActivityQuery.static) => {
    const own = principal.kind === "master" ? null : principal.key.userId;
    let userId = q.user_id || undefined;
    if (!canReadAll(principal.role)) {
      if (userId !== undefined && userId !== own) throw GatewayError.forbidden(`key not allowed to access this user's spend. user_id=${userId}, key's user_id=${own}`, "user_id");
      userId = own ?? "";
    }
    const { from, to } = dateRange(q);
    return sumDailySpend(s, ["day", "model", "modelGroup", "apiKey", "provider", "teamId"], { fromDay: from?.day, toDay: to?.day, userId });
  };

  return new Elysia({ name: "admin-spend" })
    .use(authGuard(deps))
    .get("/spend/logs", ({ principal, query }) => logs(principal, query, query.page !== undefined || query.page_size !== undefined), {
      query: SpendLogsQuery,
      ...doc("Spend-log rows (by api_key, user_id, request_id, date range); per-day summaries with start_date+end_date unless summarize=false"),
    })
    .get("/spend/logs/ui", ({ principal, query }) => logs(principal, query, true), {
      query: SpendLogsQuery,
      ...doc("Spend-log rows, paged for the UI: {data, total, page, page_size, total_pages}"),
    })
    .get("/spend/logs/v2", ({ principal, query }) => logs(principal, query, true), {
      query: SpendLogsQuery,
      ...doc("The same pages under LiteLLM's newer name"),
    })
    .get("/global/spend", async ({ principal }) => {
      requireReadAll(principal, "/global/spend");
      const now = deps.now();
      const monthStart = `${dayOf(now).slice(0, 8)}01`;
      const [row] = await sumDailySpend(s, [], { fromDay: monthStart });
      return { spend: nanoToUsd(row?.spendNano ?? 0), max_budget: 0 };
    }, doc("This calendar month's total spend (UTC)"))
    .get("/global/spend/keys", async ({ principal, query }) => {
      requireReadAll(principal, "/global/spend/keys");
      const rows = (await sumDailySpend(s, ["apiKey"], { fromDay: daysAgo(TOP_WINDOW_DAYS) })).filter((r) => r.apiKey !== "");
      rows.sort((a, b) => b.spendNano - a.spendNano);
      const top = rows.slice(0, query.limit ?? rows.length);
      const labels = await keyLabels(s, top.map((r) => r.apiKey));
      return top.map((r) => ({
        api_key: r.apiKey,
        total_spend: nanoToUsd(r.spendNano),
        key_alias: labels.get(r.apiKey)?.keyAlias ?? null,
        key_name: labels.get(r.apiKey)?.keyName ?? null,
      }));
    }, { query: DateRangeQuery, ...doc("Top keys by spend over the last 30 days (?limit=N)") })
    .get("/global/spend/models", async ({ principal, query }) => {
      requireReadAll(principal, "/global/spend/models");
      const rows = await sumDailySpend(s, ["model"], { fromDay: daysAgo(TOP_WINDOW_DAYS) });
      rows.sort((a, b) => b.spendNano - a.spendNano);
      return rows.slice(0, query.limit ?? rows.length).map((r) => ({ model: r.model, total_spend: nanoToUsd(r.spendNano) }));
    }, { query: DateRangeQuery, ...doc("Top models by spend over the last 30 days (?limit=N)") })
    .get("/global/spend/teams", async ({ principal, query }) => {
      requireReadAll(principal, "/global/spend/teams");
      const { from, to } = dateRange(query);
      const rows = (await sumDailySpend(s, ["day", "teamId"], { fromDay: from?.day ?? daysAgo(TOP_WINDOW_DAYS), toDay: to?.day })).filter((r) => r.teamId !== "");
      const aliases = await teamAliases(s, [...new Set(rows.map((r) => r.teamId))]);
      const name = (id: string) => aliases.get(id) ?? id;
      const perTeam = [...groupBy(rows, (r) => r.teamId)].map(([teamId, rs]) => ({ team_id: teamId, team_alias: aliases.get(teamId) ?? null, total_spend: nanoToUsd(sumSpendNano(rs)) }));
      perTeam.sort((a, b) => b.total_spend - a.total_spend);
      const daily = [...groupBy(rows, (r) => r.day)].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, rs]) => ({
        date: day,
        ...Object.fromEntries(rs.map((r) => [name(r.teamId), nanoToUsd(r.spendNano)])),
      }));
      return { daily_spend: daily, teams: perTeam.map((p) => name(p.team_id)), total_spend_per_team: perTeam };
    }, { query: DateRangeQuery, ...doc("Spend per team and per day (default: the last 30 days)") })
    .get("/global/spend/report", async ({ principal, query }) => {
      requireReadAll(principal, "/global/spend/report");
      const { from, to } = dateRange(query);
      if (!from || !to) throw GatewayError.badRequest("start_date and end_date are required (YYYY-MM-DD)", from ? "end_date" : "start_date");
      const range = { fromDay: from.day, toDay: to.day };
      switch (query.group_by ?? "team") {
        case "team":
          return reports.team(range, query.internal_user_id);
        case "model": {
          const rows = await sumDailySpend(s, ["day", "model"], { ...range, apiKey: query.api_key ? keyHash(query.api_key) : undefined, userId: query.internal_user_id });
          return byDay(rows, (day, rs) => ({
            group_by_day: day,
            models: rs.map((r) => ({ model: r.model, total_spend: nanoToUsd(r.spendNano), total_tokens: r.promptTokens + r.completionTokens, api_requests: r.requests })),
          }));
        }
        case "api_key": {
          const rows = await sumDailySpend(s, ["apiKey", "model"], { ...range, apiKey: query.api_key ? keyHash(query.api_key) : undefined, userId: query.internal_user_id });
          return [...groupBy(rows, (r) => r.apiKey)].map(([apiKey, rs]) => ({
            api_key: apiKey,
            total_cost: nanoToUsd(sumSpendNano(rs)),
            total_input_tokens: rs.reduce((a, r) => a + r.promptTokens, 0),
            total_output_tokens: rs.reduce((a, r) => a + r.completionTokens, 0),
            model_details: rs.map((r) => ({ model: r.model, total_cost: nanoToUsd(r.spendNano), prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens })),
          }));
        }
        case "customer":
          return reports.customer(range);
      }
    }, { query: ReportQuery, ...doc("Spend between two days grouped by team (default), api_key, customer or model") })
    .post("/global/spend/reset", async () => {
      // Route access already limits this to the master key (contract §1.2 master_key_only_routes).
      const { tokens, teamIds } = await resetAllKeyAndTeamSpend(s);
      await Promise.all([...tokens.map((tk) => deps.invalidation.key(tk)), ...teamIds.map((id) => deps.invalidation.team(id))]);
      for (const tk of tokens) deps.spend?.book.invalidate({ scope: "key", id: tk });
      return { message: "Spend for all API Keys and Teams reset successfully", status: "success" };
    }, doc("Set every key's and team's spend to 0 (master key only)"))
    .get("/user/daily/activity", async ({ principal, query }) => toDailyActivity(await userActivity(principal, query), query.page ?? 1, query.page_size ?? 50), {
      query: ActivityQuery,
      ...doc("Daily spend, tokens and requests of a user (default: all users for admins, yourself otherwise)"),
    })
    .get("/user/daily/activity/aggregated", async ({ principal, query }) => {
      if (!query.start_date || !query.end_date) throw GatewayError.badRequest("Please provide start_date and end_date", query.start_date ? "end_date" : "start_date");
      // The whole range on one page, as LiteLLM's aggregated view.
      return toDailyActivity(await userActivity(principal, query), 1, Number.POSITIVE_INFINITY);
    }, { query: AggregatedActivityQuery, ...doc("The same as /user/daily/activity for the whole date range at once (start_date and end_date required)") })
    .get("/team/daily/activity", async ({ principal, query }) => {
      let teamIds = query.team_ids ? query.team_ids.split(",").map((x) => x.trim()).filter(Boolean) : undefined;
      if (!canReadAll(principal.role)) {
        const own = principal.kind === "key" && principal.key.userId ? await teamsOfUser(s, principal.key.userId) : [];
        teamIds = teamIds ? teamIds.filter((id) => own.includes(id)) : own;
      }
      const { from, to } = dateRange(query);
      const rows = await sumDailySpend(s, ["day", "model", "modelGroup", "apiKey", "provider", "teamId"], { fromDay: from?.day, toDay: to?.day, teamIds });
      return toDailyActivity(rows.filter((r) => r.teamId !== ""), query.page ?? 1, query.page_size ?? 50, (r) => r.teamId);
    }, { query: ActivityQuery, ...doc("Daily spend, tokens and requests per team (?team_ids=a,b; non-admins: their own teams)") });
}

function byDay<R extends { day: string }, O>(rows: readonly R[], build: (day: string, rs: R[]) => O): O[] {
  return [...groupBy(rows, (r) => r.day)].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, rs]) => build(day, rs));
}
