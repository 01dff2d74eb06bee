// Ollama /api/chat responses → chat.completion (tool calls get ids; Ollama sends none).
import { fromOllamaResponse, fromOllamaUsage, toOllamaFinish } from "../ollama/response.ts";
import type { CallKind, Json, Target } from "../types.ts";
import { nowS } from "../params.ts";

export function toOpenAIToolCalls(calls: Json[] | undefined): Json[] | undefined {
  if (!calls?.length) return undefined;
  return calls.map((c, index) => {
    const fn = (c.function ?? {}) as Json;
    return {
      index,
      id: `call_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`,
      type: "function",
      function: { name: fn.name, arguments: typeof fn.arguments === "string" ? fn.arguments : JSON.stringify(fn.arguments ?? {}) },
    };
  });
}

export function fromOllamaChatResponse(kind: CallKind, body: Json, target: Target): Json {
  if (kind !== "chat") return fromOllamaResponse(kind, body, target);
  const msg = (body.message ?? {}) as Json;
  const toolCalls = toOpenAIToolCalls(msg.tool_calls as Json[] | undefined);
  const message: Json = { role: "assistant", content: String(msg.content ?? "") || (toolCalls ? null : "") };
  if (toolCalls) message.tool_calls = toolCalls.map(({ index: _index, ...call }) => call);
  return {
    id: `chatcmpl-${crypto.randomUUID()}`, object: "chat.completion", created: nowS(), model: target.upstreamModel,
    choices: [{ index: 0, message, finish_reason: toolCalls ? "tool_calls" : toOllamaFinish(body.done_reason), logprobs: null }],
    usage: fromOllamaUsage(body),
  };
}
