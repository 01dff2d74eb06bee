// Ollama streams NDJSON: one object per token batch, the last with done:true and the counts.
import { readNdjson } from "../ndjson.ts";
import type { CallKind, Chunk, Json, Target } from "../types.ts";
import { upstreamError } from "../upstream-error.ts";
import { nowS } from "../params.ts";
import { fromOllamaUsage, toOllamaFinish } from "./response.ts";

export async function* fromOllamaStream(kind: CallKind, body: ReadableStream<Uint8Array>, target: Target): AsyncGenerator<Chunk> {
  const id = `${kind === "completion" ? "cmpl" : "chatcmpl"}-${crypto.randomUUID()}`;
  const created = nowS();
  const model = target.upstreamModel;
  const object = kind === "completion" ? "text_completion" : "chat.completion.chunk";
  let first = true;
  for await (const line of readNdjson(body)) {
    if (typeof line.error === "string") throw upstreamError(target, "OllamaException", 500, { message: line.error });
    const text = String(line.response ?? "");
    const finish = line.done ? toOllamaFinish(line.done_reason) : null;
    if (text || finish || first) {
      const choice = kind === "completion"
        ? { index: 0, text, finish_reason: finish, logprobs: null }
        : { index: 0, delta: first ? { role: "assistant", content: text } : { content: text }, finish_reason: finish, logprobs: null };
      yield { id, object, created, model, choices: [choice] };
      first = false;
    }
    if (line.done) {
      yield { id, object, created, model, choices: [], usage: fromOllamaUsage(line as Json) };
      return;
    }
  }
}
