// Ollama /api/chat NDJSON stream → chat.completion.chunk. Tool calls arrive whole in one line.
import { readNdjson } from "../ndjson.ts";
import { fromOllamaStream } from "../ollama/stream.ts";
import { fromOllamaUsage, toOllamaFinish } from "../ollama/response.ts";
import type { CallKind, Chunk, Json, Target } from "../types.ts";
import { upstreamError } from "../upstream-error.ts";
import { nowS } from "../params.ts";
import { toOpenAIToolCalls } from "./response.ts";

export async function* fromOllamaChatStream(kind: CallKind, body: ReadableStream<Uint8Array>, target: Target): AsyncGenerator<Chunk> {
  if (kind !== "chat") {
    yield* fromOllamaStream(kind, body, target);
    return;
  }
  const id = `chatcmpl-${crypto.randomUUID()}`;
  const created = nowS();
  const model = target.upstreamModel;
  let first = true;
  let sawTools = false;
  for await (const line of readNdjson(body)) {
    if (typeof line.error === "string") throw upstreamError(target, "Ollama_chatException", 500, { message: line.error });
    const msg = (line.message ?? {}) as Json;
    const delta: Json = { content: String(msg.content ?? "") };
    if (first) delta.role = "assistant";
    const toolCalls = toOpenAIToolCalls(msg.tool_calls as Json[] | undefined);
    if (toolCalls) {
      delta.tool_calls = toolCalls;
      sawTools = true;
    }
    const finish = line.done ? (sawTools ? "tool_calls" : toOllamaFinish(line.done_reason)) : null;
    if (delta.content || toolCalls || finish || first) {
      yield { id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] };
      first = false;
    }
    if (line.done) {
      yield { id, object: "chat.completion.chunk", created, model, choices: [], usage: fromOllamaUsage(line) };
      return;
    }
  }
}
