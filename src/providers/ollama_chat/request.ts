// `ollama_chat/`: Ollama's /api/chat, which takes turns, images and tools natively. Tool call
// arguments are JSON objects there, not strings.
import { checkParams, textOf } from "../params.ts";
import { joinUrl } from "../openai/request.ts";
import { OLLAMA_PARAMS, ollamaHeaders, ollamaImages, toOllamaFormat, toOllamaOptions, toOllamaRequest } from "../ollama/request.ts";
import type { CallKind, Json, Target, TranslateOptions, UpstreamRequest } from "../types.ts";

const SUPPORTED = new Set([...OLLAMA_PARAMS, "tools", "tool_choice"]);

export function toOllamaChatRequest(kind: CallKind, body: Json, target: Target, options: TranslateOptions): UpstreamRequest {
  if (kind !== "chat") return toOllamaRequest(kind, body, target, options);
  checkParams("ollama_chat", body, SUPPORTED, options);
  const out: Json = {
    model: target.upstreamModel,
    stream: options.stream,
    messages: ((body.messages as Json[] | undefined) ?? []).map(toOllamaMessage),
    options: toOllamaOptions(body),
  };
  const format = toOllamaFormat(body.response_format);
  if (format !== undefined) out.format = format;
  if (body.keep_alive !== undefined) out.keep_alive = body.keep_alive;
  // Ollama has no tool_choice; "none" is honoured by not offering the tools.
  if (Array.isArray(body.tools) && body.tools.length && body.tool_choice !== "none") out.tools = body.tools;
  return { url: joinUrl(target.apiBase, "/api/chat"), headers: ollamaHeaders(target), body: out };
}

function toOllamaMessage(m: Json): Json {
  const role = m.role === "developer" ? "system" : String(m.role);
  const out: Json = { role, content: textOf(m.content) };
  const images = ollamaImages(m.content);
  if (images.length) out.images = images;
  const calls = m.tool_calls as Json[] | undefined;
  if (calls?.length) {
    out.tool_calls = calls.map((c) => {
      const fn = (c.function ?? {}) as Json;
      let args: unknown = fn.arguments;
      if (typeof args === "string") {
        try {
          args = JSON.parse(args || "{}");
        } catch {
          args = {};
        }
      }
      return { function: { name: fn.name, arguments: args } };
    });
  }
  if (role === "tool" && typeof m.name === "string") out.tool_name = m.name;
  return out;
}
