// `mock_response`: a canned answer that skips the provider but not the pipeline around it (auth,
// access, admission, settlement, headers), so tests and demos cost nothing. The usage figures are
// LiteLLM's mock values.
import type { CallKind, Chunk, Json, Usage } from "../providers/types.ts";
import { nowS } from "../providers/params.ts";

export const MOCK_USAGE: Usage = { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 };

export function mockResponse(kind: CallKind, text: string, model: string): Json {
  if (kind === "embedding") {
    return { object: "list", model, data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2, 0.3] }], usage: { prompt_tokens: 10, total_tokens: 10 } };
  }
  if (kind === "completion") {
    return {
      id: `cmpl-${crypto.randomUUID()}`, object: "text_completion", created: nowS(), model,
      choices: [{ index: 0, text, finish_reason: "stop", logprobs: null }], usage: { ...MOCK_USAGE },
    };
  }
  return {
    id: `chatcmpl-${crypto.randomUUID()}`, object: "chat.completion", created: nowS(), model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop", logprobs: null }],
    usage: { ...MOCK_USAGE },
  };
}

/** The canned text in word-sized pieces, then a finish chunk and a usage chunk. */
export async function* mockStream(kind: CallKind, text: string, model: string): AsyncGenerator<Chunk> {
  const id = `${kind === "completion" ? "cmpl" : "chatcmpl"}-${crypto.randomUUID()}`;
  const created = nowS();
  const object = kind === "completion" ? "text_completion" : "chat.completion.chunk";
  const pieces = text.match(/\S+\s*|\s+/g) ?? [""];
  let first = true;
  for (const piece of pieces) {
    const choice = kind === "completion"
      ? { index: 0, text: piece, finish_reason: null, logprobs: null }
      : { index: 0, delta: first ? { role: "assistant", content: piece } : { content: piece }, finish_reason: null, logprobs: null };
    first = false;
    yield { id, object, created, model, choices: [choice] };
  }
  const end = kind === "completion"
    ? { index: 0, text: "", finish_reason: "stop", logprobs: null }
    : { index: 0, delta: {}, finish_reason: "stop", logprobs: null };
  yield { id, object, created, model, choices: [end] };
  yield { id, object, created, model, choices: [], usage: { ...MOCK_USAGE } };
}
