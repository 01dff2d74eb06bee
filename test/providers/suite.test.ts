// One provider suite: the same cases against every adapter, each over a mock upstream that speaks
// that provider's real wire format. Prints the capability matrix it proved.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { errorOf, type Gateway, startGateway } from "../support/harness.ts";
import { MOCK_TEXT, MOCK_TOOL_ARGS, MOCK_USAGE, MockUpstream, sseData } from "../support/mock-upstream.ts";

interface ProviderCase {
  name: string;
  model: string;
  extra?: string;
  /** Where the key must show up upstream. */
  keyHeader: (key: string) => [string, string];
  supports: { tools: boolean; embeddings: boolean; completions: "native" | "chat" | false };
}

const PROVIDERS: ProviderCase[] = [
  { name: "openai", model: "openai/gpt-4o-mini", extra: "/v1", keyHeader: (k) => ["authorization", `Bearer ${k}`], supports: { tools: true, embeddings: true, completions: "native" } },
  { name: "azure", model: "azure/my-gpt4o-deployment", keyHeader: (k) => ["api-key", k], supports: { tools: true, embeddings: true, completions: "native" } },
  { name: "anthropic", model: "anthropic/claude-sonnet-4-5", keyHeader: (k) => ["x-api-key", k], supports: { tools: true, embeddings: false, completions: "chat" } },
  { name: "ollama", model: "ollama/llama3.2", keyHeader: (k) => ["authorization", `Bearer ${k}`], supports: { tools: false, embeddings: true, completions: "native" } },
  { name: "ollama_chat", model: "ollama_chat/llama3.2", keyHeader: (k) => ["authorization", `Bearer ${k}`], supports: { tools: true, embeddings: true, completions: "native" } },
  { name: "gemini", model: "gemini/gemini-2.0-flash", keyHeader: (k) => ["x-goog-api-key", k], supports: { tools: true, embeddings: true, completions: "chat" } },
];

const secretOf = (p: ProviderCase) => `upstream-secret-${p.name}-0123456789`;
const TOOLS = [{ type: "function", function: { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } } }];
const CAPABILITIES = ["chat", "stream", "tools", "embeddings", "completions"] as const;
const proven = new Map<string, Map<(typeof CAPABILITIES)[number], string>>();
const mark = (p: ProviderCase, cap: (typeof CAPABILITIES)[number], value: string) => {
  const row = proven.get(p.name) ?? new Map();
  row.set(cap, value);
  proven.set(p.name, row);
};

let mock: MockUpstream;
let gw: Gateway;

beforeAll(async () => {
  mock = new MockUpstream();
  const entries = PROVIDERS.map((p) => `  - model_name: p-${p.name}
    litellm_params:
      model: ${p.model}
      api_base: ${mock.url}${p.extra ?? ""}
      api_key: ${secretOf(p)}
      api_version: "2024-10-21"`);
  gw = await startGateway({ configYaml: `model_list:\n${entries.join("\n")}\n` });
});

afterAll(async () => {
  await gw.close();
  await mock.close();
  const header = `| provider | ${CAPABILITIES.join(" | ")} |`;
  const rule = `|---|${CAPABILITIES.map(() => "---").join("|")}|`;
  const rows = PROVIDERS.map((p) => `| ${p.name} | ${CAPABILITIES.map((c) => proven.get(p.name)?.get(c) ?? "✗").join(" | ")} |`);
  console.log(`\nCapability matrix (proven by this suite against the mock upstream):\n\n${[header, rule, ...rows].join("\n")}\n`);
});

const chat = (model: string, extra: Record<string, unknown> = {}) =>
  gw.request("/v1/chat/completions", { method: "POST", json: { model, messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Say hello" }], ...extra } });

function contentOf(events: unknown[]): string {
  return events.filter((e): e is any => typeof e === "object").map((e) => e.choices?.[0]?.delta?.content ?? e.choices?.[0]?.text ?? "").join("");
}

describe.each(PROVIDERS)("provider $name", (p) => {
  const model = `p-${p.name}`;

  test("chat: OpenAI response with usage; the key reaches upstream in the provider's header", async () => {
    mock.reset();
    const res = await chat(model, { temperature: 0.2, max_tokens: 50 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0].message).toMatchObject({ role: "assistant", content: MOCK_TEXT });
    expect(body.choices[0].finish_reason).toBe("stop");
    expect(body.usage).toMatchObject({ prompt_tokens: MOCK_USAGE.prompt, completion_tokens: MOCK_USAGE.completion, total_tokens: 11 });
    expect(res.headers.get("x-litellm-model-group")).toBe(model);
    expect(res.headers.get("x-litellm-model-api-base")).toStartWith(mock.url);
    const [name, value] = p.keyHeader(secretOf(p));
    expect(mock.last().headers[name]).toBe(value);
    mark(p, "chat", "✓");
  });

  test("stream: chunks in order, [DONE], usage only when asked for", async () => {
    mock.reset();
    const plain = await chat(model, { stream: true });
    expect(plain.status).toBe(200);
    expect(plain.headers.get("content-type")).toContain("text/event-stream");
    const events = sseData(await plain.text());
    expect(events.at(-1)).toBe("[DONE]");
    expect(contentOf(events)).toBe(MOCK_TEXT);
    expect(events.some((e: any) => e !== "[DONE]" && "usage" in e)).toBe(false);
    expect(events.some((e: any) => e?.choices?.[0]?.finish_reason === "stop")).toBe(true);

    const withUsage = sseData(await (await chat(model, { stream: true, stream_options: { include_usage: true } })).text());
    const last = withUsage.at(-2) as any;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: MOCK_USAGE.prompt, completion_tokens: MOCK_USAGE.completion });
    mark(p, "stream", "✓");
  });

  test("tools: a tool call comes back as OpenAI tool_calls, plain and streamed", async () => {
    mock.reset();
    const res = await chat(model, { tools: TOOLS, tool_choice: "auto" });
    if (!p.supports.tools) {
      expect(res.status).toBe(400);
      expect((await errorOf(res)).message).toContain("tools");
      mark(p, "tools", "—");
      return;
    }
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    const call = body.choices[0].message.tool_calls[0];
    expect(call.type).toBe("function");
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual(MOCK_TOOL_ARGS);
    expect(typeof call.id).toBe("string");
    expect(body.choices[0].finish_reason).toBe("tool_calls");

    const events = sseData(await (await chat(model, { tools: TOOLS, stream: true })).text()) as any[];
    let name = "";
    let args = "";
    for (const e of events) {
      for (const tc of e?.choices?.[0]?.delta?.tool_calls ?? []) {
        name += tc.function?.name ?? "";
        args += tc.function?.arguments ?? "";
      }
    }
    expect(name).toBe("get_weather");
    expect(JSON.parse(args)).toEqual(MOCK_TOOL_ARGS);
    expect(events.some((e) => e?.choices?.[0]?.finish_reason === "tool_calls")).toBe(true);
    mark(p, "tools", "✓");
  });

  test("embeddings: one vector per input, in order", async () => {
    mock.reset();
    const res = await gw.request("/v1/embeddings", { method: "POST", json: { model, input: ["a", "b"] } });
    if (!p.supports.embeddings) {
      expect(res.status).toBe(400);
      expect((await errorOf(res)).message).toContain("does not support embeddings");
      mark(p, "embeddings", "—");
      return;
    }
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.object).toBe("list");
    expect(body.data.map((d: any) => d.index)).toEqual([0, 1]);
    expect(body.data[1].embedding).toEqual([1, 0.5, -0.5]);
    mark(p, "embeddings", "✓");
  });

  test("completions: text_completion, plain and streamed", async () => {
    mock.reset();
    const res = await gw.request("/v1/completions", { method: "POST", json: { model, prompt: "Say hello", max_tokens: 20 } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(body.object).toBe("text_completion");
    expect(body.choices[0].text).toBe(MOCK_TEXT);
    expect(body.usage.completion_tokens).toBe(MOCK_USAGE.completion);
    const streamed = await gw.request("/completions", { method: "POST", json: { model, prompt: "Say hello", stream: true, stream_options: { include_usage: true } } });
    const events = sseData(await streamed.text()) as any[];
    expect(contentOf(events)).toBe(MOCK_TEXT);
    expect(events.at(-2).usage.prompt_tokens).toBe(MOCK_USAGE.prompt);
    mark(p, "completions", p.supports.completions === "chat" ? "✓ (via chat)" : "✓");
  });

  test("upstream 429: status and retry-after kept, message names the model group, never the key", async () => {
    mock.reset();
    mock.cue({ kind: "error", status: 429, headers: { "retry-after": "7" } });
    const res = await chat(model);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    const error = await errorOf(res);
    expect(error.message).toContain(`Received Model Group=${model}`);
    expect(error.code).toBe("429");
  });

  test("upstream 401 echoing the key: 401, and the key is not in the message", async () => {
    mock.cue({ kind: "error", status: 401 });
    const res = await chat(model);
    expect(res.status).toBe(401);
    const error = await errorOf(res);
    expect(error.message).toContain("AuthenticationError");
    expect(error.message).not.toContain(secretOf(p));
  });

  test("upstream 500 before the stream starts: a 500 in OpenAI shape", async () => {
    mock.cue({ kind: "error", status: 503 });
    const res = await chat(model, { stream: true });
    expect(res.status).toBe(503);
    expect((await errorOf(res)).message).toContain(model);
  });

  test("mid-stream failure: the chunks so far, then one error event, no [DONE]", async () => {
    mock.cue({ kind: "midstream-error", afterChunks: 3 });
    const res = await chat(model, { stream: true });
    expect(res.status).toBe(200);
    const events = sseData(await res.text()) as any[];
    expect(events).not.toContain("[DONE]");
    const errors = events.filter((e) => e.error);
    expect(errors).toHaveLength(1);
    expect(events.at(-1).error.message).toContain(`Received Model Group=${model}`);
  });
});
