// LiteLLM's x-litellm-* request headers on the LLM routes: timeout, num_retries, tags and
// spend_logs_metadata do what the body's fields do (the header wins), and a bad value is a 400
// naming the header before anything is sent upstream.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { errorOf, type Gateway, MASTER_KEY, startGateway } from "../support/harness.ts";
import { MockUpstream } from "../support/mock-upstream.ts";

let mock: MockUpstream;
let gw: Gateway;

beforeAll(async () => {
  mock = new MockUpstream();
  const deployment = (group: string, id: string) => `  - model_name: ${group}
    litellm_params: { model: openai/gpt-4o, api_base: "${mock.url}/v1", api_key: sk-up }
    model_info: { id: ${id} }
`;
  gw = await startGateway({
    configYaml: `model_list:\n${deployment("plain", "plain-1")}${deployment("pair", "pair-1")}${deployment("pair", "pair-2")}${deployment("pair-again", "again-1")}${deployment("pair-again", "again-2")}`,
  });
});
afterAll(async () => {
  await gw.close();
  await mock.close();
});

const chat = (model: string, headers: Record<string, string>, extra: Record<string, unknown> = {}) =>
  gw.request("/v1/chat/completions", { method: "POST", key: MASTER_KEY, headers, json: { model, messages: [{ role: "user", content: "hi" }], ...extra } });

test("x-litellm-tags and x-litellm-spend-logs-metadata land in the spend log", async () => {
  const res = await chat(
    "plain",
    { "x-litellm-tags": "team-a, nightly", "x-litellm-spend-logs-metadata": '{"project_id":"proj_abc","run":7}' },
    { metadata: { tags: ["from-body"] } },
  );
  expect(res.status).toBe(200);
  const callId = res.headers.get("x-litellm-call-id")!;
  await gw.committed();
  const [row] = await gw.store.db.select().from(gw.store.t.spendLogs).where(eq(gw.store.t.spendLogs.requestId, callId));
  expect(row!.requestTags).toEqual(["from-body", "team-a", "nightly"]);
  expect((row!.metadata as Record<string, unknown>).spend_logs_metadata).toEqual({ project_id: "proj_abc", run: 7 });
  // The body's own metadata.spend_logs_metadata is kept the same way.
  const viaBody = await chat("plain", {}, { metadata: { spend_logs_metadata: { source: "body" } } });
  await gw.committed();
  const [bodyRow] = await gw.store.db.select().from(gw.store.t.spendLogs).where(eq(gw.store.t.spendLogs.requestId, viaBody.headers.get("x-litellm-call-id")!));
  expect((bodyRow!.metadata as Record<string, unknown>).spend_logs_metadata).toEqual({ source: "body" });
});

test("x-litellm-num-retries: one retry moves to the group's other deployment; zero gives the error back", async () => {
  mock.cue({ kind: "error", status: 500, message: "upstream broke" });
  const retried = await chat("pair", { "x-litellm-num-retries": "1" });
  expect(retried.status).toBe(200);
  expect(retried.headers.get("x-litellm-attempted-retries")).toBe("1");

  mock.cue({ kind: "error", status: 500, message: "upstream broke" });
  const notRetried = await chat("pair-again", { "x-litellm-num-retries": "0" }, { num_retries: 3 });
  expect(notRetried.status).toBe(500);
  expect(notRetried.headers.get("x-litellm-attempted-retries")).toBe("0");
});

test("x-litellm-timeout ends a call the upstream never answers", async () => {
  mock.cue({ kind: "hang" });
  const started = performance.now();
  const res = await chat("plain", { "x-litellm-timeout": "0.3" });
  expect(res.status).toBe(408);
  expect((await errorOf(res)).message).toContain("timed out after 0.3s");
  expect(performance.now() - started).toBeLessThan(5_000);
});

test("a bad header value is a 400 naming it, and nothing goes upstream", async () => {
  const before = mock.received.length;
  for (const [name, value] of [
    ["x-litellm-timeout", "soon"],
    ["x-litellm-num-retries", "-1"],
    ["x-litellm-spend-logs-metadata", "{not json"],
  ] as const) {
    const res = await chat("plain", { [name]: value });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).param).toBe(name);
  }
  expect(mock.received.length).toBe(before);
});
