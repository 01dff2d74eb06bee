// Reads behind the spend API: spend-log rows (filtered, paged) and the daily rollups
// (daily_spend, daily_end_user_spend) that every aggregate view is computed from.
import { and, type Column, count, desc, eq, gte, inArray, lt, lte, notInArray, sql, type SQL } from "drizzle-orm";
import type { SQLQueryBindings } from "bun:sqlite";
import type { Store } from "../client.ts";

export type SpendLogRecord = Store["t"]["spendLogs"]["$inferSelect"];

export interface LogFilter {
  apiKey?: string;
  userId?: string;
  /** The call id (x-litellm-call-id): the row's key. */
  requestId?: string;
  /** The answer's own id: not indexed, so only searched with `newestRows`. */
  responseId?: string;
  /** Only the rows at least as new as the n-th newest (a bounded scan of spend_logs_start_idx). */
  newestRows?: number;
  teamId?: string;
  endUser?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

function logWhere(s: Store, f: LogFilter): SQL | undefined {
  const l = s.t.spendLogs;
  return and(
    f.apiKey !== undefined ? eq(l.apiKey, f.apiKey) : undefined,
    f.userId !== undefined ? eq(l.userId, f.userId) : undefined,
    f.requestId !== undefined ? eq(l.requestId, f.requestId) : undefined,
    f.responseId !== undefined ? eq(l.responseId, f.responseId) : undefined,
    f.newestRows !== undefined ? gte(l.startTime, nthNewestStart(s, f.newestRows)) : undefined,
    f.teamId !== undefined ? eq(l.teamId, f.teamId) : undefined,
    f.endUser !== undefined ? eq(l.endUser, f.endUser) : undefined,
    f.from ? gte(l.startTime, f.from) : undefined,
    f.to ? lt(l.startTime, f.to) : undefined,
  );
}

/** The start time of the n-th newest row (or of the oldest, when there are fewer). */
function nthNewestStart(s: Store, n: number): SQL {
  const l = s.t.spendLogs;
  return sql`coalesce((select ${l.startTime} from ${l} order by ${l.startTime} desc limit 1 offset ${n - 1}), (select min(${l.startTime}) from ${l}))`;
}

// LiteLLM users look a call up by the answer's id (response.id), most often just after the call.
const ANSWER_ID_SEARCH_ROWS = 100_000;

/**
 * `/spend/logs?request_id=`: the call id is the row's key; an id that is none is searched as the
 * answer's own id among the newest ANSWER_ID_SEARCH_ROWS rows.
 */
export async function findSpendLogsByRequestId(
  s: Store,
  f: LogFilter & { requestId: string },
  page: { limit: number; offset: number },
  searchRows = ANSWER_ID_SEARCH_ROWS,
) {
  const byCall = await findSpendLogs(s, f, page);
  if (byCall.total > 0) return byCall;
  return findSpendLogs(s, { ...f, requestId: undefined, responseId: f.requestId, newestRows: searchRows }, page);
}

/** Newest first; `limit` rows after `offset`, and the total that match. */
export async function findSpendLogs(s: Store, f: LogFilter, page: { limit: number; offset: number }) {
  const l = s.t.spendLogs;
  const where = logWhere(s, f);
  const [rows, [total]] = await Promise.all([
    s.db.select().from(l).where(where).orderBy(desc(l.startTime), desc(l.requestId)).limit(page.limit).offset(page.offset),
    s.db.select({ n: count() }).from(l).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/** Deletes rows that started before `before`, at most `limit` per call (short write transactions). */
export async function deleteSpendLogsBefore(s: Store, before: Date, limit: number): Promise<number> {
  const l = s.t.spendLogs;
  const victims = s.db.select({ id: l.requestId }).from(l).where(lt(l.startTime, before)).limit(limit);
  const deleted = await s.db.delete(l).where(inArray(l.requestId, victims)).returning({ id: l.requestId });
  return deleted.length;
}

export interface DayRange {
  /** "YYYY-MM-DD", inclusive. */
  fromDay?: string;
  toDay?: string;
}

export interface RollupFilter extends DayRange {
  apiKey?: string;
  userId?: string;
  teamIds?: readonly string[];
}

/** The grouping columns of daily_spend an aggregate query may ask for. */
export type RollupDim = "day" | "apiKey" | "userId" | "teamId" | "modelGroup" | "model" | "provider";

export interface RollupSums {
  spendNano: number;
  promptTokens: number;
  completionTokens: number;
  requests: number;
  successfulRequests: number;
  failedRequests: number;
}

const sum = (col: unknown) => sql<number>`coalesce(sum(${col}), 0)`.mapWith(Number);

/** daily_spend summed per the requested dimensions (one SQL GROUP BY over the rollup). */
export async function sumDailySpend<D extends RollupDim>(s: Store, dims: readonly D[], f: RollupFilter): Promise<(Record<D, string> & RollupSums)[]> {
  const d = s.t.dailySpend;
  const cols = Object.fromEntries(dims.map((k) => [k, d[k]])) as Record<D, (typeof d)[D]>;
  const where = and(
    f.fromDay ? gte(d.day, f.fromDay) : undefined,
    f.toDay ? lte(d.day, f.toDay) : undefined,
    f.apiKey !== undefined ? eq(d.apiKey, f.apiKey) : undefined,
    f.userId !== undefined ? eq(d.userId, f.userId) : undefined,
    f.teamIds ? inArray(d.teamId, [...f.teamIds]) : undefined,
  );
  const rows = await s.db
    .select({
      ...cols,
      spendNano: sum(d.spendNano),
      promptTokens: sum(d.promptTokens),
      completionTokens: sum(d.completionTokens),
      requests: sum(d.requests),
      successfulRequests: sum(d.successfulRequests),
      failedRequests: sum(d.failedRequests),
    })
    .from(d)
    .where(where)
    .groupBy(...dims.map((k) => d[k]));
  return rows as unknown as (Record<D, string> & RollupSums)[];
}

/** daily_end_user_spend summed per day, end user and model group (its key: one row each). */
export async function sumDailyEndUserSpend(s: Store, f: DayRange & { endUsers?: readonly string[]; excludeEndUsers?: readonly string[] }) {
  const e = s.t.dailyEndUserSpend;
  return s.db
    .select({
      day: e.day,
      endUser: e.endUser,
      modelGroup: e.modelGroup,
      spendNano: sum(e.spendNano),
      promptTokens: sum(e.promptTokens),
      completionTokens: sum(e.completionTokens),
      requests: sum(e.requests),
      successfulRequests: sum(e.successfulRequests),
      failedRequests: sum(e.failedRequests),
    })
    .from(e)
    .where(
      and(
        f.fromDay ? gte(e.day, f.fromDay) : undefined,
        f.toDay ? lte(e.day, f.toDay) : undefined,
        f.endUsers ? inArray(e.endUser, [...f.endUsers]) : undefined,
        f.excludeEndUsers?.length ? notInArray(e.endUser, [...f.excludeEndUsers]) : undefined,
      ),
    )
    .groupBy(e.day, e.endUser, e.modelGroup);
}

/** A daily_spend row as the team spend report reads it (requests: for the day's stamp). */
export type TeamReportRow = [day: string, teamId: string, apiKey: string, model: string, spendNano: number, totalTokens: number, requests: number];
/** One metadata entry of the customer spend report: a daily_end_user_spend row. */
export type CustomerReportRow = [day: string, endUser: string, modelGroup: string, spendNano: number, totalTokens: number, requests: number];
/** A day × team of daily_spend: its rollup rows and requests. */
export type TeamDayStamp = [day: string, teamId: string, rows: number, requests: number];
/** A day of daily_end_user_spend: its rollup rows and requests. */
export type DayStamp = [day: string, rows: number, requests: number];

/** The days a report reads: a range, or (to refresh a few days of a cached report) a list. */
export type ReportDays = DayRange & { days?: readonly string[] };

const reportDays = (day: Column, f: ReportDays) =>
  and(f.fromDay ? gte(day, f.fromDay) : undefined, f.toDay ? lte(day, f.toDay) : undefined, f.days ? inArray(day, [...f.days]) : undefined);

/**
 * daily_spend in the team report's order: day, team, key, model. That is the table's key order, so
 * on SQLite this reads one range of the table with no sort (src/db/schema/sqlite.ts). Not grouped:
 * the rows of one day × team × key × model are adjacent and the report sums them as it goes, which
 * is half the cost of GROUP BY on SQLite.
 */
export function teamReportRows(s: Store, f: ReportDays & { userId?: string }): Promise<TeamReportRow[]> {
  const d = s.t.dailySpend;
  const query = s.db
    .select({
      day: d.day,
      teamId: d.teamId,
      apiKey: d.apiKey,
      model: d.model,
      spendNano: d.spendNano,
      totalTokens: sql`${d.promptTokens} + ${d.completionTokens}`,
      requests: d.requests,
    })
    .from(d)
    .where(and(reportDays(d.day, f), f.userId !== undefined ? eq(d.userId, f.userId) : undefined))
    .orderBy(d.day, d.teamId, d.apiKey, d.model);
  return tuples(s, query, 4);
}

/** The customer report's rows sorted by day, end user and model group (the table's key: one row each). */
export function customerReportRows(s: Store, f: ReportDays): Promise<CustomerReportRow[]> {
  const e = s.t.dailyEndUserSpend;
  const query = s.db
    .select({
      day: e.day,
      endUser: e.endUser,
      modelGroup: e.modelGroup,
      spendNano: e.spendNano,
      totalTokens: sql`${e.promptTokens} + ${e.completionTokens}`,
      requests: e.requests,
    })
    .from(e)
    .where(reportDays(e.day, f))
    .orderBy(e.day, e.endUser, e.modelGroup);
  return tuples(s, query, 3);
}

/**
 * Rollup rows and requests per day × team, sorted. Every write to a rollup row adds at least one
 * request and rows are never deleted, so a day whose figures are unchanged has unchanged rows.
 */
export function teamDayStamps(s: Store, f: DayRange): Promise<TeamDayStamp[]> {
  const d = s.t.dailySpend;
  const query = s.db
    .select({ day: d.day, teamId: d.teamId, rows: count(), requests: sum(d.requests) })
    .from(d)
    .where(reportDays(d.day, f))
    .groupBy(d.day, d.teamId)
    .orderBy(d.day, d.teamId);
  return tuples(s, query, 2);
}

/** The same per day for daily_end_user_spend. */
export function customerDayStamps(s: Store, f: DayRange): Promise<DayStamp[]> {
  const e = s.t.dailyEndUserSpend;
  const query = s.db.select({ day: e.day, rows: count(), requests: sum(e.requests) }).from(e).where(reportDays(e.day, f)).groupBy(e.day).orderBy(e.day);
  return tuples(s, query, 1);
}

/**
 * Runs a query built with drizzle on the store's driver and returns its rows as arrays, columns in
 * select order. For aggregates of 100,000s of rows: drizzle's row mapping (an object per row, a
 * mapper per value) cost more than the query itself. Columns from `firstNumber` on are numbers.
 */
async function tuples<T extends unknown[]>(s: Store, query: { toSQL(): { sql: string; params: unknown[] } }, firstNumber: number): Promise<T[]> {
  const { sql: text, params } = query.toSQL();
  if ("sqlite" in s.raw) {
    // Prepared per call (tens of µs) rather than cached by Database.query: a list of days makes a
    // new SQL text for each length.
    const statement = s.raw.sqlite.prepare(text);
    try {
      return statement.values(...(params as SQLQueryBindings[])) as T[];
    } finally {
      statement.finalize();
    }
  }
  const rows = (await s.raw.pg.unsafe(text, params as never[]).values()) as unknown[][];
  // postgres.js returns bigint and numeric (a sum of bigints) as strings.
  for (const r of rows) for (let i = firstNumber; i < r.length; i++) r[i] = Number(r[i]);
  return rows as T[];
}

/** Aliases and names for the keys and teams an aggregate names. */
export async function keyLabels(s: Store, tokens: readonly string[]) {
  if (tokens.length === 0) return new Map<string, { keyAlias: string | null; keyName: string }>();
  const k = s.t.keys;
  const rows = await s.db.select({ token: k.token, keyAlias: k.keyAlias, keyName: k.keyName }).from(k).where(inArray(k.token, [...tokens]));
  return new Map(rows.map((r) => [r.token, r]));
}

export async function teamAliases(s: Store, teamIds: readonly string[]) {
  if (teamIds.length === 0) return new Map<string, string | null>();
  const t = s.t.teams;
  const rows = await s.db.select({ teamId: t.teamId, teamAlias: t.teamAlias }).from(t).where(inArray(t.teamId, [...teamIds]));
  return new Map(rows.map((r) => [r.teamId, r.teamAlias]));
}

export async function teamsOfUser(s: Store, userId: string): Promise<string[]> {
  const m = s.t.teamMembers;
  return (await s.db.select({ teamId: m.teamId }).from(m).where(eq(m.userId, userId))).map((r) => r.teamId);
}

/** POST /global/spend/reset: every key's and team's spend to 0; returns what changed, to invalidate. */
export async function resetAllKeyAndTeamSpend(s: Store): Promise<{ tokens: string[]; teamIds: string[] }> {
  const t = s.t;
  const tokens = (await s.db.update(t.keys).set({ spendNano: 0 }).where(sql`${t.keys.spendNano} <> 0`).returning({ id: t.keys.token })).map((r) => r.id);
  const teamIds = (await s.db.update(t.teams).set({ spendNano: 0 }).where(sql`${t.teams.spendNano} <> 0`).returning({ id: t.teams.teamId })).map((r) => r.id);
  return { tokens, teamIds };
}
