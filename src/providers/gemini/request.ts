// OpenAI chat → Gemini generateContent. Gemini calls the assistant "model", takes the system
// prompt as systemInstruction, and answers a function call with a functionResponse part that
// names the function (OpenAI names only the call id, so the name is looked up in earlier turns).
import { GatewayError } from "../../errors.ts";
import { checkParams, parseDataUrl, stopList, textOf } from "../params.ts";
import type { CallKind, Json, Target, TranslateOptions, UpstreamRequest } from "../types.ts";

export const GEMINI_API_BASE = "https://generativelanguage.googleapis.com";

const SUPPORTED = new Set([
  "max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k", "stop", "n", "seed", "tools", "tool_choice",
  "presence_penalty", "frequency_penalty", "response_format", "user",
]);

export function geminiHeaders(target: Target): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  // The header keeps the key out of URLs, which end up in logs.
  if (target.apiKey) headers["x-goog-api-key"] = target.apiKey;
  return headers;
}

export function geminiModelUrl(target: Target, method: string): string {
  return `${target.apiBase.replace(/\/+$/, "")}/v1beta/models/${encodeURIComponent(target.upstreamModel)}:${method}`;
}

export function toGeminiRequest(kind: CallKind, body: Json, target: Target, options: TranslateOptions): UpstreamRequest {
  const headers = geminiHeaders(target);
  if (kind === "embedding") {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    if (inputs.some((i) => typeof i !== "string")) throw GatewayError.badRequest("gemini embeddings take strings", "input");
    return {
      url: geminiModelUrl(target, "batchEmbedContents"),
      headers,
      body: {
        requests: inputs.map((text) => ({ model: `models/${target.upstreamModel}`, content: { parts: [{ text }] } })),
      },
    };
  }
  if (kind !== "chat") throw GatewayError.badRequest(`gemini does not support ${kind} calls natively`);
  checkParams("gemini", body, SUPPORTED, options);
  return {
    url: options.stream ? `${geminiModelUrl(target, "streamGenerateContent")}?alt=sse` : geminiModelUrl(target, "generateContent"),
    headers,
    body: toGeminiBody(body),
  };
}

export function toGeminiBody(body: Json): Json {
  const messages = (body.messages as Json[] | undefined) ?? [];
  const system: string[] = [];
  const contents: { role: string; parts: Json[] }[] = [];
  const nameByCallId = new Map<string, string>();
  const push = (role: string, parts: Json[]) => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const m of messages) {
    if (m.role === "system" || m.role === "developer") system.push(textOf(m.content));
    else if (m.role === "assistant") {
      const parts: Json[] = [];
      const text = textOf(m.content);
      if (text) parts.push({ text });
      for (const call of (m.tool_calls as Json[] | undefined) ?? []) {
        const fn = (call.function ?? {}) as Json;
        nameByCallId.set(String(call.id), String(fn.name));
        parts.push({ functionCall: { name: fn.name, args: parseArgs(fn.arguments) } });
      }
      push("model", parts);
    } else if (m.role === "tool" || m.role === "function") {
      const name = nameByCallId.get(String(m.tool_call_id)) ?? String(m.name ?? "tool");
      push("user", [{ functionResponse: { name, response: { content: textOf(m.content) } } }]);
    } else {
      push("user", toUserParts(m.content));
    }
  }
  const out: Json = { contents };
  if (system.length) out.systemInstruction = { parts: [{ text: system.join("\n") }] };
  const config: Json = {};
  const map: [string, string][] = [
    ["temperature", "temperature"], ["top_p", "topP"], ["top_k", "topK"], ["n", "candidateCount"], ["seed", "seed"],
    ["presence_penalty", "presencePenalty"], ["frequency_penalty", "frequencyPenalty"],
  ];
  for (const [from, to] of map) if (body[from] !== undefined && body[from] !== null) config[to] = body[from];
  const maxTokens = body.max_tokens ?? body.max_completion_tokens;
  if (maxTokens !== undefined && maxTokens !== null) config.maxOutputTokens = maxTokens;
  const stop = stopList(body.stop);
  if (stop) config.stopSequences = stop;
  const rf = body.response_format as Json | undefined;
  if (rf?.type === "json_object" || rf?.type === "json_schema") {
    config.responseMimeType = "application/json";
    const schema = (rf.json_schema as Json | undefined)?.schema;
    if (schema) config.responseJsonSchema = schema;
  }
  if (Object.keys(config).length) out.generationConfig = config;
  const tools = body.tools as Json[] | undefined;
  if (tools?.length) {
    out.tools = [{
      functionDeclarations: tools.map((t) => {
        const fn = (t.function ?? {}) as Json;
        return { name: fn.name, description: fn.description, parameters: fn.parameters };
      }),
    }];
  }
  const toolConfig = toToolConfig(body.tool_choice);
  if (toolConfig) out.toolConfig = toolConfig;
  return out;
}

function toUserParts(content: unknown): Json[] {
  if (typeof content === "string") return content ? [{ text: content }] : [];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part: Json): Json[] => {
    if (part.type === "text") return [{ text: part.text }];
    if (part.type === "image_url") {
      const url = typeof part.image_url === "string" ? part.image_url : String((part.image_url as Json)?.url ?? "");
      const data = parseDataUrl(url);
      return [data ? { inlineData: { mimeType: data.mediaType, data: data.data } } : { fileData: { fileUri: url } }];
    }
    return [];
  });
}

function parseArgs(args: unknown): unknown {
  if (typeof args !== "string") return args ?? {};
  try {
    return JSON.parse(args || "{}");
  } catch {
    throw GatewayError.badRequest("tool call arguments must be valid JSON for gemini", "messages");
  }
}

function toToolConfig(choice: unknown): Json | undefined {
  if (choice === "auto") return { functionCallingConfig: { mode: "AUTO" } };
  if (choice === "required") return { functionCallingConfig: { mode: "ANY" } };
  if (choice === "none") return { functionCallingConfig: { mode: "NONE" } };
  if (choice && typeof choice === "object") {
    return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [((choice as Json).function as Json)?.name] } };
  }
  return undefined;
}
