// Anthropic Messages response → OpenAI chat.completion.
import type { CallKind, Json, Target, Usage } from "../types.ts";
import { nowS } from "../params.ts";

const FINISH_BY_STOP_REASON: Record<string, string> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
  pause_turn: "stop",
  refusal: "content_filter",
};

export const toFinishReason = (stopReason: unknown) =>
  typeof stopReason === "string" ? (FINISH_BY_STOP_REASON[stopReason] ?? "stop") : null;

/**
 * Anthropic counts cached input apart; OpenAI's prompt_tokens includes it. Like LiteLLM, the usage
 * also carries Anthropic's cache_read_input_tokens and cache_creation_input_tokens: cache writes
 * cost more than plain input (cache_creation_input_token_cost) and nothing in OpenAI's shape says
 * how many there were (src/spend/cost.ts tokenUsageOf reads them).
 */
export function fromAnthropicUsage(usage: Json | undefined): Usage {
  const cacheRead = Number(usage?.cache_read_input_tokens ?? 0);
  const cacheWrite = Number(usage?.cache_creation_input_tokens ?? 0);
  const prompt = Number(usage?.input_tokens ?? 0) + cacheRead + cacheWrite;
  const completion = Number(usage?.output_tokens ?? 0);
  const out: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (cacheRead) out.prompt_tokens_details = { cached_tokens: cacheRead };
  if (cacheRead || cacheWrite) Object.assign(out, { cache_read_input_tokens: cacheRead, cache_creation_input_tokens: cacheWrite });
  return out;
}

export function fromAnthropicResponse(_kind: CallKind, body: Json, target: Target): Json {
  let text = "";
  const toolCalls: Json[] = [];
  for (const block of (body.content as Json[] | undefined) ?? []) {
    if (block.type === "text") text += String(block.text ?? "");
    else if (block.type === "tool_use") {
      toolCalls.push({
        id: block.id,
        type: "function",
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    }
  }
  const message: Json = { role: "assistant", content: text || (toolCalls.length ? null : "") };
  if (toolCalls.length) message.tool_calls = toolCalls;
  return {
    id: body.id ?? `chatcmpl-${crypto.randomUUID()}`,
    object: "chat.completion",
    created: nowS(),
    model: body.model ?? target.upstreamModel,
    choices: [{ index: 0, message, finish_reason: toFinishReason(body.stop_reason) ?? "stop", logprobs: null }],
    usage: fromAnthropicUsage(body.usage as Json | undefined),
  };
}
