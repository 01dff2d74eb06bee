// OpenAI's SSE stream: `data: {chunk}` events ending with `data: [DONE]`. An `error` payload
// in the stream (OpenAI sends one when generation fails mid-way) becomes a thrown error.
import { readSse, readSseBatches } from "../sse.ts";
import { type CallKind, type Chunk, type Json, SseText, type StreamItem, type StreamPassThrough, type Target } from "../types.ts";
import { upstreamError } from "../upstream-error.ts";

export async function* fromOpenAIStream(
  _kind: CallKind,
  body: ReadableStream<Uint8Array>,
  target: Target,
  exceptionName = "OpenAIException",
): AsyncGenerator<Chunk> {
  for await (const event of readSse(body)) {
    if (event.data === "[DONE]") return;
    yield parseChunk(event.data, target, exceptionName);
  }
}

/**
 * The same stream for an OpenAI-format client: the events that arrived together are passed on as
 * one `SseText`, as the upstream wrote them. An event that may carry usage (which settles the call,
 * and which a client that did not ask for it must not see) or an error is parsed as above, so the
 * pipeline handles it exactly as before, and so is an event spread over several `data:` lines.
 * The test is textual and errs towards parsing.
 */
export async function* passThroughOpenAIStream(
  body: ReadableStream<Uint8Array>,
  target: Target,
  options: StreamPassThrough,
  exceptionName = "OpenAIException",
): AsyncGenerator<StreamItem> {
  for await (const events of readSseBatches(body)) {
    let text = "";
    for (const event of events) {
      const data = event.data;
      if (data === "[DONE]") {
        if (text) yield new SseText(text);
        return;
      }
      // An event sent as several data: lines holds newlines: re-sent as one line it would break.
      if (data.includes("\n") || mayCarry(data, "error", false) || mayCarry(data, "usage", options.includeUsage)) {
        if (text) yield new SseText(text);
        text = "";
        yield parseChunk(data, target, exceptionName);
      } else text += `data: ${data}\n\n`;
    }
    if (text) yield new SseText(text);
  }
}

function parseChunk(data: string, target: Target, exceptionName: string): Chunk {
  const chunk = JSON.parse(data) as Json;
  if (chunk.error) {
    const e = chunk.error as { message?: string; type?: string; code?: unknown };
    const status = Number(e.code) >= 400 ? Number(e.code) : 500;
    throw upstreamError(target, exceptionName, status, { message: e.message ?? "stream failed" });
  }
  return chunk;
}

/**
 * Whether the JSON text may hold the member `"name"`: any occurrence of the quoted name followed by
 * a colon counts (inside a string value too: a false alarm only costs a parse). With `nullIsAbsent`
 * a member whose value is `null` does not count.
 */
export function mayCarry(data: string, name: string, nullIsAbsent: boolean): boolean {
  const quoted = `"${name}"`;
  for (let at = data.indexOf(quoted); at >= 0; at = data.indexOf(quoted, at + 1)) {
    let i = at + quoted.length;
    while (isSpace(data.charCodeAt(i))) i++;
    if (data.charCodeAt(i) !== 58 /* : */) continue;
    i++;
    while (isSpace(data.charCodeAt(i))) i++;
    if (!nullIsAbsent || !data.startsWith("null", i)) return true;
  }
  return false;
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
