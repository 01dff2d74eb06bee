// litellm_params.model prefix → adapter. Many providers speak OpenAI's API at their own base URL;
// they share the openai adapter with a different default api_base.
import { anthropic } from "./anthropic/index.ts";
import { azure } from "./azure/index.ts";
import { gemini } from "./gemini/index.ts";
import { ollama } from "./ollama/index.ts";
import { ollamaChat } from "./ollama_chat/index.ts";
import { openai, openaiCompatible } from "./openai/index.ts";
import type { ProviderAdapter } from "./types.ts";

const OPENAI_COMPATIBLE: Record<string, string | undefined> = {
  "text-completion-openai": "https://api.openai.com/v1",
  hosted_vllm: undefined,
  litellm_proxy: undefined,
  groq: "https://api.groq.com/openai/v1",
  together_ai: "https://api.together.xyz/v1",
  openrouter: "https://openrouter.ai/api/v1",
  deepseek: "https://api.deepseek.com/v1",
  mistral: "https://api.mistral.ai/v1",
  xai: "https://api.x.ai/v1",
  fireworks_ai: "https://api.fireworks.ai/inference/v1",
  perplexity: "https://api.perplexity.ai",
  cerebras: "https://api.cerebras.ai/v1",
  deepinfra: "https://api.deepinfra.com/v1/openai",
  lm_studio: "http://localhost:1234/v1",
  nvidia_nim: "https://integrate.api.nvidia.com/v1",
};

const ADAPTERS = new Map<string, ProviderAdapter>([
  ["openai", openai],
  ["azure", azure],
  ["anthropic", anthropic],
  ["ollama", ollama],
  ["ollama_chat", ollamaChat],
  ["gemini", gemini],
  ...Object.entries(OPENAI_COMPATIBLE).map(([name, base]) => [name, openaiCompatible(name, base)] as const),
]);

export const NATIVE_ADAPTERS: readonly ProviderAdapter[] = [openai, azure, anthropic, ollama, ollamaChat, gemini];

export function adapterFor(provider: string): ProviderAdapter | undefined {
  return ADAPTERS.get(provider);
}

/** `anthropic/claude-x` → anthropic + claude-x; a bare or unknown-prefix name is OpenAI's. */
export function splitModel(model: string): { provider: string; name: string } {
  const slash = model.indexOf("/");
  if (slash > 0) {
    const prefix = model.slice(0, slash);
    if (ADAPTERS.has(prefix)) return { provider: prefix, name: model.slice(slash + 1) };
  }
  return { provider: "openai", name: model };
}
