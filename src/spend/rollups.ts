// Daily spend rollups: every committed spend-log row is also added to one daily_spend row (day ×
// key × user × team × model) and, with an end user, one daily_end_user_spend row. The ledger runs
// these upserts in the same transaction as the spend_logs inserts, for the rows actually inserted,
// so a rollup always equals the sum of its logs (a replayed request id is counted in neither).
// Rollup rows are only ever added to, one request at least per write, and never deleted (log
// retention keeps them): the spend report keeps a day's JSON while the day's rows and requests are
// unchanged (src/spend/spend-report.ts), so a change here that rewrites or deletes rollup rows must
// change that too.
import { sql } from "drizzle-orm";
import type { Db, Store } from "../db/client.ts";

type SpendLogRow = Store["t"]["spendLogs"]["$inferInsert"];
type DailyRow = Store["t"]["dailySpend"]["$inferInsert"];
type DailyEndUserRow = Store["t"]["dailyEndUserSpend"]["$inferInsert"];

// 13 columns per daily_spend row; Postgres allows 65,535 bind parameters per statement.
const ROWS_PER_UPSERT = 1_000;

/** The UTC calendar day of an instant, "YYYY-MM-DD" (sorts and compares as text). */
export const dayOf = (at: Date | number): string => new Date(at).toISOString().slice(0, 10);

const MS_PER_DAY = 86_400_000;
let lastDay = { number: Number.NaN, text: "" };

/** dayOf for the rows of a batch, which nearly all fall on one day: the text is made once per day. */
function dayOfRow(at: Date): string {
  const number = Math.floor(at.getTime() / MS_PER_DAY);
  if (number !== lastDay.number) lastDay = { number, text: dayOf(at) };
  return lastDay.text;
}

interface Sums {
  spendNano: number;
  promptTokens: number;
  completionTokens: number;
  requests: number;
  successfulRequests: number;
  failedRequests: number;
}

const add = (s: Sums, l: SpendLogRow) => {
  s.spendNano += l.spendNano ?? 0;
  s.promptTokens += l.promptTokens ?? 0;
  s.completionTokens += l.completionTokens ?? 0;
  s.requests += 1;
  if (l.status === "failure") s.failedRequests += 1;
  else s.successfulRequests += 1;
};
const zero = (): Sums => ({ spendNano: 0, promptTokens: 0, completionTokens: 0, requests: 0, successfulRequests: 0, failedRequests: 0 });

/** The batch's logs summed per rollup row, sorted by key (a fixed lock order across instances). */
export function rollupRows(logs: readonly SpendLogRow[]): { daily: DailyRow[]; endUser: DailyEndUserRow[] } {
  const daily = new Map<string, DailyRow & Sums>();
  const endUser = new Map<string, DailyEndUserRow & Sums>();
  for (const l of logs) {
    const day = dayOfRow(l.startTime);
    const dims = { day, apiKey: l.apiKey ?? "", userId: l.userId ?? "", teamId: l.teamId ?? "", modelGroup: l.modelGroup ?? "", model: l.model, provider: l.provider ?? "" };
    const k = [dims.day, dims.apiKey, dims.userId, dims.teamId, dims.modelGroup, dims.model, dims.provider].join("\u0000");
    let d = daily.get(k);
    if (!d) daily.set(k, (d = { ...dims, ...zero() }));
    add(d, l);
    if (l.endUser) {
      const ek = [day, l.endUser, dims.modelGroup].join("\u0000");
      let e = endUser.get(ek);
      if (!e) endUser.set(ek, (e = { day, endUser: l.endUser, modelGroup: dims.modelGroup, ...zero() }));
      add(e, l);
    }
  }
  const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  return { daily: sorted(daily), endUser: sorted(endUser) };
}

/**
 * The same upserts through drizzle (the ledger's writers, sqlite-writer.ts and pg-writer.ts, run
 * prepared equivalents): returned unrun, for tests and tools that seed rollups.
 */
export function rollupUpserts(db: Db, t: Store["t"], logs: readonly SpendLogRow[]) {
  const { daily, endUser } = rollupRows(logs);
  const out = [];
  const d = t.dailySpend;
  for (let i = 0; i < daily.length; i += ROWS_PER_UPSERT) {
    out.push(
      db
        .insert(d)
        .values(daily.slice(i, i + ROWS_PER_UPSERT))
        .onConflictDoUpdate({
          target: [d.day, d.teamId, d.apiKey, d.model, d.userId, d.modelGroup, d.provider],
          set: {
            spendNano: sql`${d.spendNano} + excluded.spend_nano`,
            promptTokens: sql`${d.promptTokens} + excluded.prompt_tokens`,
            completionTokens: sql`${d.completionTokens} + excluded.completion_tokens`,
            requests: sql`${d.requests} + excluded.requests`,
            successfulRequests: sql`${d.successfulRequests} + excluded.successful_requests`,
            failedRequests: sql`${d.failedRequests} + excluded.failed_requests`,
          },
        }),
    );
  }
  const e = t.dailyEndUserSpend;
  for (let i = 0; i < endUser.length; i += ROWS_PER_UPSERT) {
    out.push(
      db
        .insert(e)
        .values(endUser.slice(i, i + ROWS_PER_UPSERT))
        .onConflictDoUpdate({
          target: [e.day, e.endUser, e.modelGroup],
          set: {
            spendNano: sql`${e.spendNano} + excluded.spend_nano`,
            promptTokens: sql`${e.promptTokens} + excluded.prompt_tokens`,
            completionTokens: sql`${e.completionTokens} + excluded.completion_tokens`,
            requests: sql`${e.requests} + excluded.requests`,
            successfulRequests: sql`${e.successfulRequests} + excluded.successful_requests`,
            failedRequests: sql`${e.failedRequests} + excluded.failed_requests`,
          },
        }),
    );
  }
  return out;
}
