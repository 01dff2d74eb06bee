import { describe, expect, test } from "bun:test";
import { applicableLimits, type RateLimitSubject } from "../../src/policy/rate-limit.ts";
import { Limiter } from "../../src/ratelimit/limiter.ts";
import { rateLimitError } from "../../src/ratelimit/refusal.ts";

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const key = (over: Partial<NonNullable<RateLimitSubject["key"]>> = {}): NonNullable<RateLimitSubject["key"]> => ({
  token: "hash1",
  rpmLimit: null,
  tpmLimit: null,
  maxParallelRequests: null,
  modelRpmLimit: null,
  modelTpmLimit: null,
  ...over,
});

describe("applicableLimits", () => {
  test("no rows, no limits", () => expect(applicableLimits({}, "gpt")).toEqual([]));

  test("every dimension with a row contributes its limits", () => {
    const limits = applicableLimits(
      {
        key: key({ rpmLimit: 2, tpmLimit: 100, maxParallelRequests: 1, modelRpmLimit: { gpt: 5 } }),
        user: { userId: "u1", rpmLimit: 10, tpmLimit: null },
        team: { teamId: "t1", rpmLimit: null, tpmLimit: 1000, modelRpmLimit: { gpt: 7 }, modelTpmLimit: { gpt: 70 } },
        teamMember: { teamId: "t1", userId: "u1", rpmLimit: 3, tpmLimit: null },
        endUser: { userId: "e1", rpmLimit: null, tpmLimit: 50 },
      },
      "gpt",
    );
    expect(limits.map((l) => `${l.descriptor}:${l.value}:${l.kind}=${l.limit}`)).toEqual([
      "api_key:hash1:requests=2",
      "api_key:hash1:tokens=100",
      "api_key:hash1:max_parallel_requests=1",
      "user:u1:requests=10",
      "team:t1:tokens=1000",
      "team_member:t1:u1:requests=3",
      "end_user:e1:tokens=50",
      "model_per_key:hash1:requests=5",
      // the key's own model rpm overrides the team's; the team's model tpm still applies
      "model_per_team:t1:tokens=70",
    ]);
    expect(new Set(limits.map((l) => l.bucketKey)).size).toBe(limits.length);
  });

  test("per-model limits only for the model called", () => {
    expect(applicableLimits({ key: key({ modelRpmLimit: { other: 1 } }) }, "gpt")).toEqual([]);
  });
});

describe("Limiter", () => {
  test("rpm 2 admits 2 and refuses the 3rd with LiteLLM's message and headers", async () => {
    const limiter = new Limiter();
    const limits = applicableLimits({ key: key({ rpmLimit: 2 }) }, "gpt");
    const a = await limiter.check(limits, 10, T0);
    const b = await limiter.check(limits, 10, T0);
    const c = await limiter.check(limits, 10, T0);
    expect(a.ok && a.headers["x-ratelimit-api_key-remaining-requests"]).toBe("1");
    expect(b.ok && b.headers["x-ratelimit-remaining-requests"]).toBe("0");
    expect(b.ok && b.headers["x-ratelimit-api_key-limit-requests"]).toBe("2");
    if (c.ok) throw new Error("third request admitted");
    expect(c.retryAfterS).toBe(30); // rpm 2 refills one request every 30 s
    expect(c.headers.rate_limit_type).toBe("requests");
    expect(c.headers.reset_at).toBe("2025-01-01 12:00:30 UTC");
    const err = rateLimitError(c);
    expect(err.status).toBe(429);
    expect(err.type).toBe("throttling_error");
    expect(err.message).toBe(
      "Rate limit exceeded for api_key: hash1. Limit type: requests. Current limit: 2, Remaining: 0. Limit resets at: 2025-01-01 12:00:30 UTC",
    );
    expect((await limiter.check(limits, 10, T0 + 30_000)).ok).toBe(true);
  });

  test("a refusal on one limit consumes none of the others", async () => {
    const limiter = new Limiter();
    const limits = applicableLimits({ key: key({ rpmLimit: 10 }), user: { userId: "u", rpmLimit: 1, tpmLimit: null } }, "m");
    expect((await limiter.check(limits, 0, T0)).ok).toBe(true);
    for (let i = 0; i < 5; i++) expect((await limiter.check(limits, 0, T0)).ok).toBe(false);
    const keyOnly = applicableLimits({ key: key({ rpmLimit: 10 }) }, "m");
    const d = await limiter.check(keyOnly, 0, T0);
    expect(d.ok && d.headers["x-ratelimit-api_key-remaining-requests"]).toBe("8");
  });

  test("max_parallel_requests 0 refuses; 1 admits one at a time", async () => {
    const limiter = new Limiter();
    const zero = applicableLimits({ key: key({ maxParallelRequests: 0 }) }, "m");
    const z = await limiter.check(zero, 0, T0);
    expect(z.ok).toBe(false);
    if (!z.ok) expect(rateLimitError(z).message).toContain("Limit type: max_parallel_requests. Current limit: 0");
    const one = applicableLimits({ key: key({ token: "h2", maxParallelRequests: 1 }) }, "m");
    const first = await limiter.check(one, 0, T0);
    expect(first.ok).toBe(true);
    expect((await limiter.check(one, 0, T0)).ok).toBe(false);
    if (first.ok) {
      first.release();
      first.release(); // idempotent: must not free a slot it does not hold
    }
    const second = await limiter.check(one, 0, T0);
    expect(second.ok).toBe(true);
    expect((await limiter.check(one, 0, T0)).ok).toBe(false);
    expect(limiter.inFlightOf(one[0]!.bucketKey)).toBe(1);
  });

  test("tpm: refuses after reconciled usage crosses the limit; retry-after until enough refill", async () => {
    const limiter = new Limiter();
    const limits = applicableLimits({ key: key({ tpmLimit: 600 }) }, "m");
    const a = await limiter.check(limits, 50, T0);
    if (!a.ok) throw new Error("refused");
    a.release(500);
    const b = await limiter.check(limits, 50, T0);
    if (!b.ok) throw new Error("refused");
    expect(b.headers["x-ratelimit-api_key-remaining-tokens"]).toBe("50");
    b.release(200); // 700 used of 600: over by less than one request
    const c = await limiter.check(limits, 50, T0);
    if (c.ok) throw new Error("admitted over the limit");
    // 100 tokens of debt + 50 needed = 150 tokens at 10 tokens/s
    expect(c.retryAfterS).toBe(15);
    expect(c.headers.rate_limit_type).toBe("tokens");
    expect((await limiter.check(limits, 50, T0 + 15_000)).ok).toBe(true);
  });

  test("a raised limit applies to the next request", async () => {
    const limiter = new Limiter();
    const at2 = applicableLimits({ key: key({ rpmLimit: 2 }) }, "m");
    await limiter.check(at2, 0, T0);
    await limiter.check(at2, 0, T0);
    expect((await limiter.check(at2, 0, T0)).ok).toBe(false);
    const at5 = applicableLimits({ key: key({ rpmLimit: 5 }) }, "m");
    const d = await limiter.check(at5, 0, T0);
    expect(d.ok && d.headers["x-ratelimit-api_key-remaining-requests"]).toBe("2");
  });

  test("per-model key limit is reported in LiteLLM's per-model header", async () => {
    const limiter = new Limiter();
    const d = await limiter.check(applicableLimits({ key: key({ modelTpmLimit: { gpt: 100 } }) }, "gpt"), 40, T0);
    expect(d.ok && d.headers["x-litellm-key-remaining-tokens-gpt"]).toBe("60");
  });
});
