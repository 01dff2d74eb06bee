// OpenAI's SSE stream: `data: {chunk}` events ending with `data: [DONE]`. An `error` payload
// in the stream (OpenAI sends one when generation fails mid-way) becomes a thrown error.
import { readSse } from "../sse.ts";
import type { CallKind, Chunk, Json, Target } from "../types.ts";
import { upstreamError } from "../upstream-error.ts";

export async function* fromOpenAIStream(
  _kind: CallKind,
  body: ReadableStream<Uint8Array>,
  target: Target,
  exceptionName = "OpenAIException",
): AsyncGenerator<Chunk> {
  for await (const event of readSse(body)) {
    if (event.data === "[DONE]") return;
    const chunk = JSON.parse(event.data) as Json;
    if (chunk.error) {
      const e = chunk.error as { message?: string; type?: string; code?: unknown };
      const status = Number(e.code) >= 400 ? Number(e.code) : 500;
      throw upstreamError(target, exceptionName, status, { message: e.message ?? "stream failed" });
    }
    yield chunk;
  }
}
