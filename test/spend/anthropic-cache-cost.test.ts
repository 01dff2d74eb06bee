// Anthropic prompt caching priced as Anthropic bills it: cache writes at cache_creation_input_token_cost
// (1.25× input), cache reads at cache_read_input_token_cost (0.1×), the rest at the input price.
// claude-sonnet-4 per token: input 3,000 nano-USD ($3/Mtok), output 15,000, cache write 3,750, cache
// read 300. A real mock Anthropic upstream reports 100 plain input tokens, 1,000 written to the
// cache, 2,000 read from it and 4 output tokens: 100 × 3,000 + 1,000 × 3,750 + 2,000 × 300 +
// 4 × 15,000 = 4,710,000 nano-USD (3,960,000 when the writes were priced as plain input).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { type Gateway, MASTER_KEY, startGateway } from "../support/harness.ts";
import { MockUpstream } from "../support/mock-upstream.ts";

const CACHE_USAGE = { input_tokens: 100, cache_creation_input_tokens: 1_000, cache_read_input_tokens: 2_000 };
const CALL_NANO = 100 * 3_000 + 1_000 * 3_750 + 2_000 * 300 + 4 * 15_000;
const AS_PLAIN_INPUT_NANO = 100 * 3_000 + 1_000 * 3_000 + 2_000 * 300 + 4 * 15_000;

let mock: MockUpstream;
let gw: Gateway;

beforeAll(async () => {
  mock = new MockUpstream();
  gw = await startGateway({
    configYaml: `model_list:
  - model_name: claude
    litellm_params: { model: anthropic/claude-sonnet-4, api_base: "${mock.url}", api_key: sk-ant-upstream }
`,
  });
});

afterAll(async () => {
  await gw.close();
  await mock.close();
});

const chat = (extra: Record<string, unknown> = {}) =>
  gw.request("/v1/chat/completions", { method: "POST", key: MASTER_KEY, json: { model: "claude", messages: [{ role: "user", content: "hi" }], ...extra } });
const logOf = async (requestId: string) => (await gw.committed(), await gw.store.db.select().from(gw.store.t.spendLogs).where(eq(gw.store.t.spendLogs.requestId, requestId)))[0];

test("a call that writes and reads Anthropic's prompt cache costs the exact nano-USD figure", async () => {
  expect(CALL_NANO).toBe(4_710_000);
  expect(AS_PLAIN_INPUT_NANO).toBe(3_960_000);
  mock.cue({ kind: "anthropic-usage", usage: CACHE_USAGE });
  const res = await chat();
  expect(res.status).toBe(200);
  const body = (await res.json()) as any;
  // OpenAI's shape counts cached and written tokens in prompt_tokens; LiteLLM's extra fields say which.
  expect(body.usage).toEqual({
    prompt_tokens: 3_100,
    completion_tokens: 4,
    total_tokens: 3_104,
    prompt_tokens_details: { cached_tokens: 2_000 },
    cache_read_input_tokens: 2_000,
    cache_creation_input_tokens: 1_000,
  });
  expect(res.headers.get("x-litellm-response-cost")).toBe(String(CALL_NANO / 1e9));
  const log = await logOf(res.headers.get("x-litellm-call-id")!);
  expect(log).toMatchObject({ spendNano: CALL_NANO, promptTokens: 3_100, completionTokens: 4 });
});

test("streamed: the cache counts from message_start are priced the same", async () => {
  mock.cue({ kind: "anthropic-usage", usage: CACHE_USAGE });
  const res = await chat({ stream: true, stream_options: { include_usage: true } });
  expect(res.status).toBe(200);
  const text = await res.text();
  const usage = text
    .split("\n")
    .filter((l) => l.startsWith("data: {"))
    .map((l) => JSON.parse(l.slice(6)))
    .find((c) => c.usage)?.usage;
  expect(usage).toMatchObject({ prompt_tokens: 3_100, completion_tokens: 4, cache_creation_input_tokens: 1_000, cache_read_input_tokens: 2_000 });
  expect((await logOf(res.headers.get("x-litellm-call-id")!))!.spendNano).toBe(CALL_NANO);
});

test("without cache counts the usage stays OpenAI's plain shape", async () => {
  const res = await chat();
  const body = (await res.json()) as any;
  expect(body.usage).toEqual({ prompt_tokens: 7, completion_tokens: 4, total_tokens: 11 });
  expect(res.headers.get("x-litellm-response-cost")).toBe(String((7 * 3_000 + 4 * 15_000) / 1e9));
});
