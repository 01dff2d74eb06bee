// `openai/`, bare model names, and every OpenAI-compatible server reached through api_base.
import type { ProviderAdapter } from "../types.ts";
import { fromOpenAIError } from "./errors.ts";
import { toOpenAIRequest } from "./request.ts";
import { fromOpenAIResponse } from "./response.ts";
import { fromOpenAIStream, passThroughOpenAIStream } from "./stream.ts";

export const OPENAI_API_BASE = "https://api.openai.com/v1";

export function openaiCompatible(name: string, defaultApiBase: string | undefined): ProviderAdapter {
  return {
    name,
    exceptionName: "OpenAIException",
    defaultApiBase,
    capabilities: { chat: true, stream: true, tools: true, embeddings: true, completions: "native" },
    toRequest: toOpenAIRequest,
    fromResponse: fromOpenAIResponse,
    fromStream: (kind, body, target, passThrough) =>
      passThrough ? passThroughOpenAIStream(body, target, passThrough) : fromOpenAIStream(kind, body, target),
    fromError: fromOpenAIError,
  };
}

export const openai = openaiCompatible("openai", OPENAI_API_BASE);
