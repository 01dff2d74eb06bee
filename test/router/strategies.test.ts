// Routing decisions as pure functions: strategies, eligibility, cooldowns, backoff, failure kinds
// and fallback lists. Injected stats, clocks and random sources; no timers.
import { describe, expect, test } from "bun:test";
import type { ModelEntry } from "../../src/config/schema.ts";
import { backoffMs } from "../../src/router/backoff.ts";
import { decideCooldown } from "../../src/router/cooldown.ts";
import { type DeploymentStats, freshStats, recordFailure, recordStart, recordSuccess } from "../../src/router/deployment-stats.ts";
import { eligibleCandidates } from "../../src/router/eligibility.ts";
import { type FailureKind, failureKind } from "../../src/router/failure-kind.ts";
import { type FallbackSettings, fallbackGroups } from "../../src/router/fallbacks.ts";
import { ModelGroups } from "../../src/router/model-groups.ts";
import { latencyBased, leastBusy, type PickContext, simpleShuffle, strategyFor, usageBased } from "../../src/router/strategies.ts";

const NOW = 1_700_000_020_000; // 40 s into a minute
const entry = (id: string, extra: Record<string, unknown> = {}): ModelEntry => ({
  model_name: "g",
  litellm_params: { model: `openai/${id}`, ...extra },
  model_info: { id },
});
const candidatesOf = (...entries: ModelEntry[]) => new ModelGroups(entries).resolve("g")!.candidates;

function ctx(stats: Record<string, Partial<DeploymentStats>>, random = () => 0, stream = false): PickContext {
  return {
    statsOf: (id) => (stats[id] ? { ...freshStats(), minuteStartMs: NOW - (NOW % 60_000), ...stats[id] } : undefined),
    random,
    stream,
    nowMs: NOW,
  };
}
const idOf = (c: { deployment: { id: string } }) => c.deployment.id;

describe("simple-shuffle", () => {
  const byWeight = candidatesOf(entry("a", { weight: 3 }), entry("b", { weight: 1 }));
  const byRpm = candidatesOf(entry("a", { rpm: 100 }), entry("b", { rpm: 300 }));
  test.each([
    [byWeight, 0.74, "a"],
    [byWeight, 0.76, "b"],
    [byRpm, 0.24, "a"],
    [byRpm, 0.26, "b"],
  ])("roll %#", (candidates, roll, expected) => {
    expect(idOf(simpleShuffle(candidates, ctx({}, () => roll)))).toBe(expected);
  });

  test("weight wins over rpm", () => {
    const c = candidatesOf(entry("a", { weight: 1, rpm: 1 }), entry("b", { weight: 0, rpm: 1000 }));
    expect(idOf(simpleShuffle(c, ctx({}, () => 0.99)))).toBe("a");
  });
});

describe("least-busy", () => {
  const c = candidatesOf(entry("a"), entry("b"), entry("c"));
  test("fewest in flight wins", () => {
    expect(idOf(leastBusy(c, ctx({ a: { inFlight: 3 }, b: { inFlight: 1 }, c: { inFlight: 2 } })))).toBe("b");
  });
  test("ties are broken by the random source", () => {
    const stats = { a: { inFlight: 1 }, b: { inFlight: 1 }, c: { inFlight: 5 } };
    expect(idOf(leastBusy(c, ctx(stats, () => 0)))).toBe("a");
    expect(idOf(leastBusy(c, ctx(stats, () => 0.9)))).toBe("b");
  });
});

describe("latency-based-routing", () => {
  const c = candidatesOf(entry("a"), entry("b"));
  test("lowest latency wins; streams go by time to first token", () => {
    const stats = { a: { latencyEwmaMs: 900, ttftEwmaMs: 100 }, b: { latencyEwmaMs: 300, ttftEwmaMs: 250 } };
    expect(idOf(latencyBased(c, ctx(stats)))).toBe("b");
    expect(idOf(latencyBased(c, ctx(stats, () => 0, true)))).toBe("a");
  });
  test("an unmeasured deployment is tried first", () => {
    expect(idOf(latencyBased(c, ctx({ a: { latencyEwmaMs: 10 } })))).toBe("b");
  });
  test("the EWMA follows observed latency", () => {
    const s = freshStats();
    recordStart(s, NOW);
    recordSuccess(s, { nowMs: NOW, latencyMs: 100, tokens: 0 });
    recordStart(s, NOW);
    recordSuccess(s, { nowMs: NOW, latencyMs: 200, tokens: 0 });
    expect(s.latencyEwmaMs).toBeCloseTo(130);
    expect(s.inFlight).toBe(0);
  });
});

describe("usage-based-routing", () => {
  test("most remaining rpm/tpm headroom wins, as a share of the limit", () => {
    const c = candidatesOf(entry("a", { rpm: 10 }), entry("b", { rpm: 100, tpm: 1000 }));
    expect(idOf(usageBased(c, ctx({ a: { requestsThisMinute: 5 }, b: { requestsThisMinute: 10, tokensThisMinute: 800 } })))).toBe("a");
    expect(idOf(usageBased(c, ctx({ a: { requestsThisMinute: 9 }, b: { requestsThisMinute: 10, tokensThisMinute: 100 } })))).toBe("b");
  });
  test("last minute's usage does not count", () => {
    const c = candidatesOf(entry("a", { rpm: 10 }), entry("b", { rpm: 10 }));
    const old = NOW - (NOW % 60_000) - 60_000;
    expect(idOf(usageBased(c, ctx({ a: { requestsThisMinute: 9, minuteStartMs: old }, b: { requestsThisMinute: 1 } })))).toBe("a");
  });
});

test("strategyFor maps LiteLLM's names", () => {
  expect(strategyFor(undefined)).toBe(simpleShuffle);
  expect(strategyFor("least-busy")).toBe(leastBusy);
  expect(strategyFor("latency-based-routing")).toBe(latencyBased);
  expect(strategyFor("usage-based-routing-v2")).toBe(usageBased);
});

describe("eligibility", () => {
  const c = candidatesOf(entry("a", { rpm: 2 }), entry("b"));
  const statsOf = (m: Record<string, Partial<DeploymentStats>>) => (id: string) =>
    m[id] ? { ...freshStats(), minuteStartMs: NOW - (NOW % 60_000), ...m[id] } : undefined;
  test("a deployment at its rpm is skipped until the next minute", () => {
    const e = eligibleCandidates(c, statsOf({ a: { requestsThisMinute: 2 } }), NOW);
    expect(e.ok && e.candidates.map(idOf)).toEqual(["b"]);
  });
  test("cooling-down deployments are skipped; all cooling → retry after the soonest end", () => {
    const e = eligibleCandidates(c, statsOf({ a: { cooldownUntilMs: NOW + 3000 }, b: { cooldownUntilMs: NOW + 1000 } }), NOW);
    expect(e).toEqual({ ok: false, reason: "cooldown", retryAfterS: 1 });
    const later = eligibleCandidates(c, statsOf({ a: { cooldownUntilMs: NOW + 3000 }, b: { cooldownUntilMs: NOW + 1000 } }), NOW + 1000);
    expect(later.ok && later.candidates.map(idOf)).toEqual(["b"]);
  });
  test("tried deployments are left out while another one remains", () => {
    const e = eligibleCandidates(c, statsOf({}), NOW, new Set(["a"]));
    expect(e.ok && e.candidates.map(idOf)).toEqual(["b"]);
    const all = eligibleCandidates(c, statsOf({}), NOW, new Set(["a", "b"]));
    expect(all.ok && all.candidates.map(idOf)).toEqual(["a", "b"]);
  });
  test("all at capacity → retry at the next minute", () => {
    const one = candidatesOf(entry("a", { rpm: 1 }));
    expect(eligibleCandidates(one, statsOf({ a: { requestsThisMinute: 1 } }), NOW)).toEqual({ ok: false, reason: "capacity", retryAfterS: 20 });
  });
});

describe("cooldown", () => {
  const policy = { allowedFails: 2, cooldownS: 5 };
  const base = { policy, groupSize: 2, status: 500, retryAfterS: undefined, nowMs: NOW };
  test.each([
    [{ failuresThisMinute: 2 }, false],
    [{ failuresThisMinute: 3 }, true],
    [{ failuresThisMinute: 9, groupSize: 1 }, false],
    [{ failuresThisMinute: 1, status: 429 }, true],
  ])("%j → cool %p", (over, cool) => {
    expect(decideCooldown({ ...base, ...over }).cool).toBe(cool);
  });
  test("a 429 cools down for its retry-after when longer than cooldown_time", () => {
    expect(decideCooldown({ ...base, status: 429, retryAfterS: 30, failuresThisMinute: 1 })).toMatchObject({ untilMs: NOW + 30_000 });
    expect(decideCooldown({ ...base, status: 429, retryAfterS: 1, failuresThisMinute: 1 })).toMatchObject({ untilMs: NOW + 5_000 });
  });
  test("failures are counted per minute", () => {
    const s = freshStats();
    for (let i = 0; i < 3; i++) {
      recordStart(s, NOW);
      recordFailure(s, { nowMs: NOW, status: 500, message: "x", counts: true });
    }
    expect(s.failuresThisMinute).toBe(3);
    recordStart(s, NOW + 60_000);
    expect(s.failuresThisMinute).toBe(0);
  });
});

describe("backoff", () => {
  test.each([
    [{ retry: 1, sameDeployment: false, retryAfterS: 10 }, 0],
    [{ retry: 1, sameDeployment: true, retryAfterS: 2 }, 2000],
    [{ retry: 1, sameDeployment: true, retryAfterS: undefined }, 500],
    [{ retry: 3, sameDeployment: true, retryAfterS: undefined }, 2000],
    [{ retry: 10, sameDeployment: true, retryAfterS: undefined }, 8000],
    [{ retry: 1, sameDeployment: true, retryAfterS: 3600 }, 60_000],
  ])("%j → %d ms", (input, ms) => expect(backoffMs(input)).toBe(ms));
});

describe("failure kinds", () => {
  test.each([
    [499, "", "client_gone"],
    [500, "boom", "retryable"],
    [429, "slow down", "retryable"],
    [408, "timed out", "retryable"],
    [401, "bad key", "retryable"],
    [400, "This model's maximum context length is 8192 tokens", "context_window"],
    [400, "Your request was rejected by our content management policy", "content_policy"],
    [400, "temperature must be <= 2", "bad_request"],
  ] as [number, string, FailureKind][])("%d %s → %s", (status, message, kind) => expect(failureKind(status, message)).toBe(kind));
});

describe("fallback groups", () => {
  const settings: FallbackSettings = {
    fallbacks: [{ a: ["b", "c"] }, { "*": ["z"] }],
    contextWindow: [{ a: ["a-large"] }],
    contentPolicy: [],
    defaults: ["d"],
  };
  test.each([
    ["a", "retryable", undefined, ["b", "c"]],
    ["other", "retryable", undefined, ["z"]],
    ["a", "context_window", undefined, ["a-large"]],
    ["a", "content_policy", undefined, ["b", "c"]],
    ["a", "bad_request", undefined, []],
    ["a", "retryable", ["mine"], ["mine"]],
  ] as [string, FailureKind, string[] | undefined, string[]][])("%s after %s (client %j) → %j", (group, kind, client, expected) => {
    expect(fallbackGroups(settings, group, kind, client)).toEqual(expected);
  });
  test("default_fallbacks apply when no list names the group", () => {
    expect(fallbackGroups({ ...settings, fallbacks: [] }, "q", "retryable", undefined)).toEqual(["d"]);
  });
});
