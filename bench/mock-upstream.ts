// A mock OpenAI upstream for the benchmark: answers POST /v1/chat/completions from precomputed
// bytes so that its own cost stays small and constant.
//   - model "…-delay-N" (e.g. bench-delay-50): the reply is held for N ms (an LLM-like upstream);
//   - "stream": true: a 20-chunk SSE stream, all chunks written at once, then [DONE] (with
//     stream_options.include_usage, as OpenAI: "usage": null on every chunk, the usage on the last);
//   - otherwise: an instant chat.completion JSON.
// The reply is chosen from the raw body with a substring test, not JSON.parse, so a 64 KB body
// costs the mock a scan and not a parse. Each answer has its own id (`chatcmpl-bench-<random><n>`), as a
// provider's do: a gateway that stores or indexes answer ids pays for random-looking ones here too.
// Run: bun bench/mock-upstream.ts --port N   (binds 127.0.0.1 only)

export const SSE_CHUNKS = 20;

// Where the answer's id goes in the precomputed replies.
const ID_MARK = "chatcmpl-bench";
const USAGE = { prompt_tokens: 12, completion_tokens: SSE_CHUNKS, total_tokens: 12 + SSE_CHUNKS };

function completionJson(model: string): string {
  return JSON.stringify({
    id: ID_MARK,
    object: "chat.completion",
    created: 1700000000,
    model,
    choices: [{ index: 0, message: { role: "assistant", content: "Hello from the bench upstream." }, finish_reason: "stop" }],
    usage: USAGE,
  });
}

/**
 * As OpenAI streams: asked for usage (stream_options.include_usage), every chunk carries
 * `"usage": null` and the last one the usage (riding on the last chunk, so a gateway can account the
 * stream without a 21st event); not asked, no chunk has a usage field.
 */
function sseBody(model: string, withUsage: boolean): string {
  const usageNull = withUsage ? { usage: null } : {};
  const chunk = (delta: object, finish: string | null, extra: object = usageNull) =>
    `data: ${JSON.stringify({ id: ID_MARK, object: "chat.completion.chunk", created: 1700000000, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
  let body = chunk({ role: "assistant", content: "" }, null);
  for (let i = 1; i < SSE_CHUNKS - 1; i++) body += chunk({ content: `tok${i} ` }, null);
  body += chunk({}, "stop", withUsage ? { usage: USAGE } : {});
  return body + "data: [DONE]\n\n";
}

const JSON_HEADERS = { "content-type": "application/json" };
const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };

/** A reply's text cut at its ids: joined with a fresh id per answer. */
type Parts = readonly string[];
interface Replies {
  json: Parts;
  sse: Parts;
  sseWithoutUsage: Parts;
}
const repliesByModel = new Map<string, Replies>();
function repliesFor(model: string): Replies {
  let r = repliesByModel.get(model);
  if (!r) {
    r = { json: completionJson(model).split(ID_MARK), sse: sseBody(model, true).split(ID_MARK), sseWithoutUsage: sseBody(model, false).split(ID_MARK) };
    repliesByModel.set(model, r);
  }
  return r;
}

const MODEL_RE = /"model"\s*:\s*"([^"]{1,100})"/;
const STREAM_RE = /"stream"\s*:\s*true/;
const INCLUDE_USAGE_RE = /"include_usage"\s*:\s*true/;
const DELAY_RE = /-delay-(\d{1,5})$/;

let answers = 0;

export function startMockUpstream(port = 0) {
  return Bun.serve({
    hostname: "127.0.0.1",
    port,
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      if (req.method === "GET" && url.pathname === "/health") return new Response("ok");
      if (req.method !== "POST" || !url.pathname.endsWith("/chat/completions")) {
        return Response.json({ error: { message: `mock upstream: no route ${req.method} ${url.pathname}`, type: "invalid_request_error", param: null, code: "404" } }, { status: 404 });
      }
      const text = await req.text();
      const model = MODEL_RE.exec(text)?.[1] ?? "bench-model";
      const delayMs = Number(DELAY_RE.exec(model)?.[1] ?? 0);
      if (delayMs > 0) await Bun.sleep(delayMs);
      const replies = repliesFor(model);
      // Random first (ids arrive in no order, as a provider's), then a count (never the same twice).
      const id = `${ID_MARK}-${Math.random().toString(36).slice(2, 10)}${(++answers).toString(36)}`;
      if (STREAM_RE.test(text)) return new Response((INCLUDE_USAGE_RE.test(text) ? replies.sse : replies.sseWithoutUsage).join(id), { headers: SSE_HEADERS });
      return new Response(replies.json.join(id), { headers: JSON_HEADERS });
    },
  });
}

if (import.meta.main) {
  const i = Bun.argv.indexOf("--port");
  const server = startMockUpstream(i > 0 ? Number(Bun.argv[i + 1]) : 0);
  process.stdout.write(`mock-upstream listening on 127.0.0.1:${server.port}\n`);
}
