// Anthropic's streaming events → chat.completion.chunk. message_start carries the input tokens,
// message_delta the stop reason and output tokens; tool_use blocks stream their JSON input in
// pieces, which map onto OpenAI's tool_calls[index].function.arguments deltas.
import { readSse } from "../sse.ts";
import type { CallKind, Chunk, Json, Target } from "../types.ts";
import { upstreamError } from "../upstream-error.ts";
import { nowS } from "../params.ts";
import { fromAnthropicUsage, toFinishReason } from "./response.ts";

export async function* fromAnthropicStream(_kind: CallKind, body: ReadableStream<Uint8Array>, target: Target): AsyncGenerator<Chunk> {
  let id = `chatcmpl-${crypto.randomUUID()}`;
  let model = target.upstreamModel;
  const created = nowS();
  let usage: Json = {};
  let finish: string | null = null;
  // Anthropic numbers all content blocks; OpenAI numbers tool calls only.
  const toolIndexByBlock = new Map<number, number>();
  const chunk = (delta: Json, finishReason: string | null = null): Chunk => ({
    id, object: "chat.completion.chunk", created, model,
    choices: [{ index: 0, delta, finish_reason: finishReason, logprobs: null }],
  });

  for await (const event of readSse(body)) {
    const data = JSON.parse(event.data) as Json;
    switch (data.type) {
      case "message_start": {
        const message = (data.message ?? {}) as Json;
        if (typeof message.id === "string") id = message.id;
        if (typeof message.model === "string") model = message.model;
        usage = { ...(message.usage as Json) };
        yield chunk({ role: "assistant", content: "" });
        break;
      }
      case "content_block_start": {
        const block = (data.content_block ?? {}) as Json;
        if (block.type === "tool_use") {
          const index = toolIndexByBlock.size;
          toolIndexByBlock.set(Number(data.index), index);
          yield chunk({ tool_calls: [{ index, id: block.id, type: "function", function: { name: block.name, arguments: "" } }] });
        } else if (block.type === "text" && block.text) {
          yield chunk({ content: block.text });
        }
        break;
      }
      case "content_block_delta": {
        const delta = (data.delta ?? {}) as Json;
        if (delta.type === "text_delta") yield chunk({ content: delta.text });
        else if (delta.type === "input_json_delta") {
          const index = toolIndexByBlock.get(Number(data.index)) ?? 0;
          yield chunk({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] });
        }
        break;
      }
      case "message_delta": {
        const delta = (data.delta ?? {}) as Json;
        finish = toFinishReason(delta.stop_reason);
        usage = { ...usage, ...(data.usage as Json) };
        yield chunk({}, finish ?? "stop");
        break;
      }
      case "message_stop":
        yield { id, object: "chat.completion.chunk", created, model, choices: [], usage: fromAnthropicUsage(usage) };
        return;
      case "error": {
        const error = (data.error ?? {}) as Json;
        const status = error.type === "overloaded_error" ? 529 : error.type === "rate_limit_error" ? 429 : 500;
        throw upstreamError(target, "AnthropicException", status, { message: String(error.message ?? "stream failed") });
      }
    }
  }
}
