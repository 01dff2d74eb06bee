// `ollama_chat/<model>`: /api/chat for chat (tools included), /api/embed for embeddings.
import { OLLAMA_API_BASE } from "../ollama/request.ts";
import type { ProviderAdapter } from "../types.ts";
import { fromOllamaChatError } from "./errors.ts";
import { toOllamaChatRequest } from "./request.ts";
import { fromOllamaChatResponse } from "./response.ts";
import { fromOllamaChatStream } from "./stream.ts";

export const ollamaChat: ProviderAdapter = {
  name: "ollama_chat",
  exceptionName: "Ollama_chatException",
  defaultApiBase: OLLAMA_API_BASE,
  capabilities: { chat: true, stream: true, tools: true, embeddings: true, completions: "native" },
  toRequest: toOllamaChatRequest,
  fromResponse: fromOllamaChatResponse,
  fromStream: fromOllamaChatStream,
  fromError: fromOllamaChatError,
};
