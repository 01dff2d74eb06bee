// streamGenerateContent?alt=sse: every event is a whole GenerateContentResponse holding the next
// piece of text; the last carries finishReason and usageMetadata.
import { readSse } from "../sse.ts";
import type { CallKind, Chunk, Json, Target } from "../types.ts";
import { upstreamError } from "../upstream-error.ts";
import { nowS } from "../params.ts";
import { fromGeminiUsage, readParts, toGeminiFinish } from "./response.ts";

export async function* fromGeminiStream(_kind: CallKind, body: ReadableStream<Uint8Array>, target: Target): AsyncGenerator<Chunk> {
  const id = `chatcmpl-${crypto.randomUUID()}`;
  const created = nowS();
  const model = target.upstreamModel;
  let usage: Json | undefined;
  let first = true;
  let toolIndex = 0;
  for await (const event of readSse(body)) {
    const data = JSON.parse(event.data) as Json;
    if (data.error) {
      const e = data.error as Json;
      const status = Number(e.code) >= 400 ? Number(e.code) : 500;
      throw upstreamError(target, "GeminiException", status, { message: String(e.message ?? "stream failed") });
    }
    if (data.usageMetadata) usage = data.usageMetadata as Json;
    for (const c of (data.candidates as Json[] | undefined) ?? []) {
      const { text, toolCalls } = readParts(((c.content ?? {}) as Json).parts as Json[] | undefined);
      const delta: Json = { content: text };
      if (first) delta.role = "assistant";
      if (toolCalls.length) delta.tool_calls = toolCalls.map((call) => ({ index: toolIndex++, ...call }));
      const finish = c.finishReason ? (toolIndex > 0 ? "tool_calls" : toGeminiFinish(c.finishReason)) : null;
      yield { id, object: "chat.completion.chunk", created, model, choices: [{ index: Number(c.index ?? 0), delta, finish_reason: finish, logprobs: null }] };
      first = false;
    }
  }
  yield { id, object: "chat.completion.chunk", created, model, choices: [], usage: fromGeminiUsage(usage) };
}
