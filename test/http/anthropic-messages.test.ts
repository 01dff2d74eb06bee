// POST /v1/messages with the official Anthropic SDK as a real client, served by an OpenAI-format
// upstream; and the other direction: an OpenAI request to an anthropic/ model reaching the mock
// as a valid Messages API body.
import { afterAll, beforeAll, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { type Gateway, MASTER_KEY, startGateway, spendLogCount, spendLogGrownFrom } from "../support/harness.ts";
import { MOCK_TEXT, MOCK_TOOL_ARGS, MockUpstream, sseData } from "../support/mock-upstream.ts";

let mock: MockUpstream;
let gw: Gateway;

beforeAll(async () => {
  mock = new MockUpstream();
  gw = await startGateway({
    listen: true,
    configYaml: `model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_base: "${mock.url}/v1", api_key: sk-upstream-openai }
  - model_name: claude
    litellm_params: { model: anthropic/claude-sonnet-4-5, api_base: "${mock.url}", api_key: sk-ant-upstream }
`,
  });
});

afterAll(async () => {
  await gw.close();
  await mock.close();
});

const client = () => new Anthropic({ apiKey: MASTER_KEY, baseURL: gw.url, maxRetries: 0 });

test("Anthropic SDK: a message completed by an OpenAI-format upstream", async () => {
  const message = await client().messages.create({
    model: "gpt-4o",
    max_tokens: 64,
    system: "Be brief.",
    messages: [{ role: "user", content: "Say hello" }],
  });
  expect(message.type).toBe("message");
  expect(message.role).toBe("assistant");
  expect(message.content).toEqual([{ type: "text", text: MOCK_TEXT } as Anthropic.TextBlock]);
  expect(message.stop_reason).toBe("end_turn");
  expect(message.usage.input_tokens).toBe(7);
  expect(message.usage.output_tokens).toBe(4);
  const upstream = mock.last();
  expect(upstream.path).toBe("/v1/chat/completions");
  expect(upstream.body.messages).toEqual([{ role: "system", content: "Be brief." }, { role: "user", content: "Say hello" }]);
  expect(upstream.body.max_tokens).toBe(64);
  // The answer's id is the upstream's, and its spend log is found by it (as LiteLLM).
  expect(message.id).toStartWith("chatcmpl-");
  await gw.committed();
  const logs = (await (await gw.request(`/spend/logs?request_id=${message.id}`)).json()) as { request_id: string }[];
  expect(logs.map((l) => l.request_id)).toEqual([message.id]);
});

test("Anthropic SDK: a streamed message, events assembled by the SDK", async () => {
  const stream = client().messages.stream({ model: "gpt-4o", max_tokens: 64, messages: [{ role: "user", content: "Say hello" }] });
  const deltas: string[] = [];
  stream.on("text", (t) => deltas.push(t));
  const message = await stream.finalMessage();
  expect(deltas.join("")).toBe(MOCK_TEXT);
  expect(deltas.length).toBeGreaterThan(1);
  expect(message.content.map((b) => (b.type === "text" ? b.text : b.type))).toEqual([MOCK_TEXT]);
  expect(message.stop_reason).toBe("end_turn");
  expect(message.usage.output_tokens).toBe(4);
  expect(mock.last().body.stream_options).toEqual({ include_usage: true });
  expect(message.id).toStartWith("chatcmpl-");
  await gw.committed();
  const logs = (await (await gw.request(`/spend/logs?request_id=${message.id}`)).json()) as { request_id: string }[];
  expect(logs.map((l) => l.request_id)).toEqual([message.id]);
});

test("Anthropic SDK: tools round-trip through an OpenAI upstream", async () => {
  const message = await client().messages.create({
    model: "gpt-4o",
    max_tokens: 64,
    tools: [{ name: "get_weather", description: "Weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }],
    messages: [{ role: "user", content: "Weather in Paris?" }],
  });
  expect(message.stop_reason).toBe("tool_use");
  const use = message.content.find((b) => b.type === "tool_use") as Anthropic.ToolUseBlock;
  expect(use.name).toBe("get_weather");
  expect(use.input).toEqual(MOCK_TOOL_ARGS);
  expect(mock.last().body.tools[0].function.parameters.properties.city.type).toBe("string");
});

test("an OpenAI request to an anthropic/ model reaches the mock as a valid Messages API body", async () => {
  const res = await gw.request("/v1/chat/completions", {
    method: "POST",
    json: {
      model: "claude",
      temperature: 0.3,
      stop: "END",
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
      tool_choice: "required",
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
        { role: "tool", tool_call_id: "call_1", content: "18C and sunny" },
        { role: "user", content: "Thanks. Anything else?" },
      ],
    },
  });
  expect(res.status).toBe(200);
  const upstream = mock.last();
  expect(upstream.path).toBe("/v1/messages");
  expect(upstream.headers["x-api-key"]).toBe("sk-ant-upstream");
  expect(upstream.headers["anthropic-version"]).toBe("2023-06-01");
  expect(upstream.headers.authorization).toBeUndefined();
  expect(upstream.body).toEqual({
    model: "claude-sonnet-4-5",
    max_tokens: 4096,
    system: "You are terse.",
    temperature: 0.3,
    stop_sequences: ["END"],
    tools: [{ name: "get_weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }],
    tool_choice: { type: "any" },
    messages: [
      { role: "user", content: [{ type: "text", text: "Weather in Paris?" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } }] },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_1", content: "18C and sunny" },
          { type: "text", text: "Thanks. Anything else?" },
        ],
      },
    ],
  });
});

test("an OpenAI parameter Anthropic cannot take is a 400 naming it, unless drop_params", async () => {
  const res = await gw.request("/v1/chat/completions", {
    method: "POST",
    json: { model: "claude", messages: [{ role: "user", content: "hi" }], logit_bias: { "1": 2 } },
  });
  expect(res.status).toBe(400);
  expect(((await res.json()) as any).error.message).toContain("'logit_bias'");
  const dropped = await gw.request("/v1/chat/completions", {
    method: "POST",
    json: { model: "claude", messages: [{ role: "user", content: "hi" }], logit_bias: { "1": 2 }, drop_params: true },
  });
  expect(dropped.status).toBe(200);
  expect(mock.last().body.logit_bias).toBeUndefined();
});

test("/v1/messages streaming events in Anthropic's order, via a raw request", async () => {
  const res = await gw.request("/v1/messages", {
    method: "POST",
    headers: { "x-api-key": MASTER_KEY },
    key: null,
    json: { model: "claude", max_tokens: 20, stream: true, messages: [{ role: "user", content: "hi" }] },
  });
  expect(res.status).toBe(200);
  const types = (sseData(await res.text()) as { type: string }[]).map((e) => e.type);
  expect(types[0]).toBe("message_start");
  expect(types.slice(-2)).toEqual(["message_delta", "message_stop"]);
  expect(types).toContain("content_block_start");
  expect(types).toContain("content_block_stop");
});

test("a client that goes away mid-stream on /v1/messages aborts the upstream call", async () => {
  mock.cue({ kind: "gated" });
  const controller = new AbortController();
  const pending = fetch(`${gw.url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": MASTER_KEY, "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model: "gpt-4o", max_tokens: 16, stream: true, messages: [{ role: "user", content: "hi" }] }),
    signal: controller.signal,
  });
  mock.release();
  const res = await pending;
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  await reader.read(); // the first events are out
  const aborted = mock.nextAbort();
  controller.abort();
  // The upstream waits for a release that never comes: only the abort can end it.
  await Promise.race([aborted, Bun.sleep(5000).then(() => Promise.reject(new Error("upstream not aborted within 5 s")))]);
});

test("/v1/messages keeps Anthropic's cache token counts apart from input_tokens, JSON and streamed", async () => {
  const cached = { cache_read_input_tokens: 100, cache_creation_input_tokens: 20 };
  mock.cue({ kind: "anthropic-usage", usage: cached });
  const message = await client().messages.create({ model: "claude", max_tokens: 64, messages: [{ role: "user", content: "Say hello" }] });
  expect(message.usage).toMatchObject({ input_tokens: 7, output_tokens: 4, ...cached });

  mock.cue({ kind: "anthropic-usage", usage: cached });
  const streamed = await client().messages.stream({ model: "claude", max_tokens: 64, messages: [{ role: "user", content: "Say hello" }] }).finalMessage();
  expect(streamed.usage).toMatchObject({ input_tokens: 7, ...cached });

  // An upstream that reports no caching: no cache fields, input_tokens as before.
  const plain = await client().messages.create({ model: "gpt-4o", max_tokens: 64, messages: [{ role: "user", content: "Say hello" }] });
  expect(plain.usage).toEqual({ input_tokens: 7, output_tokens: 4 } as Anthropic.Usage);
});

test("a client gone before the first events of /v1/messages went out: the call is still settled", async () => {
  const before = await spendLogCount(gw);
  mock.cue({ kind: "gated" });
  const controller = new AbortController();
  const sent = mock.received.length;
  const pending = fetch(`${gw.url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": MASTER_KEY, "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model: "gpt-4o", max_tokens: 16, stream: true, messages: [{ role: "user", content: "hi" }] }),
    signal: controller.signal,
  }).catch((e) => e);
  while (mock.received.length === sent) await Bun.sleep(5);
  controller.abort();
  expect(await pending).toBeInstanceOf(Error);
  await Bun.sleep(50);
  const aborted = mock.nextAbort();
  mock.release(); // the first chunk arrives for a client that has left
  await Promise.race([aborted, Bun.sleep(5000).then(() => Promise.reject(new Error("upstream not aborted within 5 s")))]);
  expect(await spendLogGrownFrom(gw, before)).toBe(before + 1);
});
