// An OpenAI-format upstream's stream (and its JSON answer) reaches an OpenAI-format client as the
// upstream wrote it (no parse and re-serialise per chunk), while the chunks that matter to the gateway are still read:
// usage settles the call and is hidden from a client that did not ask for it, an error event ends
// the stream in OpenAI shape. The upstream here writes the whole stream in one piece, formatted the
// way a re-serialiser would change (spaces, key order), like real OpenAI with include_usage.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mayCarry } from "../../src/providers/openai/stream.ts";
import { type Gateway, startGateway } from "../support/harness.ts";

const chunk = (content: string) =>
  `{"choices": [{"delta": {"content": "${content}"}, "index": 0, "finish_reason": null}], "id": "chatcmpl-pt", "object": "chat.completion.chunk", "created": 1700000000, "model": "gpt-4o", "usage": null}`;
const FINISH = `{"choices": [{"delta": {}, "index": 0, "finish_reason": "stop"}], "id": "chatcmpl-pt", "object": "chat.completion.chunk", "created": 1700000000, "model": "gpt-4o", "usage": null}`;
const USAGE = `{"choices": [], "id": "chatcmpl-pt", "object": "chat.completion.chunk", "created": 1700000000, "model": "gpt-4o", "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}}`;
const ERROR = `{"error": {"message": "The server had an error while processing your request", "type": "server_error", "code": null}}`;
const ANSWER = `{"id": "chatcmpl-pt", "object": "chat.completion", "created": 1700000000, "model": "gpt-4o", "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello"}, "finish_reason": "stop"}], "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}}`;
const CONTENT = [chunk("Hel"), chunk("lo"), chunk(' \\"error\\": a word, not an error')];

const sse = (events: string[]) => events.map((e) => `data: ${e}\n\n`).join("");

let upstream: ReturnType<typeof Bun.serve>;
let g: Gateway;

beforeAll(async () => {
  upstream = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const body = (await req.json()) as { model: string; stream?: boolean };
      if (!body.stream) return new Response(ANSWER, { headers: { "content-type": "application/json" } });
      const events = body.model === "breaks" ? [...CONTENT.slice(0, 2), ERROR] : [...CONTENT, FINISH, USAGE, "[DONE]"];
      // SSE lets one event span several data: lines (joined with newlines): here the first chunk.
      const text = sse(events);
      return new Response(body.model === "multiline" ? text.replace('"index": 0, ', '"index": 0,\ndata: ') : text, {
        headers: { "content-type": "text/event-stream" },
      });
    },
  });
  const base = `http://127.0.0.1:${upstream.port}/v1`;
  g = await startGateway({
    listen: true,
    configYaml: `model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_base: "${base}", api_key: sk-up }
    model_info: { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 }
  - model_name: breaks
    litellm_params: { model: openai/breaks, api_base: "${base}", api_key: sk-up }
  - model_name: multiline
    litellm_params: { model: openai/multiline, api_base: "${base}", api_key: sk-up }
`,
  });
});

afterAll(async () => {
  await g.close();
  upstream.stop(true);
});

async function streamed(key: string, body: object): Promise<{ status: number; events: string[] }> {
  const res = await fetch(`${g.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], stream: true, ...body }),
  });
  const text = await res.text();
  return { status: res.status, events: text.split("\n\n").filter(Boolean).map((e) => e.replace(/^data: /, "")) };
}

async function newKey(): Promise<string> {
  const res = await g.request("/key/generate", { method: "POST", json: {} });
  return ((await res.json()) as { key: string }).key;
}

async function keySpend(key: string): Promise<number> {
  const res = await g.request(`/key/info?key=${key}`);
  return ((await res.json()) as { info: { spend: number } }).info.spend;
}

describe("an OpenAI-format stream passed through", () => {
  test("with include_usage: every event exactly as the upstream wrote it, and the usage charged", async () => {
    const key = await newKey();
    const { status, events } = await streamed(key, { model: "gpt-4o", stream_options: { include_usage: true } });
    expect(status).toBe(200);
    // A re-serialised chunk would have lost the spaces after the colons: the usage chunk too.
    expect(events).toEqual([...CONTENT, FINISH, USAGE, "[DONE]"]);
    expect(await keySpend(key)).toBeCloseTo(7 * 0.000001 + 3 * 0.000002, 12);
  });

  test("without include_usage: the usage chunk and the usage fields are not shown, and the call is still charged", async () => {
    const key = await newKey();
    const { status, events } = await streamed(key, { model: "gpt-4o" });
    expect(status).toBe(200);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as Record<string, unknown>);
    expect(chunks.map((c) => "usage" in c)).toEqual([false, false, false, false]);
    expect(chunks.map((c) => (c.choices as { delta: { content?: string } }[])[0]!.delta.content)).toEqual(["Hel", "lo", ' "error": a word, not an error', undefined]);
    expect(await keySpend(key)).toBeCloseTo(7 * 0.000001 + 3 * 0.000002, 12);
  });

  test("an event spread over several data: lines reaches the client as one valid event", async () => {
    const key = await newKey();
    const { status, events } = await streamed(key, { model: "multiline", stream_options: { include_usage: true } });
    expect(status).toBe(200);
    expect(JSON.parse(events[0]!)).toEqual(JSON.parse(CONTENT[0]!));
    expect(events.slice(1, 3)).toEqual(CONTENT.slice(1, 3));
  });

  test("an error event after passed-through chunks ends the stream with one OpenAI-shaped error", async () => {
    const key = await newKey();
    const { status, events } = await streamed(key, { model: "breaks", stream_options: { include_usage: true } });
    expect(status).toBe(200);
    expect(events.slice(0, 2)).toEqual(CONTENT.slice(0, 2));
    expect(events).toHaveLength(3);
    const err = JSON.parse(events[2]!) as { error: Record<string, unknown> };
    expect(Object.keys(err.error).sort()).toEqual(["code", "message", "param", "type"]);
    expect(String(err.error.message)).toContain("The server had an error while processing your request");
  });
});

describe("an OpenAI-format JSON answer passed through", () => {
  test("reaches the client as the upstream wrote it, and the usage is charged", async () => {
    const key = await newKey();
    const res = await fetch(`${g.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(200);
    // Serialised again, the spaces after the colons would be gone.
    expect(await res.text()).toBe(ANSWER);
    expect(await keySpend(key)).toBeCloseTo(5 * 0.000001 + 2 * 0.000002, 12);
  });
});

describe("mayCarry: which chunks must be parsed", () => {
  test.each([
    ['{"usage": {"prompt_tokens": 1}}', "usage", true, true],
    ['{"usage":null}', "usage", true, false],
    ['{"usage" :  null, "x": 1}', "usage", true, false],
    ['{"usage":null}', "usage", false, true],
    ['{"a": "usage"}', "usage", false, false],
    ['{"a": "\\"usage\\": {}"}', "usage", true, false],
    ['{"a": "x \\"usage\\""}', "usage", false, false],
    ['{"a": "\\"error\\": 1"}', "error", false, false],
    // A false alarm (the key is `"error`, with a quote in it) only costs a parse.
    ['{"\\"error": 1}', "error", false, true],
    ['{"error": {"message": "boom"}}', "error", false, true],
    ['{"choices": []}', "error", false, false],
  ])("%s (%s, null absent: %p) → %p", (data, name, nullIsAbsent, expected) => {
    expect(mayCarry(data, name, nullIsAbsent)).toBe(expected);
  });
});
