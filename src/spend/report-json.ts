// /global/spend/report?group_by=team|customer (LiteLLM's shapes, contract §1.10), written as JSON
// bytes in one pass over rollup rows that arrive sorted by day, then team or customer. Over a
// quarter of traffic these are tens of MB: building one object per entry and JSON.stringify-ing
// them cost several times the query (bench/spend-report.ts). Pure: rows in, bytes out.
import type { CustomerReportRow, TeamReportRow } from "../db/store/spend.ts";
import { JsonBytes, jsonLiteral as lit } from "../json-bytes.ts";

const OPEN = lit("[");
const COMMA = lit(",");
const CLOSE = lit("]");
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

/**
 * `[{"group_by_day", "teams": [{"team_name", "team_id", "total_spend", "metadata": [{"model",
 * "spend", "api_key", "total_tokens"}]}]}]`, one entry per day, team and key × model. Keys without
 * a team are "Unassigned Team" with team_id null. Rows must be sorted by day, team, key and model;
 * adjacent rows with the same four are summed.
 */
export function teamReportJson(rows: readonly TeamReportRow[], aliases: ReadonlyMap<string, string | null>): JsonBytes {
  const out = new JsonBytes(rows.length * 150 + 64);
  out.raw(OPEN);
  const n = rows.length;
  let i = 0;
  while (i < n) {
    const day = rows[i]![0];
    if (i > 0) out.raw(COMMA);
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
  }
  return out.raw(CLOSE);
}

/**
 * `[{"group_by_day", "customers": [{"customer", "total_spend", "metadata": [{"model", "spend",
 * "total_tokens"}]}]}]`, one entry per day, end user and model group. Rows must be sorted by day,
 * then end user.
 */
export function customerReportJson(rows: readonly CustomerReportRow[]): JsonBytes {
  const out = new JsonBytes(rows.length * 80 + 64);
  out.raw(OPEN);
  const n = rows.length;
  let i = 0;
  while (i < n) {
    const day = rows[i]![0];
    if (i > 0) out.raw(COMMA);
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
  }
  return out.raw(CLOSE);
}
