// The ledger's commit on Postgres, with SQL built once. Building the same statements with drizzle's
// query builder on every batch was a third of a Postgres gateway's CPU at one connection (profile,
// README Performance); these texts do the same writes as sqlite-writer.ts: insert the log rows (a
// replayed request id adds nothing), add the inserted rows to the daily rollups, then one increment
// per budget row, and the caller's own statements (the budget lease release), in one transaction.
// Values are encoded by the drizzle columns themselves (table-rows.ts), as drizzle would send them.
import type postgres from "postgres";
import type { Store } from "../db/client.ts";
import type { BudgetRef } from "../policy/budget.ts";
import type { Committed, SpendEntry } from "./ledger.ts";
import { rollupRows } from "./rollups.ts";
import { type Row, tableRows } from "./table-rows.ts";

export type PgTx = postgres.TransactionSql;

// Postgres allows 65,535 bind parameters per statement; spend_logs has 20 columns, daily_spend 13.
const ROWS_PER_STATEMENT = 512;
// Statements are prepared (and their text kept) only up to a row count: every connection keeps each
// prepared statement, so one per possible batch size would pile up on both sides. Log inserts are
// padded to powers of two (7 statements up to 64 rows); rollups and end users are a few rows each.
// A larger batch (a commit waits on Postgres while calls keep settling: 100-350 rows under load) is
// inserted 64 rows per statement, the statements sent together: an unprepared statement of hundreds
// of rows was parsed and described by Postgres, and its text built, on every commit.
const PREPARED_MAX_ROWS = 8;
const PREPARED_MAX_LOG_ROWS = 64;

/** A multi-row INSERT for every column of a drizzle table, and the values of its rows. */
function insertFor(table: object, suffix: string, preparedMaxRows = PREPARED_MAX_ROWS) {
  const { head, width, encode } = tableRows(table);
  const texts = new Map<number, string>();
  const build = (rows: number): string => {
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) tuples.push(`(${Array.from({ length: width }, (_, i) => `$${r * width + i + 1}`).join(", ")})`);
    return `${head}${tuples.join(", ")} ${suffix}`;
  };
  const prepared = (rows: number) => rows <= preparedMaxRows;
  const textFor = (rows: number): string => {
    if (!prepared(rows)) return build(rows);
    let text = texts.get(rows);
    if (!text) texts.set(rows, (text = build(rows)));
    return text;
  };
  const values = (rows: readonly Row[]): unknown[] => {
    const out: unknown[] = [];
    for (const row of rows) encode(row, out);
    return out;
  };
  return { textFor, values, prepared };
}

const ADD_SUMS = (table: string) =>
  ["spend_nano", "prompt_tokens", "completion_tokens", "requests", "successful_requests", "failed_requests"]
    .map((c) => `"${c}" = "${table}"."${c}" + excluded."${c}"`)
    .join(", ");

const INCREMENT: Record<Exclude<BudgetRef["scope"], "end_user" | "team_member">, string> = {
  key: `update "keys" set "spend_nano" = "spend_nano" + $1 where "token" = $2 returning "spend_nano"`,
  user: `update "users" set "spend_nano" = "spend_nano" + $1 where "user_id" = $2 returning "spend_nano"`,
  team: `update "teams" set "spend_nano" = "spend_nano" + $1 where "team_id" = $2 returning "spend_nano"`,
};
const INCREMENT_MEMBER = `update "team_members" set "spend_nano" = "spend_nano" + $1 where "team_id" = $2 and "user_id" = $3 returning "spend_nano"`;

export function createPgSpendWriter(pg: postgres.Sql, t: Store["t"]) {
  const log = insertFor(t.spendLogs, `on conflict ("request_id") do nothing returning "request_id"`, PREPARED_MAX_LOG_ROWS);
  const daily = insertFor(t.dailySpend, `on conflict ("day", "team_id", "api_key", "model", "user_id", "model_group", "provider") do update set ${ADD_SUMS("daily_spend")}`);
  const endUserDaily = insertFor(t.dailyEndUserSpend, `on conflict ("day", "end_user", "model_group") do update set ${ADD_SUMS("daily_end_user_spend")}`);
  // End users are created on first use, even by a free call.
  const endUser = insertFor(t.endUsers, `on conflict ("user_id") do update set "spend_nano" = "end_users"."spend_nano" + excluded."spend_nano" returning "spend_nano"`);

  const run = (tx: PgTx, text: string, params: unknown[], prepare = true) => tx.unsafe(text, params as never[], { prepare });
  const runRows = (tx: PgTx, statement: ReturnType<typeof insertFor>, rows: readonly Row[]) =>
    run(tx, statement.textFor(rows.length), statement.values(rows), statement.prepared(rows.length));

  const upsertAll = async (tx: PgTx, statement: ReturnType<typeof insertFor>, rows: readonly Row[]) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) await runRows(tx, statement, rows.slice(i, i + ROWS_PER_STATEMENT));
  };

  // Log rows are padded to a power of two with copies of the last row (DO NOTHING skips a copy as
  // a conflict, and RETURNING names each inserted row once), so batch sizes need few statements.
  const insertLogs = async (tx: PgTx, rows: Row[]) => {
    let size = 1;
    while (size < rows.length) size *= 2;
    while (rows.length < size) rows.push(rows[rows.length - 1]!);
    return runRows(tx, log, rows);
  };

  const increment = async (tx: PgTx, ref: BudgetRef, addedNano: number): Promise<number | undefined> => {
    let rows: Row[];
    switch (ref.scope) {
      case "team_member": {
        const i = ref.id.indexOf("\u0000");
        rows = await run(tx, INCREMENT_MEMBER, [addedNano, ref.id.slice(0, i), ref.id.slice(i + 1)]);
        break;
      }
      case "end_user":
        rows = await runRows(tx, endUser, [{ userId: ref.id, spendNano: addedNano }]);
        break;
      default:
        rows = await run(tx, INCREMENT[ref.scope], [addedNano, ref.id]);
    }
    const spend = rows[0]?.spend_nano;
    return spend === undefined || spend === null ? undefined : Number(spend);
  };

  /** Writes a batch in one transaction; returns what it added to each row. */
  return (
    entries: readonly SpendEntry[],
    sumByTarget: (e: readonly SpendEntry[]) => { ref: BudgetRef; addedNano: number }[],
    inTransaction?: (tx: PgTx, inserted: ReadonlySet<string>) => Promise<void>,
  ): Promise<Committed[]> =>
    pg.begin(async (tx) => {
      const inserted = new Set<string>();
      const parts: Promise<Row[]>[] = [];
      for (let i = 0; i < entries.length; i += PREPARED_MAX_LOG_ROWS) {
        parts.push(insertLogs(tx, entries.slice(i, i + PREPARED_MAX_LOG_ROWS).map((e) => e.log as Row)));
      }
      for (const rows of await Promise.all(parts)) for (const r of rows) inserted.add(r.request_id as string);
      const logs = entries.filter((e) => inserted.has(e.log.requestId)).map((e) => e.log);
      const rollups = rollupRows(logs);
      await upsertAll(tx, daily, rollups.daily as Row[]);
      await upsertAll(tx, endUserDaily, rollups.endUser as Row[]);
      const out: Committed[] = [];
      for (const { ref, addedNano } of sumByTarget(entries.filter((e) => inserted.has(e.log.requestId)))) {
        out.push({ ref, addedNano, spendNano: await increment(tx, ref, addedNano) });
      }
      await inTransaction?.(tx, inserted);
      return out;
    }) as Promise<Committed[]>;
}
