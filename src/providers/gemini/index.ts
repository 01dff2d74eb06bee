// `gemini/<model>`: Google AI Studio's generateContent API.
import type { ProviderAdapter } from "../types.ts";
import { fromGeminiError } from "./errors.ts";
import { GEMINI_API_BASE, toGeminiRequest } from "./request.ts";
import { fromGeminiResponse } from "./response.ts";
import { fromGeminiStream } from "./stream.ts";

export const gemini: ProviderAdapter = {
  name: "gemini",
  exceptionName: "GeminiException",
  defaultApiBase: GEMINI_API_BASE,
  capabilities: { chat: true, stream: true, tools: true, embeddings: true, completions: "chat" },
  toRequest: toGeminiRequest,
  fromResponse: fromGeminiResponse,
  fromStream: fromGeminiStream,
  fromError: fromGeminiError,
};
