// Checks every limit of a request at once and returns a decision value. All counters change in one
// synchronous step after all checks pass, so a refusal on one limit never consumes another.
import {
  type Limit,
  type LimitReading,
  rateLimitHeaders,
  refusalHeaders,
  retryAfterSeconds,
} from "../policy/rate-limit.ts";
import { MemoryPool, type TokenPool } from "./pool.ts";

export type Decision =
  | {
      readonly ok: true;
      readonly headers: Record<string, string>;
      /** Settles the token estimate with real usage and frees the in-flight slot; idempotent. */
      release(actualTokens?: number): void;
    }
  | { readonly ok: false; readonly limit: Limit; readonly retryAfterS: number; readonly resetAtMs: number; readonly headers: Record<string, string> };

export type PoolFactory = (bucketKey: string, capacity: number, nowMs: number) => TokenPool;

export const memoryPools: PoolFactory = (_key, capacity, nowMs) => new MemoryPool(capacity, nowMs);

const MAX_TOP_UPS = 8;

const costOf = (limit: Limit, estimatedTokens: number) => (limit.kind === "requests" ? 1 : estimatedTokens);

export class Limiter {
  private readonly pools = new Map<string, TokenPool>();
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly newPool: PoolFactory = memoryPools) {}

  private pool(limit: Limit, nowMs: number): TokenPool {
    let p = this.pools.get(limit.bucketKey);
    if (!p) {
      p = this.newPool(limit.bucketKey, limit.limit, nowMs);
      this.pools.set(limit.bucketKey, p);
    }
    return p;
  }

  private firstMiss(limits: readonly Limit[], estimatedTokens: number, nowMs: number): Limit | undefined {
    for (const limit of limits) {
      if (limit.kind === "max_parallel_requests") {
        if ((this.inFlight.get(limit.bucketKey) ?? 0) >= limit.limit) return limit;
      } else if (!this.pool(limit, nowMs).fits(costOf(limit, estimatedTokens), limit.limit, nowMs)) {
        return limit;
      }
    }
    return undefined;
  }

  /**
   * Memory pools answer without waiting. A shared pool that runs short is topped up once from the
   * database before the check is repeated; that is the only time a request waits on it.
   */
  async check(limits: readonly Limit[], estimatedTokens: number, nowMs: number): Promise<Decision> {
    if (limits.length === 0) return { ok: true, headers: {}, release: () => {} };
    let miss = this.firstMiss(limits, estimatedTokens, nowMs);
    // Concurrent requests race for freshly leased tokens, so a top-up can be spent by another
    // request before this one re-checks: retry while the shared bucket still has tokens.
    for (let attempt = 0; miss && miss.kind !== "max_parallel_requests" && attempt < MAX_TOP_UPS; attempt++) {
      const short = limits.filter(
        (l) => l.kind !== "max_parallel_requests" && !this.pool(l, nowMs).fits(costOf(l, estimatedTokens), l.limit, nowMs),
      );
      const topUps = short.map((l) => this.pool(l, nowMs).topUp?.(costOf(l, estimatedTokens), nowMs));
      if (topUps.every((t) => t === undefined)) break;
      const more = await Promise.all(topUps);
      miss = this.firstMiss(limits, estimatedTokens, nowMs);
      if (more.some((m) => m === false)) break;
    }
    if (miss) return this.refuse(miss, limits, estimatedTokens, nowMs);
    return this.admit(limits, estimatedTokens, nowMs);
  }

  private readings(limits: readonly Limit[], nowMs: number): LimitReading[] {
    const out: LimitReading[] = [];
    for (const limit of limits) if (limit.kind !== "max_parallel_requests") out.push({ limit, remaining: this.pool(limit, nowMs).remaining(nowMs) });
    return out;
  }

  private refuse(miss: Limit, limits: readonly Limit[], estimatedTokens: number, nowMs: number): Decision {
    const waitMs =
      miss.kind === "max_parallel_requests" ? 0 : this.pool(miss, nowMs).retryAfterMs(costOf(miss, estimatedTokens), nowMs);
    const retryAfterS = retryAfterSeconds(miss, waitMs);
    const resetAtMs = nowMs + retryAfterS * 1000;
    const readings = this.readings(limits, nowMs).map((r) => (r.limit === miss ? { ...r, remaining: 0 } : r));
    return { ok: false, limit: miss, retryAfterS, resetAtMs, headers: refusalHeaders(miss, resetAtMs, readings) };
  }

  private admit(limits: readonly Limit[], estimatedTokens: number, nowMs: number): Decision {
    // Made only when some limit needs them: most calls have neither an in-flight cap nor a token limit.
    let tokenPools: TokenPool[] | undefined;
    let slots: string[] | undefined;
    for (const limit of limits) {
      if (limit.kind === "max_parallel_requests") {
        this.inFlight.set(limit.bucketKey, (this.inFlight.get(limit.bucketKey) ?? 0) + 1);
        (slots ??= []).push(limit.bucketKey);
        continue;
      }
      const pool = this.pool(limit, nowMs);
      pool.take(costOf(limit, estimatedTokens), nowMs);
      if (limit.kind === "tokens") (tokenPools ??= []).push(pool);
    }
    const headers = rateLimitHeaders(this.readings(limits, nowMs));
    let released = false;
    return {
      ok: true,
      headers,
      release: (actualTokens?: number) => {
        if (released) return;
        released = true;
        for (const key of slots ?? []) {
          const n = (this.inFlight.get(key) ?? 1) - 1;
          if (n <= 0) this.inFlight.delete(key);
          else this.inFlight.set(key, n);
        }
        if (actualTokens !== undefined && actualTokens !== estimatedTokens) {
          for (const pool of tokenPools ?? []) pool.take(actualTokens - estimatedTokens, nowMs);
        }
      },
    };
  }

  /** Calls in flight for a max_parallel_requests bucket (for tests and metrics). */
  inFlightOf(bucketKey: string): number {
    return this.inFlight.get(bucketKey) ?? 0;
  }
}
