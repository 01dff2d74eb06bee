// Ollama's native API. `ollama/` uses /api/generate (one prompt), so chat messages are folded
// into a prompt; ollama_chat/ (its own folder) uses /api/chat. Ollama streams unless told not
// to, so `stream` is always sent explicitly.
import { GatewayError } from "../../errors.ts";
import { checkParams, parseDataUrl, stopList, textOf } from "../params.ts";
import { joinUrl } from "../openai/request.ts";
import type { CallKind, Json, Target, TranslateOptions, UpstreamRequest } from "../types.ts";

export const OLLAMA_API_BASE = "http://localhost:11434";

export const OLLAMA_PARAMS = new Set([
  "max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k", "stop", "seed", "frequency_penalty",
  "presence_penalty", "response_format", "user", "keep_alive",
]);

export function toOllamaOptions(body: Json): Json {
  const options: Json = {};
  const copy: [string, string][] = [
    ["temperature", "temperature"], ["top_p", "top_p"], ["top_k", "top_k"], ["seed", "seed"],
    ["frequency_penalty", "frequency_penalty"], ["presence_penalty", "presence_penalty"],
  ];
  for (const [from, to] of copy) if (body[from] !== undefined && body[from] !== null) options[to] = body[from];
  const maxTokens = body.max_tokens ?? body.max_completion_tokens;
  if (maxTokens !== undefined && maxTokens !== null) options.num_predict = maxTokens;
  const stop = stopList(body.stop);
  if (stop) options.stop = stop;
  return options;
}

/** response_format → Ollama's `format` ("json" or a JSON schema). */
export function toOllamaFormat(responseFormat: unknown): unknown {
  const rf = responseFormat as Json | undefined;
  if (rf?.type === "json_object") return "json";
  if (rf?.type === "json_schema") return (rf.json_schema as Json | undefined)?.schema;
  return undefined;
}

export function ollamaHeaders(target: Target): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
  return headers;
}

/** Images of OpenAI content parts as Ollama wants them: bare base64 strings. */
export function ollamaImages(content: unknown): string[] {
  if (!Array.isArray(content)) return [];
  return content.flatMap((part: Json) => {
    if (part.type !== "image_url") return [];
    const url = typeof part.image_url === "string" ? part.image_url : String((part.image_url as Json)?.url ?? "");
    const data = parseDataUrl(url);
    return data ? [data.data] : [];
  });
}

export function toOllamaRequest(kind: CallKind, body: Json, target: Target, options: TranslateOptions): UpstreamRequest {
  const headers = ollamaHeaders(target);
  if (kind === "embedding") {
    return { url: joinUrl(target.apiBase, "/api/embed"), headers, body: { model: target.upstreamModel, input: body.input } };
  }
  checkParams("ollama", body, OLLAMA_PARAMS, options);
  const out: Json = { model: target.upstreamModel, stream: options.stream, options: toOllamaOptions(body) };
  const format = toOllamaFormat(body.response_format);
  if (format !== undefined) out.format = format;
  if (body.keep_alive !== undefined) out.keep_alive = body.keep_alive;
  if (kind === "completion") {
    if (typeof body.prompt !== "string") throw GatewayError.badRequest("ollama takes a single string prompt", "prompt");
    out.prompt = body.prompt;
  } else {
    const { system, prompt, images } = toPrompt((body.messages as Json[] | undefined) ?? []);
    out.prompt = prompt;
    if (system) out.system = system;
    if (images.length) out.images = images;
  }
  return { url: joinUrl(target.apiBase, "/api/generate"), headers, body: out };
}

/** Chat turns folded into one prompt, the way LiteLLM's ollama prompt template does. */
function toPrompt(messages: Json[]): { system: string; prompt: string; images: string[] } {
  const system: string[] = [];
  const parts: string[] = [];
  const images: string[] = [];
  for (const m of messages) {
    const text = textOf(m.content);
    images.push(...ollamaImages(m.content));
    if (m.role === "system" || m.role === "developer") system.push(text);
    else if (m.role === "assistant") parts.push(`### Assistant:\n${text}`);
    else parts.push(`### User:\n${text}`);
  }
  parts.push("### Assistant:\n");
  return { system: system.join("\n"), prompt: parts.join("\n\n"), images };
}
