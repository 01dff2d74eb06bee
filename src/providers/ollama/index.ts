// `ollama/<model>`: /api/generate, /api/embed.
import type { ProviderAdapter } from "../types.ts";
import { fromOllamaError } from "./errors.ts";
import { OLLAMA_API_BASE, toOllamaRequest } from "./request.ts";
import { fromOllamaResponse } from "./response.ts";
import { fromOllamaStream } from "./stream.ts";

export const ollama: ProviderAdapter = {
  name: "ollama",
  exceptionName: "OllamaException",
  defaultApiBase: OLLAMA_API_BASE,
  capabilities: { chat: true, stream: true, tools: false, embeddings: true, completions: "native" },
  toRequest: toOllamaRequest,
  fromResponse: fromOllamaResponse,
  fromStream: fromOllamaStream,
  fromError: fromOllamaError,
};
