// The data plane's decisions, black-box: model access for virtual keys (lists, wildcards,
// aliases, access groups), unknown models, the Azure-style routes, parameter forwarding, response
// headers, /model/info without secrets, mock_response, and the admit/settle seam.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { buildApp } from "../../src/app.ts";
import { keyName, hashKey } from "../../src/auth/key-format.ts";
import { MasterKey } from "../../src/auth/master-key.ts";
import { parseConfig } from "../../src/config/load.ts";
import { insertKey } from "../../src/db/store/keys.ts";
import { createDeps } from "../../src/deps.ts";
import { GatewayError } from "../../src/errors.ts";
import { silentLogger } from "../../src/log.ts";
import { VERSION } from "../../src/version.ts";
import type { CallContext, CallHooks, CallOutcome } from "../../src/proxy/hooks.ts";
import { createTestStore, errorOf, MASTER_KEY } from "../support/harness.ts";
import { MOCK_TEXT, MockUpstream, sseData } from "../support/mock-upstream.ts";

let mock: MockUpstream;
const settled: { ctx: CallContext; outcome: CallOutcome }[] = [];
let refuseNext: GatewayError | undefined;
const hooks: CallHooks = {
  admit: async () => {
    const refusal = refuseNext;
    refuseNext = undefined;
    if (refusal) throw refusal;
    return { headers: { "x-ratelimit-remaining-requests": "41" } };
  },
  settle: async (ctx, outcome) => {
    settled.push({ ctx, outcome });
    return { headers: { "x-litellm-response-cost": "0.000123" } };
  },
};

let app: ReturnType<typeof buildApp>;
let closeAll: () => Promise<void>;
let store: Awaited<ReturnType<typeof createTestStore>>;

const call = (path: string, json: unknown, key = MASTER_KEY, method = "POST") =>
  app.handle(
    new Request(`http://localhost${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: method === "POST" ? JSON.stringify(json) : undefined,
    }),
  );

async function newKey(fields: { models?: string[]; aliases?: Record<string, string> }): Promise<string> {
  const plain = `sk-test-${crypto.randomUUID()}`;
  await insertKey(store, { token: hashKey(plain), keyName: keyName(plain), models: fields.models ?? [], aliases: fields.aliases ?? {} });
  return plain;
}

beforeAll(async () => {
  mock = new MockUpstream();
  store = await createTestStore();
  const { config } = parseConfig(
    `model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_base: "${mock.url}/v1", api_key: sk-upstream-very-secret }
    model_info: { id: gpt-4o-east }
  - model_name: claude
    litellm_params: { model: anthropic/claude-sonnet-4-5, api_base: "${mock.url}", api_key: sk-ant-secret }
  - model_name: beta-model
    litellm_params: { model: openai/beta, api_base: "${mock.url}/v1" }
    model_info: { access_groups: [beta] }
  - model_name: "openai/*"
    litellm_params: { model: "openai/*", api_base: "${mock.url}/v1", api_key: sk-wild-secret }
  - model_name: embedder
    litellm_params: { model: openai/text-embedding-3-small, api_base: "${mock.url}/v1" }
`,
    {},
    "test",
  );
  const deps = createDeps({ config, store, log: silentLogger, masterKey: new MasterKey(hashKey(MASTER_KEY)), callHooks: hooks });
  // Built like test/support/harness.ts does, plus the hooks under test.
  const lifecycle = deps as unknown as { close?: () => Promise<void>; invalidation?: { ready?: Promise<void>; close(): Promise<void> } };
  await lifecycle.invalidation?.ready;
  app = buildApp(deps);
  closeAll = async () => {
    await (lifecycle.close ? lifecycle.close() : lifecycle.invalidation?.close());
    await store.destroy();
    await mock.close();
  };
});

afterAll(() => closeAll());

describe("model access for virtual keys", () => {
  test("a model outside the key's list: 401 key_model_access_denied, param model, nothing sent upstream", async () => {
    const key = await newKey({ models: ["gpt-4o"] });
    const before = mock.received.length;
    const res = await call("/v1/chat/completions", { model: "claude", messages: [{ role: "user", content: "x" }] }, key);
    expect(res.status).toBe(401);
    const error = await errorOf(res);
    expect(error).toMatchObject({ type: "key_model_access_denied", param: "model", code: "401" });
    expect(error.message).toContain("Tried to access claude");
    expect(mock.received.length).toBe(before);
    expect((await call("/v1/chat/completions", { model: "gpt-4o", messages: [{ role: "user", content: "x" }] }, key)).status).toBe(200);
  });

  test("[] and the sentinels allow everything; unknown models are a 400 naming the model", async () => {
    for (const models of [[], ["*"], ["all-proxy-models"]]) {
      const key = await newKey({ models });
      expect((await call("/chat/completions", { model: "claude", messages: [{ role: "user", content: "x" }] }, key)).status).toBe(200);
    }
    const res = await call("/chat/completions", { model: "no-such-model", messages: [] }, await newKey({}));
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toBe(
      "Invalid model name passed in model=no-such-model. Call /v1/models to view available models for your key.",
    );
  });

  test("wildcards: a key's `openai/*` entry and the `openai/*` deployment serve any openai/ name", async () => {
    const key = await newKey({ models: ["openai/*"] });
    const res = await call("/v1/chat/completions", { model: "openai/gpt-4.1-nano", messages: [{ role: "user", content: "x" }] }, key);
    expect(res.status).toBe(200);
    expect(mock.last().body.model).toBe("gpt-4.1-nano");
    expect(res.headers.get("x-litellm-model-group")).toBe("openai/gpt-4.1-nano");
    expect((await call("/v1/chat/completions", { model: "gpt-4o", messages: [] }, key)).status).toBe(401);
  });

  test("key aliases: the alias is served by its target and allowed through it", async () => {
    const key = await newKey({ models: ["gpt-4o"], aliases: { "my-fast-model": "gpt-4o" } });
    const res = await call("/v1/chat/completions", { model: "my-fast-model", messages: [{ role: "user", content: "x" }] }, key);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-litellm-model-group")).toBe("gpt-4o");
    expect(mock.last().body.model).toBe("gpt-4o");
  });

  test("access groups: a key listing a group may use its models, and sees them in /v1/models", async () => {
    const key = await newKey({ models: ["beta"] });
    expect((await call("/v1/chat/completions", { model: "beta-model", messages: [{ role: "user", content: "x" }] }, key)).status).toBe(200);
    expect((await call("/v1/chat/completions", { model: "gpt-4o", messages: [] }, key)).status).toBe(401);
    const listed = (await (await call("/v1/models", undefined, key, "GET")).json()) as any;
    expect(listed.data.map((m: any) => m.id)).toEqual(["beta-model"]);
  });
});

describe("routes and forwarding", () => {
  test("unknown OpenAI params reach the upstream intact; proxy-only fields do not", async () => {
    const res = await call("/v1/chat/completions", {
      model: "gpt-4o",
      messages: [{ role: "user", content: "x" }],
      logprobs: true,
      top_logprobs: 2,
      vendor_extension: { nested: [1, 2] },
      metadata: { tags: ["a"] },
      num_retries: 3,
    });
    expect(res.status).toBe(200);
    const body = mock.last().body;
    expect(body).toMatchObject({ model: "gpt-4o", logprobs: true, top_logprobs: 2, vendor_extension: { nested: [1, 2] } });
    expect(body.metadata).toBeUndefined();
    expect(body.num_retries).toBeUndefined();
  });

  test("a body that needs no change goes upstream as the client's own text; any change is serialised again", async () => {
    const raw = (json: string, key = MASTER_KEY) =>
      app.handle(
        new Request("http://localhost/v1/chat/completions", {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: json,
        }),
      );
    // Spaces and key order that a serialiser would change.
    const asSent = `{ "messages": [ {"role": "user", "content": "caf\\u00e9"} ], "model": "gpt-4o",  "seed": 7 }`;
    expect((await raw(asSent)).status).toBe(200);
    expect(mock.last().text).toBe(asSent);
    const streamed = `{"model": "gpt-4o", "stream": true, "stream_options": {"include_usage": true}, "messages": [{"role": "user", "content": "x"}]}`;
    expect((await raw(streamed)).status).toBe(200);
    expect(mock.last().text).toBe(streamed);

    // A proxy-only field, a stream without include_usage, an alias: the upstream gets the changed body.
    const changed: [string, string | undefined, (body: any) => void][] = [
      [`{"model": "gpt-4o", "metadata": {"a": 1}, "messages": []}`, undefined, (b) => expect(b.metadata).toBeUndefined()],
      [`{"model": "gpt-4o", "stream": true, "messages": []}`, undefined, (b) => expect(b.stream_options).toEqual({ include_usage: true })],
      [`{"model": "gpt-4o", "stream_options": {"include_usage": true}, "messages": []}`, undefined, (b) => expect(b.stream_options).toBeUndefined()],
      [`{"model": "fast", "messages": []}`, await newKey({ aliases: { fast: "openai/gpt-4o-mini" } }), (b) => expect(b.model).toBe("gpt-4o-mini")],
    ];
    for (const [json, key, check] of changed) {
      const res = await raw(json, key);
      if (!json.includes('"stream": true')) expect(res.status).toBe(200);
      else await res.text();
      expect(mock.last().text).not.toBe(json);
      check(mock.last().body);
    }
  });

  test("a body of the wrong shape: 400 naming the field, nothing sent upstream", async () => {
    const before = mock.received.length;
    const cases: [string, unknown, string | null, string][] = [
      ["/v1/chat/completions", [1, 2], null, "must be a JSON object"],
      ["/v1/chat/completions", "hello", null, "must be a JSON object"],
      ["/v1/chat/completions", { model: 5, messages: [] }, "model", "model must be a string"],
      ["/v1/chat/completions", { model: "gpt-4o" }, "messages", "messages must be an array"],
      ["/v1/chat/completions", { model: "gpt-4o", messages: "hi" }, "messages", "messages must be an array"],
      ["/v1/embeddings", { model: ["embedder"], input: "x" }, "model", "model must be a string"],
    ];
    for (const [path, json, param, message] of cases) {
      const res = await call(path, json);
      expect(res.status).toBe(400);
      const err = await errorOf(res);
      expect(err.param).toBe(param);
      expect(err.message).toContain(message);
    }
    expect(mock.received.length).toBe(before);
  });

  test("Azure-style and engines routes take the model from the path", async () => {
    const chat = await call("/openai/deployments/gpt-4o/chat/completions", { messages: [{ role: "user", content: "x" }] });
    expect(chat.status).toBe(200);
    expect(((await chat.json()) as any).choices[0].message.content).toBe(MOCK_TEXT);
    const emb = await call("/engines/embedder/embeddings", { input: "hello" });
    expect(emb.status).toBe(200);
    expect(mock.last().body).toMatchObject({ model: "text-embedding-3-small", input: "hello" });
    const completion = await call("/openai/deployments/gpt-4o/completions", { prompt: "x" });
    expect(((await completion.json()) as any).object).toBe("text_completion");
  });

  test("LiteLLM response headers on every call", async () => {
    const res = await call("/v1/chat/completions", { model: "gpt-4o", messages: [{ role: "user", content: "x" }] });
    expect(res.headers.get("x-litellm-call-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("x-litellm-model-id")).toBe("gpt-4o-east");
    expect(res.headers.get("x-litellm-model-group")).toBe("gpt-4o");
    expect(res.headers.get("x-litellm-model-api-base")).toBe(`${mock.url}/v1`);
    expect(Number(res.headers.get("x-litellm-response-duration-ms"))).toBeGreaterThan(0);
    expect(Number(res.headers.get("x-litellm-overhead-duration-ms"))).toBeGreaterThanOrEqual(0);
    expect(res.headers.get("x-litellm-response-cost")).toBe("0.000123");
    expect(res.headers.get("x-ratelimit-remaining-requests")).toBe("41");
  });

  test("the provider's headers come back as llm_provider-*, and its x-ratelimit-* where the gateway sets none", async () => {
    const provider = {
      "x-request-id": "req_abc123",
      "openai-processing-ms": "12",
      "x-ratelimit-remaining-requests": "9999",
      "x-ratelimit-remaining-tokens": "149000",
      "set-cookie": "__cf_bm=provider-session; path=/",
    };
    for (const stream of [false, true]) {
      mock.cue({ kind: "headers", headers: provider });
      const res = await call("/v1/chat/completions", { model: "gpt-4o", messages: [{ role: "user", content: "x" }], stream });
      expect(res.status).toBe(200);
      await res.text();
      expect(res.headers.get("x-litellm-version")).toBe(VERSION);
      expect(res.headers.get("llm_provider-x-request-id")).toBe("req_abc123");
      expect(res.headers.get("llm_provider-openai-processing-ms")).toBe("12");
      expect(res.headers.get("llm_provider-x-ratelimit-remaining-requests")).toBe("9999");
      // The gateway's own limit (the hooks above) wins over the provider's; a name it does not set passes.
      expect(res.headers.get("x-ratelimit-remaining-requests")).toBe("41");
      expect(res.headers.get("x-ratelimit-remaining-tokens")).toBe("149000");
      expect(res.headers.get("llm_provider-set-cookie")).toBeNull();
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(res.headers.get("x-litellm-model-id")).toBe("gpt-4o-east");
    }
  });

  test("a provider that sends many headers cannot push the response's headers past LiteLLM's 4 KB", async () => {
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-provider-header-${i}`, "v".repeat(40)]));
    mock.cue({ kind: "headers", headers: many });
    const res = await call("/v1/chat/completions", { model: "gpt-4o", messages: [{ role: "user", content: "x" }] });
    expect(res.status).toBe(200);
    let bytes = 0;
    for (const [name, value] of res.headers) bytes += name.length + value.length + 4;
    expect(bytes).toBeLessThan(4096);
    expect(res.headers.get("llm_provider-x-provider-header-0")).toBe("v".repeat(40));
    expect(res.headers.get("llm_provider-x-provider-header-199")).toBeNull();
    expect(res.headers.get("x-litellm-call-id")).not.toBeNull();
  });

  test("/model/info and /models/{id}: only what the caller may use, and no secret anywhere", async () => {
    const res = await call("/model/info", undefined, MASTER_KEY, "GET");
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).not.toContain("secret");
    const all = JSON.parse(text).data;
    expect(all.map((d: any) => d.model_name)).toContain("claude");
    expect(all.find((d: any) => d.model_name === "gpt-4o").model_info.id).toBe("gpt-4o-east");
    const key = await newKey({ models: ["gpt-4o"] });
    const mine = (await (await call("/v1/model/info", undefined, key, "GET")).json()) as any;
    expect(mine.data.map((d: any) => d.model_name)).toEqual(["gpt-4o"]);
    // LiteLLM serves the same list at /v2/model/info (its UI's path).
    expect(await (await call("/v2/model/info", undefined, key, "GET")).json()).toEqual(mine);
    expect((await call("/v1/models/gpt-4o", undefined, key, "GET")).status).toBe(200);
    expect((await call("/v1/models/claude", undefined, key, "GET")).status).toBe(404);
  });
});

describe("mock_response and the admit/settle seam", () => {
  test("mock_response: a canned answer, plain and streamed, without calling the provider", async () => {
    const before = mock.received.length;
    const key = await newKey({ models: ["claude"] });
    const plain = await call("/v1/chat/completions", { model: "claude", messages: [{ role: "user", content: "x" }], mock_response: "canned words here" }, key);
    expect(((await plain.json()) as any).choices[0].message.content).toBe("canned words here");
    const streamed = await call("/v1/chat/completions", { model: "claude", messages: [], stream: true, mock_response: "canned words here" }, key);
    const events = sseData(await streamed.text()) as any[];
    expect(events.map((e) => e?.choices?.[0]?.delta?.content ?? "").join("")).toBe("canned words here");
    expect(events.at(-1)).toBe("[DONE]");
    expect(mock.received.length).toBe(before);
    // Still subject to access like any call.
    expect((await call("/v1/chat/completions", { model: "gpt-4o", messages: [], mock_response: "x" }, key)).status).toBe(401);
  });

  test("admit refusing: its error goes to the client and nothing is sent upstream", async () => {
    refuseNext = new GatewayError({ status: 429, type: "throttling_error", message: "Rate limit exceeded for api_key", retryAfterS: 60 });
    const before = mock.received.length;
    const res = await call("/v1/chat/completions", { model: "gpt-4o", messages: [] });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("60");
    expect(mock.received.length).toBe(before);
  });

  test("settle runs once per call with usage: plain, streamed (client did not ask for usage), failed", async () => {
    settled.length = 0;
    await (await call("/v1/chat/completions", { model: "gpt-4o", messages: [{ role: "user", content: "x" }] })).text();
    const streamText = await (await call("/v1/chat/completions", { model: "gpt-4o", stream: true, messages: [{ role: "user", content: "x" }] })).text();
    expect(streamText).not.toContain('"usage"');
    mock.cue({ kind: "error", status: 500 });
    await (await call("/v1/chat/completions", { model: "gpt-4o", messages: [] })).text();
    expect(settled.map((s) => [s.outcome.status, s.outcome.httpStatus, s.outcome.usage?.total_tokens])).toEqual([
      ["success", 200, 11],
      ["success", 200, 11],
      ["failure", 500, undefined],
    ]);
    expect(settled[1]!.ctx.stream).toBe(true);
    expect(settled[0]!.outcome.deployment?.id).toBe("gpt-4o-east");
    expect(settled[0]!.outcome.endedAtMs).toBeGreaterThanOrEqual(settled[0]!.outcome.startedAtMs);
  });
});

test("an unreachable upstream: 500 APIConnectionError naming the group, not the URL's secrets", async () => {
  const { config } = parseConfig(
    `model_list:\n  - model_name: gone\n    litellm_params: { model: openai/x, api_base: "http://127.0.0.1:1/v1", api_key: sk-unreachable-secret }\n`,
    {},
    "test",
  );
  const s = await createTestStore();
  const deps = createDeps({ config, store: s, log: silentLogger, masterKey: new MasterKey(hashKey(MASTER_KEY)) });
  const lifecycle = deps as unknown as { close?: () => Promise<void>; invalidation?: { ready?: Promise<void>; close(): Promise<void> } };
  await lifecycle.invalidation?.ready;
  const res = await buildApp(deps).handle(
    new Request("http://localhost/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${MASTER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gone", messages: [] }),
    }),
  );
  expect(res.status).toBe(500);
  const error = await errorOf(res);
  expect(error.message).toContain("APIConnectionError");
  expect(error.message).toContain("Received Model Group=gone");
  expect(error.message).not.toContain("sk-unreachable-secret");
  await (lifecycle.close ? lifecycle.close() : lifecycle.invalidation?.close());
  await s.destroy();
});

describe("batch completions (LiteLLM's model: \"a,b\")", () => {
  const ask = (json: Record<string, unknown>, key = MASTER_KEY) => call("/v1/chat/completions", { messages: [{ role: "user", content: "hi" }], ...json }, key);

  test("each model answers, in the order named; each is a call of its own", async () => {
    const before = settled.length;
    const sent = mock.received.length;
    const res = await ask({ model: "gpt-4o, claude", fastest_response: false });
    expect(res.status).toBe(200);
    const answers = (await res.json()) as any[];
    expect(answers).toHaveLength(2);
    expect(answers.map((a) => a.choices[0].message.content)).toEqual([MOCK_TEXT, MOCK_TEXT]);
    expect(answers[0].object).toBe("chat.completion");
    expect(settled.slice(before).map((s) => s.ctx.modelGroup).sort()).toEqual(["claude", "gpt-4o"]);
    // Each upstream got its own body: one model, and no batch-only field.
    const bodies = mock.received.slice(sent).map((r) => r.body as any);
    expect(bodies.map((b) => b.model).sort()).toEqual(["claude-sonnet-4-5", "gpt-4o"]);
    expect(bodies.every((b) => !("fastest_response" in b))).toBe(true);
  });

  test("a model the key may not use has its error in its place; fastest_response gives one answer", async () => {
    const key = await newKey({ models: ["gpt-4o"] });
    const answers = (await (await ask({ model: "gpt-4o,claude" }, key)).json()) as any[];
    expect(answers[0].choices[0].message.content).toBe(MOCK_TEXT);
    expect(answers[1].error).toMatchObject({ code: "401", param: "model" });

    const fastest = await ask({ model: "claude,gpt-4o", fastest_response: true });
    expect(fastest.status).toBe(200);
    expect(((await fastest.json()) as any).choices[0].message.content).toBe(MOCK_TEXT);
    const allRefused = await ask({ model: "claude,beta-model", fastest_response: true }, key);
    expect(allRefused.status).toBe(401);

    const streamed = await ask({ model: "gpt-4o,claude", stream: true });
    expect(streamed.status).toBe(400);
    expect((await errorOf(streamed)).param).toBe("stream");
  });
});
