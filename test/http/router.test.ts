// The router over HTTP with real mock deployments: load spread, retries on a twin, retry-after,
// cooldown and restore, fallbacks (configured, context-window, client-side), timeouts, and no
// retry once a stream has sent its first byte. A controllable clock drives cooldowns.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { errorOf, type Gateway, startGateway } from "../support/harness.ts";
import { MockUpstream, sseData } from "../support/mock-upstream.ts";

let a: MockUpstream;
let b: MockUpstream;
let gw: Gateway;
let clockMs = Date.now();

const dep = (name: string, id: string, mock: MockUpstream, extra = "") =>
  `  - model_name: ${name}
    litellm_params: { model: openai/gpt-4o, api_base: "${mock.url}/v1", api_key: sk-up${extra} }
    model_info: { id: ${id} }
`;

beforeAll(async () => {
  a = new MockUpstream();
  b = new MockUpstream();
  gw = await startGateway({
    now: () => clockMs,
    configYaml: `model_list:
${dep("weighted", "w-a", a, ", weight: 3")}${dep("weighted", "w-b", b, ", weight: 1")}${dep("twins", "t-a", a)}${dep("twins", "t-b", b)}${dep("slowpoke", "sp-a", a, ", timeout: 0.3")}${dep("slowpoke", "sp-b", b)}${dep("coolable", "c-a", a)}${dep("coolable", "c-b", b)}${dep("solo", "solo", a)}${dep("primary", "p", a)}${dep("secondary", "s", b)}${dep("small", "small", a)}${dep("large", "large", b)}${dep("streamy", "st", a)}
router_settings:
  num_retries: 1
  allowed_fails: 1
  cooldown_time: 10
  fallbacks: [{ primary: [secondary] }]
  context_window_fallbacks: [{ small: [large] }]
`,
  });
});

afterAll(async () => {
  await gw.close();
  await a.close();
  await b.close();
});

beforeEach(() => {
  a.reset();
  b.reset();
});

const chat = (model: string, extra: Record<string, unknown> = {}, key?: string) =>
  gw.request("/v1/chat/completions", { method: "POST", key, json: { model, messages: [{ role: "user", content: "hi" }], ...extra } });

const attempts = (res: Response) => ({
  id: res.headers.get("x-litellm-model-id"),
  retries: res.headers.get("x-litellm-attempted-retries"),
  fallbacks: res.headers.get("x-litellm-attempted-fallbacks"),
});

/** Calls until `until` says a call showed what we wait for; every call must succeed. */
async function callUntil(model: string, until: (res: Response) => boolean, max = 40): Promise<Response> {
  for (let i = 0; i < max; i++) {
    const res = await chat(model);
    expect(res.status).toBe(200);
    if (until(res)) return res;
  }
  throw new Error(`no call to ${model} showed the expected attempt within ${max} calls`);
}

test("weights 3:1 spread 1,000 calls 75% ± 5% / 25%", async () => {
  const counts: Record<string, number> = {};
  for (let i = 0; i < 1000; i++) {
    const res = await chat("weighted");
    expect(res.status).toBe(200);
    const id = res.headers.get("x-litellm-model-id")!;
    counts[id] = (counts[id] ?? 0) + 1;
  }
  expect(counts["w-a"]! / 1000).toBeGreaterThanOrEqual(0.7);
  expect(counts["w-a"]! / 1000).toBeLessThanOrEqual(0.8);
  expect(counts["w-a"]! + counts["w-b"]!).toBe(1000);
  expect(a.received.length + b.received.length).toBe(1000);
});

test("a 500 from one deployment is retried on its twin", async () => {
  a.cue({ kind: "error", status: 500 });
  const res = await callUntil("twins", () => a.received.length > 0);
  expect(attempts(res)).toEqual({ id: "t-b", retries: "1", fallbacks: "0" });
  expect(a.received.length).toBe(1);
  expect(await res.json()).toMatchObject({ object: "chat.completion" });
});

test("a 429 with retry-after is honoured before retrying the only deployment", async () => {
  a.cue({ kind: "error", status: 429, headers: { "retry-after": "1" } });
  const started = performance.now();
  const res = await chat("solo");
  const elapsedMs = performance.now() - started;
  expect(res.status).toBe(200);
  expect(attempts(res)).toEqual({ id: "solo", retries: "1", fallbacks: "0" });
  expect(a.received.length).toBe(2);
  expect(elapsedMs).toBeGreaterThanOrEqual(990);
});

test("a deployment failing more than allowed_fails is cooled down, then restored after cooldown_time", async () => {
  a.cue({ kind: "error", status: 500 }).cue({ kind: "error", status: 500 });
  // Two failures (allowed_fails 1) take c-a out of rotation; each call still succeeds on c-b.
  await callUntil("coolable", () => a.received.length >= 2);
  const seen = a.received.length;
  for (let i = 0; i < 20; i++) {
    const res = await chat("coolable");
    expect(attempts(res)).toEqual({ id: "c-b", retries: "0", fallbacks: "0" });
  }
  expect(a.received.length).toBe(seen);

  clockMs += 10_001;
  const back = await callUntil("coolable", (res) => res.headers.get("x-litellm-model-id") === "c-a");
  expect(attempts(back).retries).toBe("0");
});

test("a timeout moves the call to the other deployment", async () => {
  a.cue({ kind: "hang" });
  const res = await callUntil("slowpoke", () => a.received.length > 0);
  expect(attempts(res)).toEqual({ id: "sp-b", retries: "1", fallbacks: "0" });
});

test("after its retries, a failing group falls back to the configured group", async () => {
  a.cue({ kind: "error", status: 503 }).cue({ kind: "error", status: 503 });
  const res = await chat("primary");
  expect(res.status).toBe(200);
  expect(attempts(res)).toEqual({ id: "s", retries: "0", fallbacks: "1" });
  expect(a.received.length).toBe(2);
  expect(b.received.length).toBe(1);
});

test("a context-window error falls back to context_window_fallbacks without retrying", async () => {
  a.cue({ kind: "error", status: 400, message: "This model's maximum context length is 8192 tokens" });
  const res = await chat("small");
  expect(res.status).toBe(200);
  expect(attempts(res)).toEqual({ id: "large", retries: "0", fallbacks: "1" });
  expect(a.received.length).toBe(1);
});

test("a plain 400 is neither retried nor falls back", async () => {
  a.cue({ kind: "error", status: 400, message: "temperature too high" });
  const res = await chat("primary");
  expect(res.status).toBe(400);
  expect(res.headers.get("x-litellm-attempted-retries")).toBe("0");
  expect(a.received.length).toBe(1);
  expect(b.received.length).toBe(0);
});

test("when the fallbacks fail too, the last error is returned with the attempt counts", async () => {
  a.cue({ kind: "error", status: 500 }).cue({ kind: "error", status: 500 });
  b.cue({ kind: "error", status: 502 }).cue({ kind: "error", status: 502 });
  const res = await chat("primary");
  expect(res.status).toBe(502);
  expect(attempts(res)).toMatchObject({ retries: "1", fallbacks: "1" });
  expect(a.received.length + b.received.length).toBe(4);
});

describe("streams", () => {
  const streamChat = (model: string) => chat(model, { stream: true });

  test("no retry once the first chunk was sent: the error ends the stream", async () => {
    a.cue({ kind: "midstream-error", afterChunks: 1 });
    const res = await streamChat("streamy");
    expect(res.status).toBe(200);
    const events = sseData(await res.text()) as any[];
    expect(events[0].choices[0].delta.content).toBe("Hello");
    expect(events.some((e) => e?.error)).toBe(true);
    expect(a.received.length).toBe(1);
  });

  test("a stream failing before its first byte is retried", async () => {
    a.cue({ kind: "error", status: 500 });
    const res = await streamChat("streamy");
    expect(res.status).toBe(200);
    expect(res.headers.get("x-litellm-attempted-retries")).toBe("1");
    const events = sseData(await res.text());
    expect(events.at(-1)).toBe("[DONE]");
    expect(a.received.length).toBe(2);
  });
});

describe("client-side fallbacks", () => {
  test("used when the group fails", async () => {
    a.cue({ kind: "error", status: 500 }).cue({ kind: "error", status: 500 });
    const res = await chat("solo", { fallbacks: ["secondary"] });
    expect(res.status).toBe(200);
    expect(attempts(res)).toEqual({ id: "s", retries: "0", fallbacks: "1" });
    // The field is the gateway's: it never reaches a provider.
    expect(b.last().body.fallbacks).toBeUndefined();
  });

  test("only to models the key may use", async () => {
    const gen = await gw.request("/key/generate", { method: "POST", json: { models: ["solo"] } });
    const { key } = (await gen.json()) as { key: string };
    const res = await chat("solo", { fallbacks: ["secondary"] }, key);
    expect(res.status).toBe(401);
    const err = await errorOf(res);
    expect(err.param).toBe("fallbacks");
    expect(a.received.length).toBe(0);
    const ok = await chat("solo", { fallbacks: ["solo"] }, key);
    expect(ok.status).toBe(200);
  });
});
