// Budgets shared by every instance on one Postgres, exactly. An instance leases a slice of a
// budget's unreserved remainder with one short transaction and admits calls from that slice in
// memory (budget-book.ts); the database round trip happens per lease, not per call.
//
// Each instance's lease of a budget is a row in rate_limit_buckets (no schema change):
//   bucket_key = budget␁<scope>␁<id>␁<owner>, tokens = nano-USD this instance holds, updated_ms = heartbeat.
// What an instance holds covers its reservations, its settled-but-uncommitted spend and unused
// slack. A commit moves spend from the holder's lease into the budget row's spend in the same
// transaction (ledger.ts inTransaction), so spend + Σ leases never loses or double-counts a call.
//
//   available = max_budget − spend − Σ leases of live instances
//
// A lease is granted in full when it fits. When it does not, the one call whose turn it is may still
// pass if the budget, counting this instance's unused slack, is not yet used up: LiteLLM's "the call
// that crosses the budget succeeds" once across all instances, so the total overshoots the budget by
// less than one call (its estimate), exactly as on one instance.
//
// A killed instance stops its heartbeat; after leaseTtlMs its lease no longer counts, so a crash
// strands budget for at most that long.
import type postgres from "postgres";
import type { PgTx } from "./pg-writer.ts";
import type { BudgetRef } from "../policy/budget.ts";
import type { EndUserDefaultBudget } from "./budget-rows.ts";

export const DEFAULT_LEASE_TTL_MS = 30_000;
const SEP = "\u0001";

// One budget row per scope; team memberships are keyed by (team, user).
const BUDGET_ROW: Record<BudgetRef["scope"], { table: string; where: string; max: string }> = {
  key: { table: "keys", where: "token = $1", max: "max_budget_nano" },
  user: { table: "users", where: "user_id = $1", max: "max_budget_nano" },
  team: { table: "teams", where: "team_id = $1", max: "max_budget_nano" },
  team_member: { table: "team_members", where: "team_id = $1 and user_id = $2", max: "max_budget_in_team_nano" },
  end_user: { table: "end_users", where: "user_id = $1", max: "max_budget_nano" },
};

/** Postgres text cannot hold NUL, which team-member ids use as their separator. */
const idOf = (ref: BudgetRef) => ref.id.replaceAll("\u0000", SEP);
export const leaseKeyOf = (ref: BudgetRef, owner: string) => `budget${SEP}${ref.scope}${SEP}${idOf(ref)}${SEP}${owner}`;
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface LeaseRequest {
  /** The shortfall of the call being admitted: the least that lets it pass. */
  readonly needNano: number;
  /** What to take when the budget has room: the demand of every waiting call plus slack. */
  readonly wantNano: number;
  /** Unused slack this instance already holds, counted as free for the crossing call. */
  readonly freeNano: number;
  /** Slack handed back (a lowered budget, shutdown). */
  readonly creditNano: number;
  /** Keys, users and memberships block at spend == max; teams and end users only above it. */
  readonly blocksAtEqual: boolean;
}

export interface LeaseGrant {
  readonly grantedNano: number;
  /** The budget row's committed spend and limit, read under its lock. */
  readonly spendNano: number;
  readonly maxBudgetNano: number | null;
  /** False when the budget row is gone (deleted key): nothing to lease. */
  readonly found: boolean;
}

export class BudgetLeases {
  /** Lease rows this instance holds, for its heartbeat. */
  private readonly held = new Set<string>();
  private heartbeat: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly sql: postgres.Sql,
    readonly owner: string,
    private readonly now: () => number,
    readonly ttlMs = DEFAULT_LEASE_TTL_MS,
    /** litellm_settings.max_end_user_budget(_id): the limit of an end user without one of its own. */
    private readonly endUserDefault?: EndUserDefaultBudget,
  ) {}

  /**
   * One transaction: lock the budget row (so lease decisions on one budget run one at a time on
   * every instance), then read the live leases in a fresh snapshot and take the grant.
   */
  async lease(ref: BudgetRef, r: LeaseRequest): Promise<LeaseGrant> {
    const row = BUDGET_ROW[ref.scope];
    const ids = ref.scope === "team_member" ? ref.id.split("\u0000", 2) : [ref.id];
    const mine = leaseKeyOf(ref, this.owner);
    const prefix = likeEscape(mine.slice(0, mine.length - this.owner.length)) + "%";
    const nowMs = this.now();
    const result = await this.sql.begin(async (tx) => {
      // An end user without a limit of its own takes the default (a tier's, read under the same lock).
      const fallback = ref.scope === "end_user" ? this.endUserDefault : undefined;
      const max =
        fallback === undefined
          ? row.max
          : typeof fallback === "number"
            ? `coalesce(${row.max}, ${Math.round(fallback)})`
            : `coalesce(${row.max}, (select max_budget_nano from budgets where budget_id = $2))`;
      const params = fallback !== undefined && typeof fallback !== "number" ? [...ids, fallback.budgetId] : ids;
      const budgets = await tx.unsafe(`select spend_nano::float8 as spend, ${max}::float8 as max from ${row.table} where ${row.where} for update`, params);
      const budget = budgets[0] as { spend: number; max: number | null } | undefined;
      if (!budget) return { grantedNano: 0, spendNano: 0, maxBudgetNano: null, found: false };
      // A separate statement after the lock: in READ COMMITTED it sees every lease committed before.
      const [held] = await tx.unsafe(
        `select coalesce(sum(tokens) filter (where bucket_key <> $2 and updated_ms > $3::bigint), 0)::float8 as others,
                coalesce(sum(tokens) filter (where bucket_key = $2), 0)::float8 as mine
           from rate_limit_buckets where bucket_key like $1`,
        [prefix, mine, nowMs - this.ttlMs],
      );
      const { others, mine: mineHeld } = held as unknown as { others: number; mine: number };
      const granted = budget.max === null ? r.wantNano : grantOf(budget.max - budget.spend - others - mineHeld + r.creditNano, r);
      await tx.unsafe(
        `insert into rate_limit_buckets (bucket_key, tokens, capacity, updated_ms) values ($1, $2::float8, 0, $3::bigint)
         on conflict (bucket_key) do update set tokens = excluded.tokens, updated_ms = excluded.updated_ms`,
        [mine, Math.max(0, mineHeld - r.creditNano + granted), nowMs],
      );
      return { grantedNano: granted, spendNano: budget.spend, maxBudgetNano: budget.max, found: true };
    });
    this.held.add(mine);
    this.startHeartbeat();
    return result;
  }

  /**
   * Inside a ledger commit (its transaction): spend committed for a lease holder leaves that
   * holder's lease. `released` maps lease keys (leaseKeyOf) to nano-USD.
   */
  static async release(tx: PgTx, released: ReadonlyMap<string, number>): Promise<void> {
    if (released.size === 0) return;
    await tx.unsafe(
      `update rate_limit_buckets r set tokens = greatest(0, r.tokens - v.nano)
       from unnest($1::text[], $2::float8[]) as v(k, nano) where r.bucket_key = v.k`,
      [[...released.keys()], [...released.values()]] as never[],
      { prepare: true },
    );
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    // Renews every held lease in one statement, well within the TTL.
    this.heartbeat = setInterval(() => {
      const keys = [...this.held];
      void this.sql.unsafe(`update rate_limit_buckets set updated_ms = $2::bigint where bucket_key = any($1::text[])`, [keys, this.now()] as never).catch(() => {});
    }, Math.max(1_000, Math.floor(this.ttlMs / 3)));
    this.heartbeat.unref?.();
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}

/**
 * The grant for a budget with `availableNano` unheld: the full want when it fits, else whatever is
 * left if that covers the call, else the call's shortfall once, if the budget (with this instance's
 * slack) is not used up yet — the crossing call — else nothing.
 */
export function grantOf(availableNano: number, r: LeaseRequest): number {
  if (availableNano >= r.wantNano) return r.wantNano;
  if (availableNano >= r.needNano) return availableNano;
  const free = availableNano + r.freeNano;
  if (r.blocksAtEqual ? free > 0 : free >= 0) return r.needNano;
  return 0;
}
