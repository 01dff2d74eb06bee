// Rate limits over HTTP, through /key/generate and /key/update, with mock_response (no upstream).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { errorOf, freshPostgresUrl, type Gateway, PG_URL, startGateway } from "../support/harness.ts";

const CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-upstream-unused }
`;

const chat = (g: Gateway, key: string, extra: Record<string, unknown> = {}) =>
  g.request("/v1/chat/completions", {
    method: "POST",
    key,
    json: { model: "gpt-4o", messages: [{ role: "user", content: "hi" }], mock_response: "hello there", ...extra },
  });

async function newKey(g: Gateway, limits: Record<string, unknown>): Promise<string> {
  const res = await g.request("/key/generate", { method: "POST", json: limits });
  expect(res.status).toBe(200);
  return ((await res.json()) as { key: string }).key;
}

describe("rate limits over HTTP", () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway({ configYaml: CONFIG });
  });
  afterAll(() => g.close());

  test("rpm 2 admits 2 and refuses the 3rd with LiteLLM's 429 and headers", async () => {
    const key = await newKey(g, { rpm_limit: 2 });
    const a = await chat(g, key);
    const b = await chat(g, key);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.headers.get("x-ratelimit-api_key-remaining-requests")).toBe("1");
    expect(b.headers.get("x-ratelimit-api_key-remaining-requests")).toBe("0");
    expect(b.headers.get("x-ratelimit-api_key-limit-requests")).toBe("2");
    expect(b.headers.get("x-ratelimit-limit-requests")).toBe("2");
    const c = await chat(g, key);
    expect(c.status).toBe(429);
    const retryAfterS = Number(c.headers.get("retry-after"));
    expect(retryAfterS).toBeGreaterThanOrEqual(29);
    expect(retryAfterS).toBeLessThanOrEqual(30);
    expect(c.headers.get("rate_limit_type")).toBe("requests");
    expect(c.headers.get("reset_at")).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(c.headers.get("x-ratelimit-api_key-remaining-requests")).toBe("0");
    const err = await errorOf(c);
    expect(err.type).toBe("throttling_error");
    expect(err.code).toBe("429");
    expect(err.message).toMatch(/^Rate limit exceeded for api_key: [0-9a-f]{64}\. Limit type: requests\. Current limit: 2, Remaining: 0\. Limit resets at: /);
  });

  test("max_parallel_requests 0 refuses every call", async () => {
    const key = await newKey(g, { max_parallel_requests: 0 });
    const res = await chat(g, key);
    expect(res.status).toBe(429);
    expect((await errorOf(res)).message).toContain("Limit type: max_parallel_requests. Current limit: 0");
  });

  test("max_parallel_requests 1 admits one call at a time", async () => {
    const key = await newKey(g, { max_parallel_requests: 1 });
    const open = await chat(g, key, { stream: true }); // holds its slot until the stream ends
    expect(open.status).toBe(200);
    expect((await chat(g, key)).status).toBe(429);
    await open.text();
    expect((await chat(g, key)).status).toBe(200);
    expect((await chat(g, key)).status).toBe(200);
  });

  test("tpm refuses once the reconciled usage crosses the limit", async () => {
    // mock_response reports 30 total tokens per call; the estimate (prompt + max_tokens) is smaller.
    const key = await newKey(g, { tpm_limit: 50 });
    const a = await chat(g, key, { max_tokens: 1 });
    expect(a.status).toBe(200);
    const b = await chat(g, key, { max_tokens: 1 });
    expect(b.status).toBe(200);
    expect(b.headers.get("x-ratelimit-api_key-limit-tokens")).toBe("50");
    const c = await chat(g, key, { max_tokens: 1 });
    expect(c.status).toBe(429);
    expect(c.headers.get("rate_limit_type")).toBe("tokens");
    expect((await errorOf(c)).message).toContain("Limit type: tokens. Current limit: 50");
  });

  test("a limit changed through /key/update applies to the next request", async () => {
    const key = await newKey(g, { rpm_limit: 1 });
    expect((await chat(g, key)).status).toBe(200);
    expect((await chat(g, key)).status).toBe(429);
    const up = await g.request("/key/update", { method: "POST", json: { key, rpm_limit: 3 } });
    expect(up.status).toBe(200);
    const next = await chat(g, key);
    expect(next.status).toBe(200);
    expect(next.headers.get("x-ratelimit-api_key-remaining-requests")).toBe("1");
    const down = await g.request("/key/update", { method: "POST", json: { key, max_parallel_requests: 0 } });
    expect(down.status).toBe(200);
    expect((await chat(g, key)).status).toBe(429);
  });

  test("the master key has no key limits and gets no rate-limit headers", async () => {
    const res = await chat(g, "sk-test-master-0123456789");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-ratelimit-remaining-requests")).toBeNull();
  });
});

describe.skipIf(!PG_URL)("three gateway instances on one Postgres", () => {
  test("admitted requests for a key stay within limit × 1.01; one instance within limit × 1.00", async () => {
    const frozenMs = Date.now(); // no refill during the run, so the bound is exact
    const { url, drop } = await freshPostgresUrl();
    const gws: Gateway[] = [];
    try {
      for (let i = 0; i < 3; i++) gws.push(await startGateway({ configYaml: CONFIG, databaseUrl: url, now: () => frozenMs }));
      const limit = 90;
      const shared = await newKey(gws[0]!, { rpm_limit: limit });
      const burst = async (targets: Gateway[], key: string, perInstance: number) => {
        const res = await Promise.all(targets.flatMap((t) => Array.from({ length: perInstance }, () => chat(t, key))));
        return res.filter((r) => r.status === 200).length;
      };
      const three = await burst(gws, shared, limit);
      const single = await newKey(gws[0]!, { rpm_limit: limit });
      const one = await burst([gws[0]!], single, 3 * limit);
      console.log(`rpm ${limit}, ${3 * limit} concurrent requests over HTTP: three instances admitted ${three}, one instance ${one}`);
      expect(three).toBeLessThanOrEqual(limit * 1.01);
      expect(three).toBeGreaterThanOrEqual(limit * 0.9);
      expect(one).toBeLessThanOrEqual(limit);
      expect(one).toBeGreaterThanOrEqual(limit * 0.9);
    } finally {
      for (const gw of gws) await gw.close();
      await drop();
    }
  }, 30_000);
});
