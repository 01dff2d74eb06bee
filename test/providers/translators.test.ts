// Pure translators and readers, table-driven: SSE framing, model access decisions, and the
// Anthropic ingress event order.
import { describe, expect, test } from "bun:test";
import { decideModelAccess } from "../../src/policy/model-access.ts";
import { readSse } from "../../src/providers/sse.ts";
import { toMessagesEvents } from "../../src/proxy/messages-ingress.ts";
import { visibleChunk } from "../../src/providers/types.ts";

const bytes = (...parts: string[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of parts) c.enqueue(new TextEncoder().encode(p));
      c.close();
    },
  });

describe("readSse", () => {
  test("events split across network writes, CRLF, comments and multi-line data", async () => {
    const events = [];
    for await (const e of readSse(bytes("event: a\r\nda", "ta: 1\r\n\r\n: keep-alive\n\ndata: x\ndata: y\n\n", "data: last"))) events.push(e);
    expect(events).toEqual([
      { event: "a", data: "1" },
      { event: undefined, data: "x\ny" },
      { event: undefined, data: "last" },
    ]);
  });
});

describe("decideModelAccess", () => {
  const req = (name: string, accessGroups: string[] = []) => ({ name, accessGroups });
  test.each([
    [[], [req("gpt-4o")], true],
    [["gpt-4o"], [req("gpt-4o")], true],
    [["gpt-4o"], [req("claude")], false],
    [["openai/*"], [req("openai/gpt-4o")], true],
    [["beta"], [req("beta-model", ["beta"])], true],
    [["gpt-4o"], [req("fast"), req("gpt-4o")], true], // alias allowed through its target
    [["all-proxy-models"], [req("anything")], true],
  ])("key %j, requested %j → %p", (models, requested, ok) => {
    expect(decideModelAccess([{ owner: "key", models }], requested).ok).toBe(ok);
  });

  test("every list must allow: a team list refusing names the team", () => {
    const decision = decideModelAccess([{ owner: "key", models: [] }, { owner: "team", models: ["a"] }], [req("b")]);
    expect(decision).toMatchObject({ ok: false, type: "team_model_access_denied" });
  });
});

describe("visibleChunk (usage hidden unless asked for)", () => {
  test.each([
    [{ choices: [], usage: { total_tokens: 3 } }, false, undefined],
    [{ choices: [{ delta: {} }], usage: null }, false, { choices: [{ delta: {} }] }],
    [{ choices: [], usage: { total_tokens: 3 } }, true, { choices: [], usage: { total_tokens: 3 } }],
  ])("%j include_usage=%p → %j", (chunk, include, expected) => {
    expect(visibleChunk(chunk, include)).toEqual(expected as never);
  });
});

describe("toMessagesEvents", () => {
  test("text then a tool call: blocks opened and closed in order, usage in message_delta", async () => {
    async function* chunks() {
      yield { id: "c1", choices: [{ index: 0, delta: { role: "assistant", content: "Hi" } }] };
      yield { id: "c1", choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: "call_1", function: { name: "f", arguments: "" } }] } }] };
      yield { id: "c1", choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] } }] };
      yield { id: "c1", choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] };
      yield { id: "c1", choices: [], usage: { prompt_tokens: 5, completion_tokens: 2 } };
    }
    const events = [];
    for await (const e of toMessagesEvents(chunks(), "m")) events.push(e);
    expect(events.map((e) => `${e.type}${"index" in e ? `:${e.index}` : ""}`)).toEqual([
      "message_start", "content_block_start:0", "content_block_delta:0", "content_block_stop:0",
      "content_block_start:1", "content_block_delta:1", "content_block_stop:1", "message_delta", "message_stop",
    ]);
    expect(events.at(-2)).toMatchObject({ delta: { stop_reason: "tool_use" }, usage: { input_tokens: 5, output_tokens: 2 } });
  });
});
