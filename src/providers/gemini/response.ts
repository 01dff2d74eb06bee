// Gemini GenerateContentResponse → chat.completion; batchEmbedContents → embedding list.
import type { CallKind, Json, Target, Usage } from "../types.ts";
import { nowS } from "../params.ts";

const FINISH: Record<string, string> = {
  STOP: "stop",
  MAX_TOKENS: "length",
  SAFETY: "content_filter",
  RECITATION: "content_filter",
  BLOCKLIST: "content_filter",
  PROHIBITED_CONTENT: "content_filter",
  SPII: "content_filter",
};

export const toGeminiFinish = (reason: unknown) => (typeof reason === "string" ? (FINISH[reason] ?? "stop") : null);

export function fromGeminiUsage(meta: Json | undefined): Usage {
  const prompt = Number(meta?.promptTokenCount ?? 0);
  // Thinking tokens are billed as output.
  const completion = Number(meta?.candidatesTokenCount ?? 0) + Number(meta?.thoughtsTokenCount ?? 0);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export const newCallId = () => `call_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;

/** Text and function calls of one candidate's parts. */
export function readParts(parts: Json[] | undefined): { text: string; toolCalls: Json[] } {
  let text = "";
  const toolCalls: Json[] = [];
  for (const part of parts ?? []) {
    if (typeof part.text === "string" && !part.thought) text += part.text;
    const call = part.functionCall as Json | undefined;
    if (call) {
      toolCalls.push({ id: newCallId(), type: "function", function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) } });
    }
  }
  return { text, toolCalls };
}

export function fromGeminiResponse(kind: CallKind, body: Json, target: Target): Json {
  if (kind === "embedding") {
    const embeddings = (body.embeddings as Json[] | undefined) ?? [];
    return {
      object: "list",
      model: target.upstreamModel,
      data: embeddings.map((e, index) => ({ object: "embedding", index, embedding: e.values })),
      usage: { prompt_tokens: 0, total_tokens: 0 },
    };
  }
  const candidates = (body.candidates as Json[] | undefined) ?? [];
  const choices = candidates.map((c, i) => {
    const { text, toolCalls } = readParts(((c.content ?? {}) as Json).parts as Json[] | undefined);
    const message: Json = { role: "assistant", content: text || (toolCalls.length ? null : "") };
    if (toolCalls.length) message.tool_calls = toolCalls;
    const finish = toolCalls.length ? "tool_calls" : (toGeminiFinish(c.finishReason) ?? "stop");
    return { index: typeof c.index === "number" ? c.index : i, message, finish_reason: finish, logprobs: null };
  });
  return {
    id: typeof body.responseId === "string" ? body.responseId : `chatcmpl-${crypto.randomUUID()}`,
    object: "chat.completion",
    created: nowS(),
    model: typeof body.modelVersion === "string" ? body.modelVersion : target.upstreamModel,
    choices,
    usage: fromGeminiUsage(body.usageMetadata as Json | undefined),
  };
}
