// One bucket shared by every instance on the same Postgres. The bucket's row holds the tokens not yet
// handed out; an instance leases a few with one atomic statement and admits requests from its lease
// in memory. Tokens leave the row before they are spent, so instances together can never admit more
// than the bucket holds: the only overshoot is tpm usage above its estimate, as on one instance.
import type postgres from "postgres";
import { WINDOW_MS } from "./bucket.ts";
import type { PoolFactory } from "./limiter.ts";
import type { TokenPool } from "./pool.ts";

const SLACK = 1e-9;

// Refill, resize (keeping the amount used) and any credit are applied under the row lock; the grant
// is what is left, up to the amount wanted. `greatest(updated_ms, now)` ignores a clock behind the
// row's (another instance's skew), so an interval is never refilled twice.
const LEASE_SQL = `
with cur as (
  select bucket_key, updated_ms,
    least($2::float8, tokens + ($2::float8 - capacity) + $4::float8
      + greatest(0, $5::bigint - updated_ms)::float8 * $2::float8 / ${WINDOW_MS}.0) as t
  from rate_limit_buckets where bucket_key = $1 for update
), g as (select bucket_key, updated_ms, t, greatest(0, least($3::float8, t)) as granted from cur)
update rate_limit_buckets b
   set tokens = g.t - g.granted, capacity = $2::float8, updated_ms = greatest(g.updated_ms, $5::bigint)
  from g where b.bucket_key = g.bucket_key
returning g.granted as granted, b.tokens as left_tokens`;

const CREATE_SQL = `insert into rate_limit_buckets (bucket_key, tokens, capacity, updated_ms)
  values ($1, $2::float8, $2::float8, $3::bigint) on conflict (bucket_key) do nothing`;

export interface LeaseGrant {
  readonly granted: number;
  /** Tokens left in the shared row after the grant. */
  readonly leftTokens: number;
}

/** The database side: one statement per lease. */
export class LeaseBank {
  private readonly created = new Set<string>();
  private readonly pools = new Set<LeasePool>();

  constructor(private readonly sql: postgres.Sql) {}

  async lease(bucketKey: string, capacity: number, wantTokens: number, creditTokens: number, nowMs: number): Promise<LeaseGrant> {
    if (!this.created.has(bucketKey)) {
      await this.sql.unsafe(CREATE_SQL, [bucketKey, capacity, nowMs]);
      this.created.add(bucketKey);
    }
    const rows = await this.sql.unsafe(LEASE_SQL, [bucketKey, capacity, wantTokens, creditTokens, nowMs]);
    const row = rows[0] as { granted: number; left_tokens: number } | undefined;
    if (!row) {
      this.created.delete(bucketKey); // the row was removed underneath us: recreate next time
      return { granted: 0, leftTokens: 0 };
    }
    return { granted: Number(row.granted), leftTokens: Number(row.left_tokens) };
  }

  poolFactory(): PoolFactory {
    return (bucketKey, capacity, nowMs) => {
      const pool = new LeasePool(this, bucketKey, capacity, nowMs);
      this.pools.add(pool);
      return pool;
    };
  }

  /** Gives every unused leased token back (shutdown), so other instances can use them. */
  async returnAll(nowMs: number): Promise<void> {
    await Promise.all([...this.pools].map((p) => p.giveBack(nowMs)));
  }
}

// Leases grow while an instance keeps running out (fewer round trips under load) and shrink when
// idle (fewer tokens stranded on an instance that does not use them).
const MAX_LEASE_FRACTION = 0.02;
const GROW_WITHIN_MS = 1_000;
const SHRINK_AFTER_MS = 10_000;

export class LeasePool implements TokenPool {
  private leased = 0;
  private leaseSize = 1;
  private sharedLeft: number;
  private sharedAtMs: number;
  private lastFetchMs = Number.NEGATIVE_INFINITY;
  private fetching: Promise<void> | undefined;
  private nextFetch: Promise<void> | undefined;
  private pendingDemand = 0;

  constructor(
    private readonly bank: LeaseBank,
    private readonly bucketKey: string,
    private capacity: number,
    nowMs: number,
  ) {
    this.sharedLeft = capacity;
    this.sharedAtMs = nowMs;
  }

  private maxLease() {
    return Math.max(1, Math.ceil(this.capacity * MAX_LEASE_FRACTION));
  }

  fits(cost: number, capacity: number, _nowMs: number): boolean {
    if (capacity !== this.capacity) {
      this.capacity = capacity;
      this.leaseSize = Math.min(this.leaseSize, this.maxLease());
    }
    return this.capacity > 0 && this.leased + SLACK >= Math.min(cost, this.capacity);
  }

  take(cost: number, nowMs: number): void {
    this.leased -= cost;
    // Refill ahead of need, off the request path.
    if (this.leased < this.leaseSize / 2 && !this.fetching) void this.fetch(0, nowMs).catch(() => {});
  }

  private sharedNow(nowMs: number): number {
    const elapsedMs = Math.max(0, nowMs - this.sharedAtMs);
    return Math.min(this.capacity, this.sharedLeft + (elapsedMs * this.capacity) / WINDOW_MS);
  }

  remaining(nowMs: number): number {
    return Math.max(0, this.leased) + this.sharedNow(nowMs);
  }

  retryAfterMs(cost: number, nowMs: number): number {
    if (this.capacity <= 0) return Number.POSITIVE_INFINITY;
    const missing = Math.min(cost, this.capacity) - this.leased - this.sharedNow(nowMs);
    return missing <= 0 ? 0 : (missing * WINDOW_MS) / this.capacity;
  }

  /**
   * Waiters that arrive together share one statement that asks for all of their demand: a burst of
   * N requests costs one round trip, not N, and is not starved by leases of one token at a time.
   */
  async topUp(cost: number, nowMs: number): Promise<boolean> {
    const need = Math.min(cost, this.capacity);
    this.pendingDemand += need;
    if (!this.nextFetch) {
      this.nextFetch = (async () => {
        if (this.fetching) await this.fetching.catch(() => {});
        // Let the rest of this burst register its demand first.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const demand = this.pendingDemand;
        this.pendingDemand = 0;
        this.nextFetch = undefined;
        await this.fetch(demand, nowMs);
      })();
    }
    await this.nextFetch;
    return this.leased + SLACK >= need || this.sharedLeft > SLACK;
  }

  /** Leases enough to hold at least `minLeaseTokens` (and the adaptive lease size); pays any debt. */
  private fetch(minLeaseTokens: number, nowMs: number): Promise<void> {
    const run = async () => {
      const sinceMs = nowMs - this.lastFetchMs;
      if (sinceMs < GROW_WITHIN_MS) this.leaseSize = Math.min(this.maxLease(), this.leaseSize * 2);
      else if (sinceMs > SHRINK_AFTER_MS) this.leaseSize = Math.max(1, Math.floor(this.leaseSize / 2));
      this.lastFetchMs = nowMs;
      // A negative lease (usage above its estimate) is a debt: asking for more pays it.
      const want = Math.max(0, minLeaseTokens + this.leaseSize - this.leased);
      const grant = await this.bank.lease(this.bucketKey, this.capacity, want, 0, nowMs);
      this.leased += grant.granted;
      this.sharedLeft = grant.leftTokens;
      this.sharedAtMs = Math.max(this.sharedAtMs, nowMs);
    };
    const p = run().finally(() => {
      if (this.fetching === p) this.fetching = undefined;
    });
    this.fetching = p;
    return p;
  }

  async giveBack(nowMs: number): Promise<void> {
    if (this.fetching) await this.fetching.catch(() => {});
    if (this.leased === 0) return;
    const credit = this.leased;
    this.leased = 0;
    await this.bank.lease(this.bucketKey, this.capacity, 0, credit, nowMs);
  }
}
