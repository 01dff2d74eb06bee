// OpenAI chat → Anthropic Messages API. Anthropic differs in ways that matter: the system prompt
// is a top-level field, max_tokens is required, tool results are user-turn content blocks, and
// consecutive turns of the same role must be merged.
import { GatewayError } from "../../errors.ts";
import { checkParams, parseDataUrl, stopList, textOf } from "../params.ts";
import { joinUrl } from "../openai/request.ts";
import type { CallKind, Json, Target, TranslateOptions, UpstreamRequest } from "../types.ts";

export const ANTHROPIC_VERSION = "2023-06-01";
// LiteLLM's default when the client sends no max_tokens (Anthropic requires the field).
export const DEFAULT_MAX_TOKENS = 4096;

const SUPPORTED = new Set([
  "max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k", "stop", "tools", "tool_choice",
  "parallel_tool_calls", "user", "metadata", "n",
]);

type Block = Json;
interface AnthropicMessage {
  role: "user" | "assistant";
  content: Block[];
}

export function toAnthropicRequest(kind: CallKind, body: Json, target: Target, options: TranslateOptions): UpstreamRequest {
  if (kind !== "chat") throw GatewayError.badRequest(`anthropic does not support ${kind} calls. Received Model Group=${target.modelGroup}`);
  checkParams("anthropic", body, SUPPORTED, options);
  if (typeof body.n === "number" && body.n > 1) throw GatewayError.badRequest("anthropic does not support n > 1", "n");
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "anthropic-version": ANTHROPIC_VERSION,
  };
  if (target.apiKey) headers["x-api-key"] = target.apiKey;
  return {
    url: joinUrl(target.apiBase, "/v1/messages"),
    headers,
    body: toAnthropicBody(body, target.upstreamModel, options.stream),
  };
}

export function toAnthropicBody(body: Json, model: string, stream: boolean): Json {
  const system: string[] = [];
  const messages: AnthropicMessage[] = [];
  const push = (role: AnthropicMessage["role"], blocks: Block[]) => {
    if (blocks.length === 0) return;
    const last = messages[messages.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const raw of (body.messages as Json[] | undefined) ?? []) {
    const role = raw.role as string;
    if (role === "system" || role === "developer") {
      system.push(textOf(raw.content));
    } else if (role === "user") {
      push("user", toUserBlocks(raw.content));
    } else if (role === "assistant") {
      push("assistant", toAssistantBlocks(raw));
    } else if (role === "tool" || role === "function") {
      push("user", [{ type: "tool_result", tool_use_id: raw.tool_call_id ?? raw.name, content: textOf(raw.content) }]);
    }
  }
  const out: Json = {
    model,
    messages,
    max_tokens: body.max_tokens ?? body.max_completion_tokens ?? DEFAULT_MAX_TOKENS,
  };
  if (system.length > 0) out.system = system.join("\n");
  if (stream) out.stream = true;
  for (const key of ["temperature", "top_p", "top_k"] as const) if (body[key] !== undefined && body[key] !== null) out[key] = body[key];
  const stop = stopList(body.stop);
  if (stop) out.stop_sequences = stop;
  if (typeof body.user === "string") out.metadata = { user_id: body.user };
  const tools = body.tools as Json[] | undefined;
  if (tools?.length) {
    out.tools = tools.map((tool) => {
      const fn = (tool.function ?? {}) as Json;
      return { name: fn.name, description: fn.description, input_schema: fn.parameters ?? { type: "object", properties: {} } };
    });
  }
  const choice = toToolChoice(body.tool_choice, body.parallel_tool_calls);
  if (choice) out.tool_choice = choice;
  return out;
}

function toUserBlocks(content: unknown): Block[] {
  if (typeof content === "string") return content ? [{ type: "text", text: content }] : [];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part: Json): Block[] => {
    if (part.type === "text") return [{ type: "text", text: part.text }];
    if (part.type === "image_url") {
      const url = typeof part.image_url === "string" ? part.image_url : String((part.image_url as Json)?.url ?? "");
      const data = parseDataUrl(url);
      return [data ? { type: "image", source: { type: "base64", media_type: data.mediaType, data: data.data } } : { type: "image", source: { type: "url", url } }];
    }
    return [];
  });
}

function toAssistantBlocks(message: Json): Block[] {
  const blocks: Block[] = [];
  const text = textOf(message.content);
  if (text) blocks.push({ type: "text", text });
  for (const call of (message.tool_calls as Json[] | undefined) ?? []) {
    const fn = (call.function ?? {}) as Json;
    blocks.push({ type: "tool_use", id: call.id, name: fn.name, input: parseArguments(fn.arguments) });
  }
  return blocks;
}

function parseArguments(args: unknown): unknown {
  if (typeof args !== "string") return args ?? {};
  if (args.trim() === "") return {};
  try {
    return JSON.parse(args);
  } catch {
    throw GatewayError.badRequest("tool call arguments must be valid JSON for anthropic", "messages");
  }
}

function toToolChoice(choice: unknown, parallel: unknown): Json | undefined {
  let out: Json | undefined;
  if (choice === "auto") out = { type: "auto" };
  else if (choice === "required") out = { type: "any" };
  else if (choice === "none") out = { type: "none" };
  else if (choice && typeof choice === "object") out = { type: "tool", name: ((choice as Json).function as Json)?.name };
  if (parallel === false) out = { ...(out ?? { type: "auto" }), disable_parallel_tool_use: true };
  return out;
}
