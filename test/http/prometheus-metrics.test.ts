// LiteLLM's Prometheus metrics (litellm_settings.callbacks: ["prometheus"]): GET /metrics in the
// text format with LiteLLM's metric and label names, counting real calls through a mock upstream:
// successes with their tokens and spend, an upstream failure, a call a rate limit refused, a
// deployment's state; public unless require_auth_for_metrics_endpoint; 404 when off.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { errorOf, type Gateway, MASTER_KEY, startGateway } from "../support/harness.ts";
import { MockUpstream } from "../support/mock-upstream.ts";
import { MAX_SERIES, Counter } from "../../src/metrics/registry.ts";

let mock: MockUpstream;
let gw: Gateway;

const config = (extra: string) => `model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_base: "${mock.url}/v1", api_key: sk-up }
    model_info: { id: dep-1, input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 }
general_settings:
  master_key: ${MASTER_KEY}
litellm_settings:
  callbacks: ["prometheus", "langfuse"]
${extra}`;

beforeAll(async () => {
  mock = new MockUpstream();
  gw = await startGateway({ configYaml: config("") });
});
afterAll(async () => {
  await gw.close();
  await mock.close();
});

const chat = (key: string, user?: string) =>
  gw.request("/v1/chat/completions", { method: "POST", key, json: { model: "gpt-4o", messages: [{ role: "user", content: "hi" }], ...(user ? { user } : {}) } });
const scrape = async (key: string | null = null) => {
  const res = await gw.request("/metrics", { key });
  expect(res.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
  return res.text();
};
/** The value of the one sample of `name` whose labels include all of `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

test("calls are counted per key, team, user, end user and model, with tokens, spend and latency", async () => {
  await gw.request("/team/new", { method: "POST", json: { team_id: "eng", team_alias: "Engineering" } });
  const made = await gw.request("/key/generate", { method: "POST", json: { key_alias: "metrics-key", team_id: "eng", user_id: "ann", rpm_limit: 2 } });
  const { key, token } = (await made.json()) as { key: string; token: string };
  for (let i = 0; i < 2; i++) expect((await chat(key, "customer-7")).status).toBe(200);
  // The rate limit refuses the third: counted as a failure with its status.
  expect((await chat(key, "customer-7")).status).toBe(429);

  const text = await scrape();
  const who = { hashed_api_key: token, api_key_alias: "metrics-key", team: "eng", team_alias: "Engineering", user: "ann", end_user: "customer-7" };
  expect(sample(text, "litellm_proxy_total_requests_metric_total", { ...who, requested_model: "gpt-4o", status_code: "200" })).toBe(2);
  expect(sample(text, "litellm_proxy_total_requests_metric_total", { ...who, status_code: "429" })).toBe(1);
  expect(sample(text, "litellm_proxy_failed_requests_metric_total", { ...who, exception_status: "429", exception_class: "throttling_error" })).toBe(1);
  expect(sample(text, "litellm_requests_metric_total", { ...who, model: "gpt-4o" })).toBe(2);
  // The mock reports 7 prompt and 4 completion tokens per call.
  expect(sample(text, "litellm_input_tokens_metric_total", who)).toBe(14);
  expect(sample(text, "litellm_output_tokens_metric_total", who)).toBe(8);
  expect(sample(text, "litellm_total_tokens_metric_total", who)).toBe(22);
  // 2 × (7 × $0.000001 + 4 × $0.000002) = $0.00003
  expect(sample(text, "litellm_spend_metric_total", who)).toBeCloseTo(0.00003, 12);
  expect(sample(text, "litellm_request_total_latency_metric_count", who)).toBe(3);
  expect(sample(text, "litellm_request_total_latency_metric_bucket", { ...who, le: "+Inf" })).toBe(3);
  expect(text).toContain("# TYPE litellm_request_total_latency_metric histogram");
  expect(text).toContain("# TYPE litellm_spend_metric_total counter");
  expect(sample(text, "litellm_deployment_state", { model_id: "dep-1", litellm_model_name: "gpt-4o", api_provider: "openai" })).toBe(0);
  // Per deployment: the refused call never reached it.
  expect(sample(text, "litellm_deployment_total_requests_total", { model_id: "dep-1", litellm_model_name: "gpt-4o" })).toBe(2);
  expect(sample(text, "litellm_deployment_success_responses_total", { model_id: "dep-1" })).toBe(2);
});

test("the budgets of the keys and teams served: max and what is left", async () => {
  await gw.request("/team/new", { method: "POST", json: { team_id: "fin", team_alias: "Finance", max_budget: 1 } });
  const made = await gw.request("/key/generate", { method: "POST", json: { key_alias: "budgeted", team_id: "fin", max_budget: 0.5 } });
  const { key, token } = (await made.json()) as { key: string; token: string };
  expect((await chat(key)).status).toBe(200);
  const text = await scrape();
  expect(sample(text, "litellm_api_key_max_budget_metric", { hashed_api_key: token, api_key_alias: "budgeted" })).toBe(0.5);
  // One call: 7 × $0.000001 + 4 × $0.000002 = $0.000015 spent.
  expect(sample(text, "litellm_remaining_api_key_budget_metric", { hashed_api_key: token })).toBeCloseTo(0.499985, 9);
  expect(sample(text, "litellm_team_max_budget_metric", { team: "fin", team_alias: "Finance" })).toBe(1);
  expect(sample(text, "litellm_remaining_team_budget_metric", { team: "fin" })).toBeCloseTo(0.999985, 9);
});

test("an upstream failure is counted with its status, and the deployment's state shows it (the only deployment of its group is never cooled down)", async () => {
  mock.cue({ kind: "error", status: 500, message: "boom" });
  const res = await chat(MASTER_KEY);
  expect(res.status).toBe(500);
  const text = await scrape();
  expect(sample(text, "litellm_proxy_failed_requests_metric_total", { hashed_api_key: "master_key", exception_status: "500" })).toBe(1);
  expect(sample(text, "litellm_deployment_state", { model_id: "dep-1" })).toBe(1);
  expect(sample(text, "litellm_deployment_failure_responses_total", { model_id: "dep-1", api_provider: "openai" })).toBe(1);
});

describe("switches", () => {
  test("without prometheus in the callbacks, /metrics is a 404 saying how to turn it on", async () => {
    const off = await startGateway();
    try {
      const res = await off.request("/metrics", { key: null });
      expect(res.status).toBe(404);
      expect((await errorOf(res)).message).toContain('add "prometheus" to litellm_settings.callbacks');
    } finally {
      await off.close();
    }
  });

  test("require_auth_for_metrics_endpoint: a key is needed", async () => {
    const locked = await startGateway({ configYaml: config("  require_auth_for_metrics_endpoint: true\n") });
    try {
      expect((await locked.request("/metrics", { key: null })).status).toBe(401);
      expect((await locked.request("/metrics")).status).toBe(200);
    } finally {
      await locked.close();
    }
  });

  test("label values are escaped as the text format wants", () => {
    const c = new Counter("y_total", "y", ["key_alias"]);
    c.inc(['a "b"\\c\nd'], 2);
    expect(c.lines()).toContain('y_total{key_alias="a \\"b\\"\\\\c\\nd"} 2');
  });

  test("a metric keeps at most MAX_SERIES label sets; the rest add up under 'other'", () => {
    const c = new Counter("x_total", "x", ["end_user"]);
    for (let i = 0; i < MAX_SERIES + 5; i++) c.inc([`u${i}`]);
    const lines = c.lines().filter((l) => l.startsWith("x_total{"));
    expect(lines).toHaveLength(MAX_SERIES + 1);
    expect(lines).toContain('x_total{end_user="other"} 5');
  });
});
