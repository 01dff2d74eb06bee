// `anthropic/<model>`: the Messages API.
import type { ProviderAdapter } from "../types.ts";
import { fromAnthropicError } from "./errors.ts";
import { toAnthropicRequest } from "./request.ts";
import { fromAnthropicResponse } from "./response.ts";
import { fromAnthropicStream } from "./stream.ts";

export const anthropic: ProviderAdapter = {
  name: "anthropic",
  exceptionName: "AnthropicException",
  defaultApiBase: "https://api.anthropic.com",
  capabilities: { chat: true, stream: true, tools: true, embeddings: false, completions: "chat" },
  toRequest: toAnthropicRequest,
  fromResponse: fromAnthropicResponse,
  fromStream: fromAnthropicStream,
  fromError: fromAnthropicError,
};
