// A real HTTP server (Bun.serve on port 0) that speaks each provider's wire format: OpenAI, Azure
// OpenAI, Anthropic Messages, Ollama (/api/generate, /api/chat, /api/embed) and Gemini
// (generateContent, streamGenerateContent?alt=sse, batchEmbedContents). It records every request
// it receives and fails on cue: an error status, a hang, an error in the middle of a stream, slow
// or hand-released chunks.

export const MOCK_TEXT_PIECES = ["Hello", " from", " the", " mock"];
export const MOCK_TEXT = MOCK_TEXT_PIECES.join("");
export const MOCK_USAGE = { prompt: 7, completion: 4 };
export const MOCK_TOOL_ARGS = { city: "Paris" };

export type Wire = "openai" | "azure" | "anthropic" | "ollama" | "gemini";

export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: any;
  /** The body as it arrived, byte for byte. */
  text: string;
  wire: Wire;
}

export type Cue =
  | { kind: "error"; status: number; message?: string; headers?: Record<string, string> }
  /** Accept the request and never answer; resolves `aborted` when the caller gives up. */
  | { kind: "hang" }
  /** Stream `afterChunks` pieces, then a provider-format error event. */
  | { kind: "midstream-error"; afterChunks: number }
  /** Wait this long before every streamed piece. */
  | { kind: "slow"; chunkDelayMs: number }
  /** Every streamed piece waits for release(). */
  | { kind: "gated" }
  /** Answer normally, with these fields in the usage Anthropic reports (message, or message_start when streamed). */
  | { kind: "anthropic-usage"; usage: Record<string, number> }
  /** Answer normally, with these response headers added (a provider's request id, its rate limits). */
  | { kind: "headers"; headers: Record<string, string> };

type Piece = { text?: string; tool?: { name: string; args: string[] }; finish?: boolean };

export class MockUpstream {
  readonly received: Received[] = [];
  private readonly server: ReturnType<typeof Bun.serve>;
  private cues: Cue[] = [];
  private releases: (() => void)[] = [];
  private pendingReleases = 0;
  private abortWaiters: (() => void)[] = [];
  abortCount = 0;

  constructor() {
    this.server = Bun.serve({ port: 0, hostname: "127.0.0.1", idleTimeout: 0, fetch: (req) => this.handle(req) });
  }

  get url(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  /** The next request follows this cue (queued, one per request). */
  cue(c: Cue): this {
    this.cues.push(c);
    return this;
  }

  /** Lets one gated piece go. */
  release(): void {
    const next = this.releases.shift();
    if (next) next();
    else this.pendingReleases++;
  }

  /** Resolves the next time a caller abandons a request (disconnect or abort). */
  nextAbort(): Promise<void> {
    return new Promise((resolve) => this.abortWaiters.push(resolve));
  }

  last(): Received {
    const r = this.received[this.received.length - 1];
    if (!r) throw new Error("the mock upstream received nothing");
    return r;
  }

  reset(): void {
    this.received.length = 0;
    this.cues = [];
  }

  close(): Promise<void> {
    return this.server.stop(true);
  }

  private notifyAbort() {
    this.abortCount++;
    for (const w of this.abortWaiters.splice(0)) w();
  }

  /** Waits for release(); `drop` withdraws the wait (a cancelled stream must not eat a release). */
  private gate(): { wait: Promise<void>; drop: () => void } {
    if (this.pendingReleases > 0) {
      this.pendingReleases--;
      return { wait: Promise.resolve(), drop: () => {} };
    }
    let resolver!: () => void;
    const wait = new Promise<void>((resolve) => (resolver = resolve));
    this.releases.push(resolver);
    return {
      wait,
      drop: () => {
        const i = this.releases.indexOf(resolver);
        if (i >= 0) this.releases.splice(i, 1);
        resolver();
      },
    };
  }

  private async handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const wire = wireOf(url.pathname);
    const text = await req.text();
    const body = text ? JSON.parse(text) : {};
    this.received.push({ method: req.method, path: url.pathname, query: url.searchParams, headers: req.headers.toJSON(), body, text, wire });
    let aborted = false;
    req.signal.addEventListener("abort", () => {
      if (!aborted) {
        aborted = true;
        this.notifyAbort();
      }
    });
    const cue = this.cues.shift();
    if (cue?.kind === "error") return errorResponse(wire, cue, keyOf(req.headers));
    if (cue?.kind === "hang") {
      await new Promise<void>((resolve) => req.signal.addEventListener("abort", () => resolve()));
      return new Response("gone", { status: 499 });
    }
    const call = callOf(url.pathname, body);
    if (call === "embedding") return Response.json(embeddingBody(wire, body));
    const tool = firstToolName(wire, body);
    const stream = isStream(wire, url, body);
    const anthropicUsage = cue?.kind === "anthropic-usage" ? cue.usage : {};
    const extraHeaders = cue?.kind === "headers" ? cue.headers : {};
    if (!stream) return Response.json(completeBody(wire, call, body, tool, anthropicUsage), { headers: extraHeaders });
    const pieces: Piece[] = tool
      ? [{ text: "Let me check." }, { tool: { name: tool, args: ['{"city":', '"Paris"}'] } }, { finish: true }]
      : [...MOCK_TEXT_PIECES.map((t) => ({ text: t })), { finish: true }];
    const events = streamEvents(wire, call, body, pieces, tool !== undefined, anthropicUsage);
    let cancelled = false;
    let gate: { wait: Promise<void>; drop: () => void } | undefined;
    const self = this;
    let sent = 0;
    const encoder = new TextEncoder();
    const iterator = events[Symbol.iterator]();
    return new Response(
      new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (cue?.kind === "midstream-error" && sent === cue.afterChunks) {
            controller.enqueue(encoder.encode(midstreamError(wire)));
            controller.close();
            return;
          }
          const next = iterator.next();
          if (next.done) {
            controller.close();
            return;
          }
          if (cue?.kind === "slow") await Bun.sleep(cue.chunkDelayMs);
          if (cue?.kind === "gated") {
            gate = self.gate();
            await gate.wait;
          }
          if (cancelled) return;
          sent++;
          controller.enqueue(encoder.encode(next.value));
        },
        cancel() {
          cancelled = true;
          gate?.drop();
          if (!aborted) {
            aborted = true;
            self.notifyAbort();
          }
        },
      }, { highWaterMark: 0 }),
      { headers: { ...extraHeaders, "content-type": wire === "ollama" ? "application/x-ndjson" : "text/event-stream" } },
    );
  }
}

function wireOf(path: string): Wire {
  if (path.startsWith("/openai/deployments/")) return "azure";
  if (path.endsWith("/messages")) return "anthropic";
  if (path.startsWith("/api/")) return "ollama";
  if (path.startsWith("/v1beta/")) return "gemini";
  return "openai";
}

type Call = "chat" | "completion" | "embedding" | "generate";

function callOf(path: string, body: any): Call {
  if (path.endsWith("/embeddings") || path === "/api/embed" || path.endsWith(":batchEmbedContents")) return "embedding";
  if (path.endsWith("/chat/completions") || path.endsWith("/messages") || path === "/api/chat" || path.includes(":")) return "chat";
  if (path === "/api/generate") return "generate";
  return body.prompt !== undefined ? "completion" : "chat";
}

function isStream(wire: Wire, url: URL, body: any): boolean {
  if (wire === "gemini") return url.pathname.endsWith(":streamGenerateContent");
  if (wire === "ollama") return body.stream !== false; // Ollama streams unless told not to
  return body.stream === true;
}

function keyOf(headers: Headers): string {
  return headers.get("x-api-key") ?? headers.get("api-key") ?? headers.get("x-goog-api-key") ?? headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
}

function firstToolName(wire: Wire, body: any): string | undefined {
  if (wire === "gemini") return body.tools?.[0]?.functionDeclarations?.[0]?.name;
  if (wire === "anthropic") return body.tools?.[0]?.name;
  return body.tools?.[0]?.function?.name;
}

const created = () => Math.floor(Date.now() / 1000);
// Every answer has its own id, as OpenAI's do (a gateway's spend log is looked up by it).
let answers = 0;
const answerId = (prefix: string) => `${prefix}-${++answers}`;
const usageOpenAI = () => ({ prompt_tokens: MOCK_USAGE.prompt, completion_tokens: MOCK_USAGE.completion, total_tokens: MOCK_USAGE.prompt + MOCK_USAGE.completion });

function errorResponse(wire: Wire, cue: Extract<Cue, { kind: "error" }>, key: string): Response {
  // Providers echo (part of) the key on auth failures; the gateway must never pass it on.
  const message = cue.message ?? (cue.status === 401 ? `Incorrect API key provided: ${key}` : `mock failure ${cue.status}`);
  let body: unknown;
  if (wire === "anthropic") body = { type: "error", error: { type: cue.status === 429 ? "rate_limit_error" : "api_error", message } };
  else if (wire === "ollama") body = { error: message };
  else if (wire === "gemini") body = { error: { code: cue.status, message, status: cue.status === 429 ? "RESOURCE_EXHAUSTED" : "INVALID_ARGUMENT" } };
  else body = { error: { message, type: cue.status === 429 ? "rate_limit_exceeded" : "invalid_request_error", param: null, code: null } };
  return Response.json(body, { status: cue.status, headers: cue.headers });
}

function embeddingBody(wire: Wire, body: any): unknown {
  const inputs: unknown[] = wire === "gemini" ? body.requests : Array.isArray(body.input) ? body.input : [body.input];
  const vector = (i: number) => [i, 0.5, -0.5];
  if (wire === "ollama") return { model: body.model, embeddings: inputs.map((_, i) => vector(i)), prompt_eval_count: 3 };
  if (wire === "gemini") return { embeddings: inputs.map((_, i) => ({ values: vector(i) })) };
  return {
    object: "list",
    model: body.model ?? "azure-deployment",
    data: inputs.map((_, i) => ({ object: "embedding", index: i, embedding: vector(i) })),
    usage: { prompt_tokens: 3, total_tokens: 3 },
  };
}

function completeBody(wire: Wire, call: Call, body: any, tool: string | undefined, anthropicUsage: Record<string, number>): unknown {
  const model = body.model ?? "azure-deployment";
  switch (wire) {
    case "anthropic":
      return {
        id: "msg_mock", type: "message", role: "assistant", model,
        content: tool ? [{ type: "text", text: "Let me check." }, { type: "tool_use", id: "toolu_mock", name: tool, input: MOCK_TOOL_ARGS }] : [{ type: "text", text: MOCK_TEXT }],
        stop_reason: tool ? "tool_use" : "end_turn", stop_sequence: null,
        usage: { input_tokens: MOCK_USAGE.prompt, output_tokens: MOCK_USAGE.completion, ...anthropicUsage },
      };
    case "ollama": {
      const counts = { done: true, done_reason: "stop", prompt_eval_count: MOCK_USAGE.prompt, eval_count: MOCK_USAGE.completion };
      if (call === "generate") return { model, created_at: new Date().toISOString(), response: MOCK_TEXT, ...counts };
      const message = tool
        ? { role: "assistant", content: "", tool_calls: [{ function: { name: tool, arguments: MOCK_TOOL_ARGS } }] }
        : { role: "assistant", content: MOCK_TEXT };
      return { model, created_at: new Date().toISOString(), message, ...counts };
    }
    case "gemini":
      return {
        candidates: [{ content: { role: "model", parts: tool ? [{ functionCall: { name: tool, args: MOCK_TOOL_ARGS } }] : [{ text: MOCK_TEXT }] }, finishReason: "STOP", index: 0 }],
        usageMetadata: { promptTokenCount: MOCK_USAGE.prompt, candidatesTokenCount: MOCK_USAGE.completion, totalTokenCount: MOCK_USAGE.prompt + MOCK_USAGE.completion },
        modelVersion: "gemini-mock", responseId: "resp-mock",
      };
    default:
      if (call === "completion") {
        return { id: answerId("cmpl-mock"), object: "text_completion", created: created(), model, choices: [{ index: 0, text: MOCK_TEXT, logprobs: null, finish_reason: "stop" }], usage: usageOpenAI() };
      }
      return {
        id: answerId("chatcmpl-mock"), object: "chat.completion", created: created(), model, system_fingerprint: "fp_mock",
        choices: [{
          index: 0, logprobs: null, finish_reason: tool ? "tool_calls" : "stop",
          message: tool
            ? { role: "assistant", content: null, refusal: null, tool_calls: [{ id: "call_mock", type: "function", function: { name: tool, arguments: JSON.stringify(MOCK_TOOL_ARGS) } }] }
            : { role: "assistant", content: MOCK_TEXT, refusal: null },
        }],
        usage: usageOpenAI(),
      };
  }
}

function midstreamError(wire: Wire): string {
  if (wire === "anthropic") return `event: error\ndata: ${JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } })}\n\n`;
  if (wire === "ollama") return `${JSON.stringify({ error: "model runner crashed" })}\n`;
  if (wire === "gemini") return `data: ${JSON.stringify({ error: { code: 500, message: "Internal error", status: "INTERNAL" } })}\r\n\r\n`;
  return `data: ${JSON.stringify({ error: { message: "The server had an error while processing your request", type: "server_error", code: null } })}\n\n`;
}

/** The whole stream as wire-format strings, one per network write. */
function* streamEvents(wire: Wire, call: Call, body: any, pieces: Piece[], tool: boolean, anthropicUsage: Record<string, number>): Generator<string> {
  const model = body.model ?? "azure-deployment";
  if (wire === "anthropic") {
    const ev = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    yield ev("message_start", { message: { id: "msg_mock", type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: MOCK_USAGE.prompt, output_tokens: 1, ...anthropicUsage } } });
    yield ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
    yield ev("ping", {});
    let index = 0;
    for (const p of pieces) {
      if (p.text) yield ev("content_block_delta", { index: 0, delta: { type: "text_delta", text: p.text } });
      if (p.tool) {
        yield ev("content_block_stop", { index: 0 });
        index = 1;
        yield ev("content_block_start", { index, content_block: { type: "tool_use", id: "toolu_mock", name: p.tool.name, input: {} } });
        for (const part of p.tool.args) yield ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: part } });
      }
      if (p.finish) {
        yield ev("content_block_stop", { index });
        yield ev("message_delta", { delta: { stop_reason: tool ? "tool_use" : "end_turn", stop_sequence: null }, usage: { output_tokens: MOCK_USAGE.completion } });
        yield ev("message_stop", {});
      }
    }
    return;
  }
  if (wire === "ollama") {
    const at = new Date().toISOString();
    for (const p of pieces) {
      if (p.finish) {
        const last = { model, created_at: at, done: true, done_reason: "stop", prompt_eval_count: MOCK_USAGE.prompt, eval_count: MOCK_USAGE.completion };
        yield `${JSON.stringify(call === "generate" ? { ...last, response: "" } : { ...last, message: { role: "assistant", content: "" } })}\n`;
      } else if (p.tool) {
        const args = JSON.parse(p.tool.args.join(""));
        yield `${JSON.stringify({ model, created_at: at, message: { role: "assistant", content: "", tool_calls: [{ function: { name: p.tool.name, arguments: args } }] }, done: false })}\n`;
      } else {
        yield `${JSON.stringify(call === "generate" ? { model, created_at: at, response: p.text, done: false } : { model, created_at: at, message: { role: "assistant", content: p.text }, done: false })}\n`;
      }
    }
    return;
  }
  if (wire === "gemini") {
    for (const p of pieces) {
      if (p.finish) {
        yield `data: ${JSON.stringify({ candidates: [{ content: { role: "model", parts: [{ text: "" }] }, finishReason: "STOP", index: 0 }], usageMetadata: { promptTokenCount: MOCK_USAGE.prompt, candidatesTokenCount: MOCK_USAGE.completion, totalTokenCount: MOCK_USAGE.prompt + MOCK_USAGE.completion }, modelVersion: "gemini-mock" })}\r\n\r\n`;
      } else {
        const part = p.tool ? { functionCall: { name: p.tool.name, args: JSON.parse(p.tool.args.join("")) } } : { text: p.text };
        yield `data: ${JSON.stringify({ candidates: [{ content: { role: "model", parts: [part] }, index: 0 }], modelVersion: "gemini-mock" })}\r\n\r\n`;
      }
    }
    return;
  }
  // OpenAI and Azure. With include_usage every chunk carries "usage": null, as OpenAI does.
  const withUsage = body.stream_options?.include_usage === true;
  const base = { id: answerId(call === "completion" ? "cmpl-mock" : "chatcmpl-mock"), object: call === "completion" ? "text_completion" : "chat.completion.chunk", created: created(), model };
  const chunk = (choice: object) => `data: ${JSON.stringify({ ...base, choices: [{ index: 0, logprobs: null, ...choice }], ...(withUsage ? { usage: null } : {}) })}\n\n`;
  let first = true;
  for (const p of pieces) {
    if (call === "completion") {
      if (p.text) yield chunk({ text: p.text, finish_reason: null });
      if (p.finish) yield chunk({ text: "", finish_reason: "stop" });
    } else {
      if (p.text) yield chunk({ delta: first ? { role: "assistant", content: p.text } : { content: p.text }, finish_reason: null });
      if (p.tool) {
        yield chunk({ delta: { tool_calls: [{ index: 0, id: "call_mock", type: "function", function: { name: p.tool.name, arguments: "" } }] }, finish_reason: null });
        for (const part of p.tool.args) yield chunk({ delta: { tool_calls: [{ index: 0, function: { arguments: part } }] }, finish_reason: null });
      }
      if (p.finish) yield chunk({ delta: {}, finish_reason: tool ? "tool_calls" : "stop" });
      first = false;
    }
  }
  if (withUsage) yield `data: ${JSON.stringify({ ...base, choices: [], usage: usageOpenAI() })}\n\n`;
  yield "data: [DONE]\n\n";
}

/** The `data:` payloads of an SSE body, in order ("[DONE]" kept as a string). */
export function sseData(text: string): unknown[] {
  return text
    .split(/\r?\n\r?\n/)
    .map((block) => block.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("\n"))
    .filter((d) => d !== "")
    .map((d) => (d === "[DONE]" ? d : JSON.parse(d)));
}
