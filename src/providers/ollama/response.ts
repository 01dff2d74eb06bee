// Ollama /api/generate and /api/embed responses → OpenAI shapes.
import type { CallKind, Json, Target, Usage } from "../types.ts";
import { nowS } from "../params.ts";

export function fromOllamaUsage(body: Json): Usage {
  const prompt = Number(body.prompt_eval_count ?? 0);
  const completion = Number(body.eval_count ?? 0);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export const toOllamaFinish = (doneReason: unknown) => (doneReason === "length" ? "length" : "stop");

export function fromOllamaResponse(kind: CallKind, body: Json, target: Target): Json {
  const model = target.upstreamModel;
  if (kind === "embedding") {
    const embeddings = (body.embeddings as number[][] | undefined) ?? [];
    const prompt = Number(body.prompt_eval_count ?? 0);
    return {
      object: "list",
      model,
      data: embeddings.map((embedding, index) => ({ object: "embedding", index, embedding })),
      usage: { prompt_tokens: prompt, total_tokens: prompt },
    };
  }
  const text = String(body.response ?? "");
  const finish = toOllamaFinish(body.done_reason);
  if (kind === "completion") {
    return {
      id: `cmpl-${crypto.randomUUID()}`, object: "text_completion", created: nowS(), model,
      choices: [{ index: 0, text, finish_reason: finish, logprobs: null }],
      usage: fromOllamaUsage(body),
    };
  }
  return {
    id: `chatcmpl-${crypto.randomUUID()}`, object: "chat.completion", created: nowS(), model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: finish, logprobs: null }],
    usage: fromOllamaUsage(body),
  };
}
