// The official `openai` npm SDK as a real client over a socket, with base URL with and without /v1.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { type Gateway, MASTER_KEY, startGateway } from "../support/harness.ts";
import { MOCK_TEXT, MockUpstream } from "../support/mock-upstream.ts";

let mock: MockUpstream;
let gw: Gateway;

beforeAll(async () => {
  mock = new MockUpstream();
  gw = await startGateway({
    listen: true,
    configYaml: `model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_base: "${mock.url}/v1", api_key: sk-upstream-secret }
  - model_name: text-embedding-3-small
    litellm_params: { model: openai/text-embedding-3-small, api_base: "${mock.url}/v1", api_key: sk-upstream-secret }
`,
  });
});

afterAll(async () => {
  await gw.close();
  await mock.close();
});

describe.each(["", "/v1"])("openai SDK, baseURL = gateway%s", (suffix) => {
  const client = () => new OpenAI({ apiKey: MASTER_KEY, baseURL: `${gw.url}${suffix}`, maxRetries: 0 });

  test("chat completion", async () => {
    const completion = await client().chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "Say hello" }] });
    expect(completion.choices[0]!.message.content).toBe(MOCK_TEXT);
    expect(completion.usage?.total_tokens).toBe(11);
    expect(mock.last().path).toBe("/v1/chat/completions");
    expect(mock.last().body.model).toBe("gpt-4o");
  });

  test("streaming chat completion, with usage on the last chunk", async () => {
    const stream = await client().chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: "Say hello" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(MOCK_TEXT);
    expect(usage?.completion_tokens).toBe(4);
  });

  test("the answer's id finds its spend log, as in LiteLLM's tests (plain and streamed)", async () => {
    const plain = await client().chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "Say hello" }] });
    const stream = await client().chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "Say hello" }], stream: true });
    let streamedId = "";
    for await (const chunk of stream) streamedId ||= chunk.id;
    expect(plain.id).not.toBe(streamedId);
    await gw.committed();
    for (const [id, tokens] of [[plain.id, 11], [streamedId, 11]] as const) {
      const res = await fetch(`${gw.url}/spend/logs?request_id=${id}`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });
      const logs = (await res.json()) as { request_id: string; call_id: string; total_tokens: number }[];
      expect(logs.map((l) => [l.request_id, l.total_tokens])).toEqual([[id, tokens]]);
      expect(logs[0]!.call_id).not.toBe(id);
    }
  });

  test("text completion", async () => {
    const completion = await client().completions.create({ model: "gpt-4o", prompt: "Say hello" });
    expect(completion.choices[0]!.text).toBe(MOCK_TEXT);
  });

  test("embeddings", async () => {
    const res = await client().embeddings.create({ model: "text-embedding-3-small", input: ["a", "b"] });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]!.embedding).toEqual([0, 0.5, -0.5]);
  });

  test("models.list", async () => {
    const ids: string[] = [];
    for await (const model of client().models.list()) ids.push(model.id);
    expect(ids).toEqual(["gpt-4o", "text-embedding-3-small"]);
  });

  test("a bad key is the SDK's AuthenticationError", async () => {
    const bad = new OpenAI({ apiKey: "sk-not-a-real-key", baseURL: `${gw.url}${suffix}`, maxRetries: 0 });
    const err = await bad.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.status).toBe(401);
  });

  test("an upstream 429 is the SDK's RateLimitError", async () => {
    mock.cue({ kind: "error", status: 429, headers: { "retry-after": "3" } });
    const err = await client().chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.headers.get("retry-after")).toBe("3");
    expect(String(err.message)).toContain("Received Model Group=gpt-4o");
    expect(String(err.message)).not.toContain("sk-upstream-secret");
  });
});
