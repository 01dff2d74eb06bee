// Anthropic's Messages API as an ingress: a Messages request becomes an OpenAI chat request for
// the common pipeline (so any configured model can serve it), and the OpenAI answer or chunks are
// turned back into an Anthropic message or Anthropic streaming events.
import { GatewayError } from "../errors.ts";
import type { Chunk, Json } from "../providers/types.ts";
import { tokenUsageOf } from "../spend/cost.ts";

type Block = Json;

export function fromMessagesRequest(body: Json): Json {
  const messages: Json[] = [];
  const system = body.system;
  if (typeof system === "string" && system) messages.push({ role: "system", content: system });
  else if (Array.isArray(system)) {
    const text = system.map((b: Block) => (b.type === "text" ? String(b.text ?? "") : "")).join("\n");
    if (text) messages.push({ role: "system", content: text });
  }
  for (const m of (body.messages as Json[] | undefined) ?? []) {
    if (m.role === "assistant") messages.push(toAssistantMessage(m.content));
    else messages.push(...toUserMessages(m.content));
  }
  const out: Json = { model: body.model, messages, max_tokens: body.max_tokens };
  for (const key of ["temperature", "top_p", "stream", "mock_response", "metadata"] as const) {
    if (body[key] !== undefined) out[key] = body[key];
  }
  if (Array.isArray(body.stop_sequences)) out.stop = body.stop_sequences;
  const userId = (body.metadata as Json | undefined)?.user_id;
  if (typeof userId === "string") out.user = userId;
  if (Array.isArray(body.tools) && body.tools.length) {
    out.tools = body.tools.map((t: Json) => ({
      type: "function",
      function: { name: t.name, description: t.description, parameters: t.input_schema ?? { type: "object", properties: {} } },
    }));
  }
  const choice = body.tool_choice as Json | undefined;
  if (choice?.type === "auto") out.tool_choice = "auto";
  else if (choice?.type === "any") out.tool_choice = "required";
  else if (choice?.type === "none") out.tool_choice = "none";
  else if (choice?.type === "tool") out.tool_choice = { type: "function", function: { name: choice.name } };
  if (choice?.disable_parallel_tool_use === true) out.parallel_tool_calls = false;
  return out;
}

function toUserMessages(content: unknown): Json[] {
  if (typeof content === "string") return [{ role: "user", content }];
  if (!Array.isArray(content)) throw GatewayError.badRequest("messages[].content must be a string or an array of blocks", "messages");
  const out: Json[] = [];
  const parts: Json[] = [];
  for (const block of content as Block[]) {
    if (block.type === "tool_result") {
      // OpenAI wants each tool result as its own message, before the user's further content.
      const c = block.content;
      const text = typeof c === "string" ? c : Array.isArray(c) ? c.map((b: Block) => (b.type === "text" ? String(b.text ?? "") : "")).join("") : "";
      out.push({ role: "tool", tool_call_id: block.tool_use_id, content: text });
    } else if (block.type === "text") {
      parts.push({ type: "text", text: block.text });
    } else if (block.type === "image") {
      const source = (block.source ?? {}) as Json;
      const url = source.type === "base64" ? `data:${source.media_type};base64,${source.data}` : String(source.url ?? "");
      parts.push({ type: "image_url", image_url: { url } });
    }
  }
  if (parts.length) {
    const onlyText = parts.every((p) => p.type === "text");
    out.push({ role: "user", content: onlyText ? parts.map((p) => p.text).join("") : parts });
  }
  return out;
}

function toAssistantMessage(content: unknown): Json {
  if (typeof content === "string") return { role: "assistant", content };
  let text = "";
  const toolCalls: Json[] = [];
  for (const block of (content as Block[] | undefined) ?? []) {
    if (block.type === "text") text += String(block.text ?? "");
    else if (block.type === "tool_use") {
      toolCalls.push({ id: block.id, type: "function", function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) } });
    }
  }
  const out: Json = { role: "assistant", content: text || null };
  if (toolCalls.length) out.tool_calls = toolCalls;
  return out;
}

const STOP_REASON: Record<string, string> = { stop: "end_turn", length: "max_tokens", tool_calls: "tool_use", function_call: "tool_use", content_filter: "refusal" };
const toStopReason = (finish: unknown) => (typeof finish === "string" ? (STOP_REASON[finish] ?? "end_turn") : "end_turn");

// The upstream answer's own id, as LiteLLM passes it on: the id the client sees is the one its
// spend log is found by (/spend/logs?request_id=). A random msg_ id only when the upstream sent none.
const messageId = (id: unknown) => (typeof id === "string" && id !== "" ? id : `msg_${crypto.randomUUID().replaceAll("-", "")}`);

function parseInput(args: unknown): unknown {
  if (typeof args !== "string" || args === "") return {};
  try {
    return JSON.parse(args);
  } catch {
    return {};
  }
}

export function toMessagesResponse(chat: Json, model: string): Json {
  const choice = ((chat.choices as Json[] | undefined) ?? [])[0] ?? {};
  const message = (choice.message ?? {}) as Json;
  const content: Block[] = [];
  if (typeof message.content === "string" && message.content) content.push({ type: "text", text: message.content });
  for (const call of (message.tool_calls as Json[] | undefined) ?? []) {
    const fn = (call.function ?? {}) as Json;
    content.push({ type: "tool_use", id: call.id, name: fn.name, input: parseInput(fn.arguments) });
  }
  return {
    id: messageId(chat.id),
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: toStopReason(choice.finish_reason),
    stop_sequence: null,
    usage: toMessagesUsage((chat.usage ?? {}) as Json),
  };
}

/**
 * Chat usage in Anthropic's terms: input_tokens leaves out the prompt tokens read from or written
 * to the cache, which Anthropic counts apart (cache_read_input_tokens, cache_creation_input_tokens);
 * those two appear when the upstream reported caching.
 */
export function toMessagesUsage(usage: Json): Json {
  const { promptTokens, completionTokens, cachedPromptTokens = 0, cacheWritePromptTokens = 0 } = tokenUsageOf(usage);
  const out: Json = { input_tokens: Math.max(0, promptTokens - cachedPromptTokens - cacheWritePromptTokens), output_tokens: completionTokens };
  const reported = (usage.prompt_tokens_details as Json | undefined)?.cached_tokens !== undefined || "cache_read_input_tokens" in usage || "cache_creation_input_tokens" in usage;
  if (reported) Object.assign(out, { cache_creation_input_tokens: cacheWritePromptTokens, cache_read_input_tokens: cachedPromptTokens });
  return out;
}

export interface MessagesEvent {
  type: string;
  [field: string]: unknown;
}

/** OpenAI chunks → Anthropic's event sequence (message_start … message_stop). */
export async function* toMessagesEvents(chunks: AsyncIterable<Chunk>, model: string): AsyncGenerator<MessagesEvent> {
  let started = false;
  let blockIndex = -1;
  let openBlock: "text" | "tool_use" | undefined;
  const toolBlockByIndex = new Map<number, number>();
  let stopReason = "end_turn";
  let usage: Json = {};
  const closeBlock = function* (): Generator<MessagesEvent> {
    if (openBlock) yield { type: "content_block_stop", index: blockIndex };
    openBlock = undefined;
  };
  for await (const chunk of chunks) {
    if (!started) {
      started = true;
      yield {
        type: "message_start",
        message: { id: messageId(chunk.id), type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } },
      };
    }
    if (chunk.usage) usage = chunk.usage as Json;
    const choice = ((chunk.choices as Json[] | undefined) ?? [])[0];
    if (!choice) continue;
    const delta = (choice.delta ?? {}) as Json;
    if (typeof delta.content === "string" && delta.content) {
      if (openBlock !== "text") {
        yield* closeBlock();
        blockIndex++;
        openBlock = "text";
        yield { type: "content_block_start", index: blockIndex, content_block: { type: "text", text: "" } };
      }
      yield { type: "content_block_delta", index: blockIndex, delta: { type: "text_delta", text: delta.content } };
    }
    for (const call of (delta.tool_calls as Json[] | undefined) ?? []) {
      const toolIndex = Number(call.index ?? 0);
      const fn = (call.function ?? {}) as Json;
      if (!toolBlockByIndex.has(toolIndex)) {
        yield* closeBlock();
        blockIndex++;
        openBlock = "tool_use";
        toolBlockByIndex.set(toolIndex, blockIndex);
        yield { type: "content_block_start", index: blockIndex, content_block: { type: "tool_use", id: call.id ?? `toolu_${crypto.randomUUID().replaceAll("-", "")}`, name: fn.name, input: {} } };
      }
      if (typeof fn.arguments === "string" && fn.arguments) {
        yield { type: "content_block_delta", index: toolBlockByIndex.get(toolIndex), delta: { type: "input_json_delta", partial_json: fn.arguments } };
      }
    }
    if (choice.finish_reason) stopReason = toStopReason(choice.finish_reason);
  }
  if (!started) {
    yield { type: "message_start", message: { id: messageId(undefined), type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } } };
  }
  yield* closeBlock();
  yield {
    type: "message_delta",
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: toMessagesUsage(usage),
  };
  yield { type: "message_stop" };
}
