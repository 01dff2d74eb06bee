// /global/spend/report?group_by=team|customer (LiteLLM's shapes, contract §1.10), written as JSON
// bytes in one pass over rollup rows that arrive sorted by day, then team or customer: one
// `{"group_by_day": ...}` object per day, in a buffer of its own, which src/spend/spend-report.ts
// joins into the array (and keeps, per day, while the day's rollups are unchanged). Over a quarter of traffic these are tens
// of MB: building one object per entry and JSON.stringify-ing them cost several times the query
// (bench/spend-report.ts). Pure: rows in, bytes out.
import type { CustomerReportRow, TeamReportRow } from "../db/store/spend.ts";
import { JsonBytes, jsonLiteral as lit } from "../json-bytes.ts";

const COMMA = lit(",");
const CLOSE_LIST_OBJECT = lit("]}");
const END_OBJECT = lit("}");
const DAY = lit('{"group_by_day":');
const TOTAL_SPEND = lit(',"total_spend":');
const METADATA = lit(',"metadata":[');
const MODEL = lit('{"model":');
const SPEND = lit(',"spend":');
const API_KEY = lit(',"api_key":');
const TOTAL_TOKENS = lit(',"total_tokens":');

const TEAMS = lit(',"teams":[');
const TEAM_NAME = lit('{"team_name":');
const TEAM_ID = lit(',"team_id":');
const NULL = lit("null");
const UNASSIGNED = "Unassigned Team";

const CUSTOMERS = lit(',"customers":[');
const CUSTOMER = lit('{"customer":');

/** The team ids a team report names, to look their aliases up ('' is "no team"). */
export function teamIdsOf(rows: readonly TeamReportRow[]): string[] {
  const ids = new Set<string>();
  for (const r of rows) if (r[1] !== "") ids.add(r[1]);
  return [...ids];
}

/** A day of the report and its JSON object. */
export type DayJson = [day: string, json: Uint8Array<ArrayBuffer>];

// Bytes per row a day's buffer starts with: a little over what the benchmark's rows take (a
// 64-character key hash per team entry), so a day is written without growing its buffer.
const TEAM_ROW_BYTES = 150;
const CUSTOMER_ROW_BYTES = 80;

/**
 * `{"group_by_day", "teams": [{"team_name", "team_id", "total_spend", "metadata": [{"model",
 * "spend", "api_key", "total_tokens"}]}]}` per day, one entry per team and key × model. Keys without
 * a team are "Unassigned Team" with team_id null. Rows must be sorted by day, team, key and model;
 * adjacent rows with the same four are summed.
 */
export function teamReportDays(rows: readonly TeamReportRow[], aliases: ReadonlyMap<string, string | null>): DayJson[] {
  const days: DayJson[] = [];
  const n = rows.length;
  let i = 0;
  while (i < n) {
    const day = rows[i]![0];
    const out = new JsonBytes(dayLength(rows, i) * TEAM_ROW_BYTES + 64);
    out.raw(DAY).string(day).raw(TEAMS);
    for (let first = true; i < n && rows[i]![0] === day; first = false) {
      const teamId = rows[i]![1];
      let end = i;
      let totalNano = 0;
      for (; end < n && rows[end]![0] === day && rows[end]![1] === teamId; end++) totalNano += rows[end]![4];
      if (!first) out.raw(COMMA);
      out.raw(TEAM_NAME).string(teamId === "" ? UNASSIGNED : (aliases.get(teamId) ?? teamId));
      out.raw(TEAM_ID);
      if (teamId === "") out.raw(NULL);
      else out.string(teamId);
      out.raw(TOTAL_SPEND).usdFromNano(totalNano).raw(METADATA);
      for (let k = i; k < end; ) {
        const r = rows[k]!;
        let spendNano = r[4];
        let totalTokens = r[5];
        // Adjacent rows of one key × model (different users, model groups or providers) are one entry.
        for (k++; k < end && rows[k]![2] === r[2] && rows[k]![3] === r[3]; k++) {
          spendNano += rows[k]![4];
          totalTokens += rows[k]![5];
        }
        if (r !== rows[i]) out.raw(COMMA);
        out.raw(MODEL).string(r[3]).raw(SPEND).usdFromNano(spendNano).raw(API_KEY).string(r[2]).raw(TOTAL_TOKENS).number(totalTokens).raw(END_OBJECT);
      }
      out.raw(CLOSE_LIST_OBJECT);
      i = end;
    }
    out.raw(CLOSE_LIST_OBJECT);
    days.push([day, out.bytes()]);
  }
  return days;
}

/**
 * `{"group_by_day", "customers": [{"customer", "total_spend", "metadata": [{"model", "spend",
 * "total_tokens"}]}]}` per day, one entry per end user and model group. Rows must be sorted by day,
 * then end user.
 */
export function customerReportDays(rows: readonly CustomerReportRow[]): DayJson[] {
  const days: DayJson[] = [];
  const n = rows.length;
  let i = 0;
  while (i < n) {
    const day = rows[i]![0];
    const out = new JsonBytes(dayLength(rows, i) * CUSTOMER_ROW_BYTES + 64);
    out.raw(DAY).string(day).raw(CUSTOMERS);
    for (let first = true; i < n && rows[i]![0] === day; first = false) {
      const endUser = rows[i]![1];
      let end = i;
      let totalNano = 0;
      for (; end < n && rows[end]![0] === day && rows[end]![1] === endUser; end++) totalNano += rows[end]![3];
      if (!first) out.raw(COMMA);
      out.raw(CUSTOMER).string(endUser).raw(TOTAL_SPEND).usdFromNano(totalNano).raw(METADATA);
      for (let k = i; k < end; k++) {
        const r = rows[k]!;
        if (k > i) out.raw(COMMA);
        out.raw(MODEL).string(r[2]).raw(SPEND).usdFromNano(r[3]).raw(TOTAL_TOKENS).number(r[4]).raw(END_OBJECT);
      }
      out.raw(CLOSE_LIST_OBJECT);
      i = end;
    }
    out.raw(CLOSE_LIST_OBJECT);
    days.push([day, out.bytes()]);
  }
  return days;
}

/** How many rows from `start` are of the same day. */
function dayLength(rows: readonly (readonly unknown[])[], start: number): number {
  let end = start;
  while (end < rows.length && rows[end]![0] === rows[start]![0]) end++;
  return end - start;
}

/** The report: the days' objects as one JSON array. */
export function reportResponse(days: readonly Uint8Array<ArrayBuffer>[]): Response {
  const parts: (Uint8Array<ArrayBuffer> | string)[] = ["["];
  for (const [i, d] of days.entries()) parts.push(...(i > 0 ? [",", d] : [d]));
  parts.push("]");
  // A Blob of the parts: one copy into the body, where a joined buffer would be copied again.
  return new Response(new Blob(parts), { headers: { "content-type": "application/json" } });
}
