// The ledger's commit on bun:sqlite, with statements prepared once. Building each statement with
// the query builder and preparing it again on every batch cost about half the gateway's CPU under
// load (profile, README Performance); these cached statements do the same writes as the Postgres
// writer (pg-writer.ts): insert the log rows (a replayed request id adds nothing), add the inserted rows
// to the daily rollups, then one increment per budget row, all in one synchronous transaction.
import type { Database, Statement } from "bun:sqlite";
import type { Store } from "../db/client.ts";
import type { BudgetRef } from "../policy/budget.ts";
import type { Committed, SpendEntry, SpendLogRow } from "./ledger.ts";
import { rollupRows } from "./rollups.ts";
import { type Row, tableRows } from "./table-rows.ts";

/** An INSERT for every column of a drizzle table, and the encoder that turns a row into its values. */
function insertFor(table: object, suffix: string) {
  const rows = tableRows(table);
  const sqlText = `${rows.head}(${Array.from({ length: rows.width }, () => "?").join(", ")}) ${suffix}`;
  const encode = (row: Row): unknown[] => rows.encode(row, []);
  return { sqlText, encode };
}

const ADD_SUMS = (cols: string[]) => cols.map((c) => `"${c}" = "${c}" + excluded."${c}"`).join(", ");
const SUM_COLUMNS = ["spend_nano", "prompt_tokens", "completion_tokens", "requests", "successful_requests", "failed_requests"];

export function createSqliteSpendWriter(sqlite: Database, t: Store["t"]) {
  // No RETURNING: `changes` says whether the row went in, and RETURNING cost 3-4 µs per row.
  const log = insertFor(t.spendLogs, `on conflict ("request_id") do nothing`);
  const daily = insertFor(t.dailySpend, `on conflict ("day", "api_key", "user_id", "team_id", "model_group", "model", "provider") do update set ${ADD_SUMS(SUM_COLUMNS)}`);
  const endUserDaily = insertFor(t.dailyEndUserSpend, `on conflict ("day", "end_user", "model_group") do update set ${ADD_SUMS(SUM_COLUMNS)}`);
  // End users are created on first use, even by a free call.
  const endUser = insertFor(t.endUsers, `on conflict ("user_id") do update set "spend_nano" = "spend_nano" + excluded."spend_nano" returning "spend_nano" as "spendNano"`);
  const statements = {
    log: sqlite.prepare(log.sqlText),
    daily: sqlite.prepare(daily.sqlText),
    endUserDaily: sqlite.prepare(endUserDaily.sqlText),
    key: sqlite.prepare(`update "keys" set "spend_nano" = "spend_nano" + ? where "token" = ? returning "spend_nano" as "spendNano"`),
    user: sqlite.prepare(`update "users" set "spend_nano" = "spend_nano" + ? where "user_id" = ? returning "spend_nano" as "spendNano"`),
    team: sqlite.prepare(`update "teams" set "spend_nano" = "spend_nano" + ? where "team_id" = ? returning "spend_nano" as "spendNano"`),
    team_member: sqlite.prepare(
      `update "team_members" set "spend_nano" = "spend_nano" + ? where "team_id" = ? and "user_id" = ? returning "spend_nano" as "spendNano"`,
    ),
    end_user: sqlite.prepare(endUser.sqlText),
  } satisfies Record<string, Statement>;

  const increment = (ref: BudgetRef, addedNano: number): number | undefined => {
    let row: { spendNano: number } | null;
    switch (ref.scope) {
      case "team_member": {
        const i = ref.id.indexOf("\u0000");
        row = statements.team_member.get(addedNano, ref.id.slice(0, i), ref.id.slice(i + 1)) as { spendNano: number } | null;
        break;
      }
      case "end_user":
        row = statements.end_user.get(...(endUser.encode({ userId: ref.id, spendNano: addedNano }) as never[])) as { spendNano: number } | null;
        break;
      default:
        row = statements[ref.scope].get(addedNano, ref.id) as { spendNano: number } | null;
    }
    return row?.spendNano;
  };

  /** Writes a batch; returns what it added to each row. Runs synchronously (bun:sqlite transactions). */
  return sqlite.transaction((entries: readonly SpendEntry[], sumByTarget: (e: readonly SpendEntry[]) => { ref: BudgetRef; addedNano: number }[]): Committed[] => {
    const inserted: SpendLogRow[] = [];
    const insertedIds = new Set<string>();
    for (const e of entries) {
      if (statements.log.run(...(log.encode(e.log as Row) as never[])).changes === 1) {
        inserted.push(e.log);
        insertedIds.add(e.log.requestId);
      }
    }
    const rollups = rollupRows(inserted);
    for (const r of rollups.daily) statements.daily.run(...(daily.encode(r as Row) as never[]));
    for (const r of rollups.endUser) statements.endUserDaily.run(...(endUserDaily.encode(r as Row) as never[]));
    return sumByTarget(entries.filter((e) => insertedIds.has(e.log.requestId))).map(({ ref, addedNano }) => ({
      ref,
      addedNano,
      spendNano: increment(ref, addedNano),
    }));
  });
}
