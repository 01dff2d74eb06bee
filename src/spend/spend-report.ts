// /global/spend/report grouped by team or customer: tens of MB over a quarter, most of it about
// days whose spend no longer changes. Each day's JSON object is kept with the day's stamp: its
// rollup rows and requests (per team, with the team's name, for the team report). A request reads
// the stamps (one scan of the range in SQL, no rows to JavaScript) and rebuilds only the days whose
// stamp moved: today, or a day a late log landed on. Every write to a rollup row adds a request and
// rows are never deleted, so an unchanged stamp is an unchanged day, whichever instance wrote it.
// With nothing kept for the range (a first request) the rows are read once and the stamps taken
// from them.
import type { Store } from "../db/client.ts";
import {
  type CustomerReportRow,
  customerDayStamps,
  customerReportRows,
  type DayRange,
  type ReportDays,
  teamAliases,
  teamDayStamps,
  type TeamDayStamp,
  type TeamReportRow,
  teamReportRows,
} from "../db/store/spend.ts";
import { customerReportDays, type DayJson, reportResponse, teamIdsOf, teamReportDays } from "./report-json.ts";

// Both reports over a quarter of the benchmark's traffic (1M calls, 200 keys, 1,000 customers)
// take 44 MB; past this the least recently used days go.
export const MAX_CACHED_REPORT_BYTES = 64 * 1024 * 1024;

type Json = Uint8Array<ArrayBuffer>;

/** Days' JSON by report and day, valid while the day's stamp is the one it was built at. */
export class ReportDayCache {
  private readonly entries = new Map<string, { stamp: string; json: Json }>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string, stamp: string): Json | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (e.stamp !== stamp) {
      this.bytes -= e.json.buffer.byteLength;
      return undefined;
    }
    this.entries.set(key, e); // most recently used last
    return e.json;
  }

  /** Counts the whole buffer a day's JSON is a view of (a day is written into a buffer of its own). */
  set(key: string, stamp: string, json: Json): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.json.buffer.byteLength;
    }
    if (json.buffer.byteLength > this.maxBytes) return;
    this.entries.set(key, { stamp, json });
    this.bytes += json.buffer.byteLength;
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= e.json.buffer.byteLength;
    }
  }

  /** Whether any day from..to (inclusive) of this report is kept. */
  keepsAnyDay(prefix: string, range: Required<DayRange>): boolean {
    for (const key of this.entries.keys()) {
      if (!key.startsWith(prefix)) continue;
      const day = key.slice(prefix.length);
      if (day >= range.fromDay && day <= range.toDay) return true;
    }
    return false;
  }

  get size(): { days: number; bytes: number } {
    return { days: this.entries.size, bytes: this.bytes };
  }
}

/** Per day, the stamp of the team report: each team's name, rollup rows and requests. */
function teamStamps(stamps: readonly TeamDayStamp[], aliases: ReadonlyMap<string, string | null>): Map<string, string> {
  const byDay = new Map<string, string>();
  for (const [day, teamId, rows, requests] of stamps) {
    byDay.set(day, `${byDay.get(day) ?? ""}${teamId}\u0000${aliases.get(teamId) ?? ""}\u0000${rows}\u0000${requests}\u0001`);
  }
  return byDay;
}

/** The same figures teamDayStamps reads, from the report's own rows (sorted by day and team). */
function teamDayStampsOf(rows: readonly TeamReportRow[]): TeamDayStamp[] {
  const out: TeamDayStamp[] = [];
  let last: TeamDayStamp | undefined;
  for (const r of rows) {
    if (last && last[0] === r[0] && last[1] === r[1]) {
      last[2]++;
      last[3] += r[6];
    } else out.push((last = [r[0], r[1], 1, r[6]]));
  }
  return out;
}

const customerStamp = (rows: number, requests: number) => `${rows}\u0000${requests}`;

/** The same figures customerDayStamps reads, from the report's own rows (sorted by day). */
function customerStampsOf(rows: readonly CustomerReportRow[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < rows.length; ) {
    const day = rows[i]![0];
    let requests = 0;
    let end = i;
    for (; end < rows.length && rows[end]![0] === day; end++) requests += rows[end]![5];
    out.set(day, customerStamp(end - i, requests));
    i = end;
  }
  return out;
}

export class SpendReports {
  readonly cache: ReportDayCache;

  constructor(
    private readonly s: Store,
    maxCachedBytes = MAX_CACHED_REPORT_BYTES,
  ) {
    this.cache = new ReportDayCache(maxCachedBytes);
  }

  async team(range: Required<DayRange>, userId?: string): Promise<Response> {
    const s = this.s;
    if (userId !== undefined) {
      // Per user: not kept (the stamps are per day and team, not per user).
      const rows = await teamReportRows(s, { ...range, userId });
      return reportResponse(teamReportDays(rows, await teamAliases(s, teamIdsOf(rows))).map(([, json]) => json));
    }
    if (!this.cache.keepsAnyDay(TEAM, range)) {
      const rows = await teamReportRows(s, range);
      const aliases = await teamAliases(s, teamIdsOf(rows));
      return this.keep(TEAM, teamStamps(teamDayStampsOf(rows), aliases), teamReportDays(rows, aliases));
    }
    const stamps = await teamDayStamps(s, range);
    // A team's name is in the day's JSON, so it is part of the day's stamp.
    const aliases = await teamAliases(s, [...new Set(stamps.map(([, teamId]) => teamId).filter((id) => id !== ""))]);
    return this.refresh(TEAM, range, teamStamps(stamps, aliases), async (f) => teamReportDays(await teamReportRows(s, f), aliases));
  }

  async customer(range: Required<DayRange>): Promise<Response> {
    const s = this.s;
    if (!this.cache.keepsAnyDay(CUSTOMER, range)) {
      const rows = await customerReportRows(s, range);
      return this.keep(CUSTOMER, customerStampsOf(rows), customerReportDays(rows));
    }
    const stamps = new Map((await customerDayStamps(s, range)).map(([day, rows, requests]) => [day, customerStamp(rows, requests)]));
    return this.refresh(CUSTOMER, range, stamps, async (f) => customerReportDays(await customerReportRows(s, f)));
  }

  /** Keeps days built from rows read together with their stamps, and answers with them. */
  private keep(prefix: string, stamps: ReadonlyMap<string, string>, days: readonly DayJson[]): Response {
    for (const [day, json] of days) this.cache.set(prefix + day, stamps.get(day)!, json);
    return reportResponse(days.map(([, json]) => json));
  }

  /** Answers from the kept days whose stamp is unchanged, rebuilding the others. */
  private async refresh(prefix: string, range: DayRange, stamps: ReadonlyMap<string, string>, build: (f: ReportDays) => Promise<DayJson[]>) {
    const days = new Map<string, Json>();
    const stale: string[] = [];
    for (const [day, stamp] of stamps) {
      const json = this.cache.get(prefix + day, stamp);
      if (json) days.set(day, json);
      else stale.push(day);
    }
    if (stale.length > 0) {
      for (const [day, json] of await build(stale.length === stamps.size ? range : { days: stale })) {
        const stamp = stamps.get(day);
        // A day that got its first rows after the stamps were read waits for the next request. A
        // day written to since is kept under its older stamp, so the next request rebuilds it.
        if (stamp === undefined) continue;
        this.cache.set(prefix + day, stamp, json);
        days.set(day, json);
      }
    }
    return reportResponse([...stamps.keys()].flatMap((day) => days.get(day) ?? []));
  }
}

const TEAM = "team\u0000";
const CUSTOMER = "customer\u0000";
