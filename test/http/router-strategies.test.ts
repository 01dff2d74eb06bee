// Strategies over HTTP: least-busy sends new calls away from a deployment holding an open stream;
// usage-based-routing respects a deployment's rpm.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Gateway, startGateway } from "../support/harness.ts";
import { MockUpstream } from "../support/mock-upstream.ts";

let a: MockUpstream;
let b: MockUpstream;
let gw: Gateway;

beforeAll(async () => {
  a = new MockUpstream();
  b = new MockUpstream();
  gw = await startGateway({
    configYaml: `model_list:
  - model_name: busy
    litellm_params: { model: openai/gpt-4o, api_base: "${a.url}/v1", api_key: sk-up }
    model_info: { id: busy-a }
  - model_name: busy
    litellm_params: { model: openai/gpt-4o, api_base: "${b.url}/v1", api_key: sk-up }
    model_info: { id: busy-b }
router_settings:
  routing_strategy: least-busy
`,
  });
});

afterAll(async () => {
  await gw.close();
  await a.close();
  await b.close();
});

const chat = (extra: Record<string, unknown> = {}) =>
  gw.request("/v1/chat/completions", { method: "POST", json: { model: "busy", messages: [{ role: "user", content: "hi" }], ...extra } });

test("least-busy: while one deployment holds an open stream, every new call goes to the other", async () => {
  a.cue({ kind: "gated" });
  b.cue({ kind: "gated" });
  a.release();
  b.release();
  const stream = await chat({ stream: true });
  expect(stream.status).toBe(200);
  const busyId = stream.headers.get("x-litellm-model-id")!;
  const [busy, idle] = busyId === "busy-a" ? [a, b] : [b, a];
  idle.reset();
  for (let i = 0; i < 10; i++) {
    const res = await chat();
    expect(res.headers.get("x-litellm-model-id")).not.toBe(busyId);
  }
  expect(idle.received.length).toBe(10);
  expect(busy.received.length).toBe(1);
  for (let i = 0; i < 10; i++) busy.release();
  expect(await stream.text()).toContain("[DONE]");
});

test("usage-based-routing: a deployment at its rpm gets no more calls this minute", async () => {
  const u = await startGateway({
    now: () => 1_700_000_020_000,
    configYaml: `model_list:
  - model_name: capped
    litellm_params: { model: openai/gpt-4o, api_base: "${a.url}/v1", api_key: sk-up, rpm: 3 }
    model_info: { id: cap-a }
  - model_name: capped
    litellm_params: { model: openai/gpt-4o, api_base: "${b.url}/v1", api_key: sk-up, rpm: 30 }
    model_info: { id: cap-b }
router_settings:
  routing_strategy: usage-based-routing
`,
  });
  try {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 30; i++) {
      const res = await u.request("/v1/chat/completions", { method: "POST", json: { model: "capped", messages: [{ role: "user", content: "x" }] } });
      expect(res.status).toBe(200);
      const id = res.headers.get("x-litellm-model-id")!;
      counts[id] = (counts[id] ?? 0) + 1;
    }
    // Headroom is a share of the limit: cap-a gets its third call only once cap-b has used 2/3 of
    // its own, and none after its rpm of 3.
    expect(counts["cap-a"]).toBe(3);
    expect(counts["cap-b"]).toBe(27);
  } finally {
    await u.close();
  }
});
