// OpenAI's own wire format: the body goes out as the client sent it, only `model` rewritten, so
// parameters Tollgate has never heard of still reach OpenAI-compatible servers.
import type { CallKind, Json, Target, TranslateOptions, UpstreamRequest } from "../types.ts";

const PATH_BY_KIND: Record<CallKind, string> = {
  chat: "/chat/completions",
  completion: "/completions",
  embedding: "/embeddings",
};

export function openaiPath(kind: CallKind): string {
  return PATH_BY_KIND[kind];
}

const asksForUsage = (body: Json) => body.stream === true && (body.stream_options as Json | undefined)?.include_usage === true;

/**
 * The OpenAI body for a call: model rewritten and, when streaming, usage always requested. A body
 * that needs none of it is returned as it is (the same object), so it can go out as the client's text.
 */
export function toOpenAIBody(kind: CallKind, body: Json, model: string, options: TranslateOptions): Json {
  if (body.model === model && (kind === "embedding" || (options.stream ? asksForUsage(body) : !("stream_options" in body)))) return body;
  const out: Json = { ...body, model };
  if (kind !== "embedding" && options.stream) {
    out.stream = true;
    // Budgets and rate limits need usage; the proxy strips it again if the client did not ask.
    out.stream_options = { ...(body.stream_options as Json | undefined), include_usage: true };
  } else if (kind !== "embedding") {
    delete out.stream_options;
  }
  return out;
}

export function toOpenAIRequest(kind: CallKind, body: Json, target: Target, options: TranslateOptions): UpstreamRequest {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
  const organization = (target.deployment.params as Record<string, unknown>).organization;
  if (typeof organization === "string") headers["openai-organization"] = organization;
  return {
    url: joinUrl(target.apiBase, openaiPath(kind)),
    headers,
    body: toOpenAIBody(kind, body, target.upstreamModel, options),
  };
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}
