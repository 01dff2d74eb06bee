// /completions for providers that only have a chat API: the prompt becomes one user turn, and
// the chat answer is reshaped into a text_completion (LiteLLM does the same).
import { GatewayError } from "../errors.ts";
import type { Chunk, Json } from "../providers/types.ts";

const COMPLETION_ONLY = new Set(["prompt", "echo", "suffix", "best_of", "logprobs"]);

export function toChatBody(body: Json): Json {
  const prompt = Array.isArray(body.prompt) && body.prompt.length === 1 ? body.prompt[0] : body.prompt;
  if (typeof prompt !== "string") throw GatewayError.badRequest("This model takes a single string prompt.", "prompt");
  const out: Json = { messages: [{ role: "user", content: prompt }] };
  for (const [k, v] of Object.entries(body)) if (!COMPLETION_ONLY.has(k)) out[k] = v;
  return out;
}

export function toTextCompletion(chat: Json): Json {
  const choices = ((chat.choices as Json[] | undefined) ?? []).map((c) => ({
    index: c.index,
    text: String(((c.message ?? {}) as Json).content ?? ""),
    finish_reason: c.finish_reason,
    logprobs: null,
  }));
  return { id: chat.id, object: "text_completion", created: chat.created, model: chat.model, choices, usage: chat.usage };
}

export async function* toTextCompletionChunks(chunks: AsyncIterable<Chunk>): AsyncGenerator<Chunk> {
  for await (const chunk of chunks) {
    const choices = ((chunk.choices as Json[] | undefined) ?? []).map((c) => ({
      index: c.index,
      text: String(((c.delta ?? {}) as Json).content ?? ""),
      finish_reason: c.finish_reason ?? null,
      logprobs: null,
    }));
    const out: Chunk = { id: chunk.id, object: "text_completion", created: chunk.created, model: chunk.model, choices };
    if (chunk.usage) out.usage = chunk.usage;
    yield out;
  }
}
