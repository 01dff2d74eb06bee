// Compile-time guard: both dialect schemas must infer the same row types, because the store's
// query code is written once against the Postgres types and the SQLite handle is cast to them.
import type * as pg from "./pg.ts";
import type * as sq from "./sqlite.ts";

type Eq<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Same<K extends keyof typeof pg & keyof typeof sq> = Eq<(typeof pg)[K]["$inferSelect"], (typeof sq)[K]["$inferSelect"]> extends true
  ? Eq<(typeof pg)[K]["$inferInsert"], (typeof sq)[K]["$inferInsert"]>
  : false;
type Tables = "settings" | "users" | "teams" | "teamMembers" | "keys" | "keyGraceTokens" | "endUsers" | "spendLogs" | "models" | "rateLimitBuckets"
  | "budgets" | "dailySpend" | "dailyEndUserSpend" | "auditLogs" | "deletedKeys";
type AllSame = { [K in Tables]: Same<K> }[Tables];
type NoExtra = Exclude<keyof typeof pg, Tables> | Exclude<keyof typeof sq, Tables>;

export const schemasAgree: AllSame = true;
export const noUncheckedTables: NoExtra extends never ? true : false = true;
