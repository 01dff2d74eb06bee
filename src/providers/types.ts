// The one contract every provider adapter implements. Requests and responses inside Tollgate are
// OpenAI-shaped; an adapter translates to its provider's wire format and back. Every adapter
// folder has the same files: request.ts (toX), response.ts (fromX), stream.ts, errors.ts, index.ts.
import type { LitellmParams, ModelInfo } from "../config/schema.ts";

export type CallKind = "chat" | "completion" | "embedding";

/** An OpenAI request or response body. Loose on purpose: unknown fields are forwarded intact. */
export type Json = Record<string, unknown>;

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  [extra: string]: unknown;
}

/** One configured model_list entry, resolved for a call. */
export interface Deployment {
  /** model_info.id, or a stable hash of the entry when the config gives none. */
  readonly id: string;
  /** The model group (model_name) the entry belongs to. */
  readonly modelName: string;
  readonly params: LitellmParams;
  readonly info: ModelInfo;
}

/** What a call targets: the deployment plus the upstream model name after wildcard expansion. */
export interface Target {
  readonly deployment: Deployment;
  /** The model name the caller asked for (after alias resolution); errors name it. */
  readonly modelGroup: string;
  readonly provider: string;
  /** The model name the provider expects, without the provider prefix. */
  readonly upstreamModel: string;
  readonly apiBase: string;
  readonly apiKey: string | undefined;
}

export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  body: Json;
}

export interface TranslateOptions {
  stream: boolean;
  /** litellm_settings.drop_params: silently drop what the provider cannot take instead of a 400. */
  dropParams: boolean;
}

/** One streamed event in OpenAI form (`chat.completion.chunk` or `text_completion` chunk). */
export type Chunk = Json;

/**
 * OpenAI chunks forwarded as the upstream's own SSE text (`data: ...\n\n` events), neither parsed
 * nor serialised again. Only an OpenAI-format upstream produces them, only for an OpenAI-format
 * client that asked for it (`StreamPassThrough`), and never for a chunk carrying an error. `usage`
 * is the usage one of the events reported (a client that asked for usage sees that chunk as sent);
 * `id` the chunks' id, read from the stream's first text.
 */
export class SseText {
  constructor(
    readonly text: string,
    readonly usage?: Usage,
    readonly id?: string,
    /** The upstream's [DONE] came right after this text: nothing follows it. */
    readonly ends = false,
  ) {}
}

export type StreamItem = Chunk | SseText;

/** Whether nothing follows the item: text the upstream's [DONE] came with. */
export const endsStream = (item: unknown): boolean => item instanceof SseText && item.ends;

/** A chunk as a client that did not ask for usage (stream_options.include_usage) sees it: none at all without choices. */
export function visibleChunk(chunk: Chunk, includeUsage: boolean): Chunk | undefined {
  if (includeUsage || !("usage" in chunk)) return chunk;
  const choices = chunk.choices as unknown[] | undefined;
  if (!choices || choices.length === 0) return undefined;
  const { usage: _usage, ...rest } = chunk;
  return rest;
}

/** A stream asked for without `StreamPassThrough` holds chunks only (the adapters' contract). */
export const chunksOnly = (items: AsyncGenerator<StreamItem>) => items as AsyncGenerator<Chunk>;

export const usageOfItem = (item: StreamItem): Usage | undefined => (item instanceof SseText ? item.usage : (item.usage as Usage | undefined));

/** The answer's id as the client sees it (OpenAI chunks all carry the same one). */
export function responseIdOfItem(item: StreamItem): string | undefined {
  return typeof item.id === "string" ? item.id : undefined;
}

/** Asked by the OpenAI routes: chunks an OpenAI-format upstream sends may be passed on as text. */
export interface StreamPassThrough {
  /** The client asked for usage (stream_options.include_usage): a `"usage": null` chunk may pass as it is. */
  includeUsage: boolean;
}

/** The provider's own error, already parsed from its body. */
export interface UpstreamErrorDetail {
  message: string;
  /** The provider's own error type/status string, when it sends one. */
  providerType?: string;
}

export interface Capabilities {
  chat: boolean;
  stream: boolean;
  tools: boolean;
  embeddings: boolean;
  /** "native" calls a text-completion endpoint; "chat" serves /completions through the chat API. */
  completions: "native" | "chat" | false;
}

export interface ProviderAdapter {
  readonly name: string;
  /** The display name used in error messages, like LiteLLM's `OpenAIException`. */
  readonly exceptionName: string;
  readonly defaultApiBase: string | undefined;
  readonly capabilities: Capabilities;
  /** Builds the upstream request for a call kind the adapter supports natively. */
  toRequest(kind: CallKind, body: Json, target: Target, options: TranslateOptions): UpstreamRequest;
  /** Turns a provider's JSON response into the OpenAI response for that call kind. */
  fromResponse(kind: CallKind, body: Json, target: Target): Json;
  /**
   * Turns the provider's streamed body into OpenAI chunks; the last chunk carries `usage`. With
   * `passThrough`, an adapter whose provider already speaks OpenAI may yield `SseText` instead.
   */
  fromStream(kind: CallKind, body: ReadableStream<Uint8Array>, target: Target, passThrough?: StreamPassThrough): AsyncIterable<StreamItem>;
  /** Reads the provider's error body (any format) into a message. */
  fromError(status: number, text: string): UpstreamErrorDetail;
}
