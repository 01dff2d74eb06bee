// The price table shipped inside the binary: USD per million tokens, the unit providers publish, so
// each line can be checked against the provider's pricing page at a glance.
//
// Update path: edit PRICES_USD_PER_MTOK below (one line per model, keyed by the provider's model
// name without the provider prefix), note the date in PRICES_CHECKED_AT, run `bun test test/spend`,
// and release. Deployments whose price is missing or wrong here can be priced without a release:
// `model_info.input_cost_per_token` / `output_cost_per_token` (USD per token, like LiteLLM) win over
// this table, and `model_info.base_model` names the row to use for an Azure deployment or an alias.
// Sources: openai.com/api/pricing, anthropic.com/pricing, ai.google.dev/gemini-api/docs/pricing,
// mistral.ai/pricing, and LiteLLM's model_prices_and_context_window.json for the same names.

export interface ModelPrice {
  /** USD per million prompt tokens not read from a cache. */
  readonly input: number;
  /** USD per million completion tokens (reasoning tokens included). */
  readonly output: number;
  /** USD per million prompt tokens served from the provider's prompt cache. */
  readonly cachedInput?: number;
  /** USD per million prompt tokens written to the cache (Anthropic charges extra for these). */
  readonly cacheWrite?: number;
}

export const PRICES_CHECKED_AT = "2025-09-15";

const anthropic = (input: number, output: number): ModelPrice => ({
  input,
  output,
  // Anthropic: cache reads cost 0.1x the input price, 5-minute cache writes 1.25x.
  cachedInput: round6(input * 0.1),
  cacheWrite: round6(input * 1.25),
});

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

export const PRICES_USD_PER_MTOK: Readonly<Record<string, ModelPrice>> = {
  // OpenAI (Azure OpenAI bills the same models at the same list prices).
  "gpt-5": { input: 1.25, output: 10, cachedInput: 0.125 },
  "gpt-5-mini": { input: 0.25, output: 2, cachedInput: 0.025 },
  "gpt-5-nano": { input: 0.05, output: 0.4, cachedInput: 0.005 },
  "gpt-4.1": { input: 2, output: 8, cachedInput: 0.5 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6, cachedInput: 0.1 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4, cachedInput: 0.025 },
  "gpt-4o": { input: 2.5, output: 10, cachedInput: 1.25 },
  "gpt-4o-2024-11-20": { input: 2.5, output: 10, cachedInput: 1.25 },
  "gpt-4o-2024-08-06": { input: 2.5, output: 10, cachedInput: 1.25 },
  "gpt-4o-2024-05-13": { input: 5, output: 15 },
  "gpt-4o-mini": { input: 0.15, output: 0.6, cachedInput: 0.075 },
  "gpt-4o-mini-2024-07-18": { input: 0.15, output: 0.6, cachedInput: 0.075 },
  "gpt-4-turbo": { input: 10, output: 30 },
  "gpt-4": { input: 30, output: 60 },
  "gpt-3.5-turbo": { input: 0.5, output: 1.5 },
  "gpt-35-turbo": { input: 0.5, output: 1.5 }, // Azure's spelling
  "o1": { input: 15, output: 60, cachedInput: 7.5 },
  "o1-mini": { input: 1.1, output: 4.4, cachedInput: 0.55 },
  "o3": { input: 2, output: 8, cachedInput: 0.5 },
  "o3-mini": { input: 1.1, output: 4.4, cachedInput: 0.55 },
  "o4-mini": { input: 1.1, output: 4.4, cachedInput: 0.275 },
  "text-embedding-3-small": { input: 0.02, output: 0 },
  "text-embedding-3-large": { input: 0.13, output: 0 },
  "text-embedding-ada-002": { input: 0.1, output: 0 },

  // Anthropic
  "claude-opus-4-1-20250805": anthropic(15, 75),
  "claude-opus-4-20250514": anthropic(15, 75),
  "claude-sonnet-4-5-20250929": anthropic(3, 15),
  "claude-sonnet-4-20250514": anthropic(3, 15),
  "claude-3-7-sonnet-20250219": anthropic(3, 15),
  "claude-3-5-sonnet-20241022": anthropic(3, 15),
  "claude-3-5-sonnet-20240620": anthropic(3, 15),
  "claude-3-5-haiku-20241022": anthropic(0.8, 4),
  "claude-3-opus-20240229": anthropic(15, 75),
  "claude-3-haiku-20240307": anthropic(0.25, 1.25),
  "claude-haiku-4-5-20251001": anthropic(1, 5),

  // Google Gemini (prices for prompts up to the first context tier: 128k or 200k tokens).
  "gemini-2.5-pro": { input: 1.25, output: 10, cachedInput: 0.31 },
  "gemini-2.5-flash": { input: 0.3, output: 2.5, cachedInput: 0.075 },
  "gemini-2.5-flash-lite": { input: 0.1, output: 0.4, cachedInput: 0.025 },
  "gemini-2.0-flash": { input: 0.1, output: 0.4, cachedInput: 0.025 },
  "gemini-2.0-flash-lite": { input: 0.075, output: 0.3 },
  "gemini-1.5-pro": { input: 1.25, output: 5 },
  "gemini-1.5-flash": { input: 0.075, output: 0.3 },
  "text-embedding-004": { input: 0, output: 0 },

  // Mistral
  "mistral-large-latest": { input: 2, output: 6 },
  "mistral-medium-latest": { input: 0.4, output: 2 },
  "mistral-small-latest": { input: 0.1, output: 0.3 },
  "codestral-latest": { input: 0.3, output: 0.9 },
  "open-mistral-nemo": { input: 0.15, output: 0.15 },
  "ministral-8b-latest": { input: 0.1, output: 0.1 },
  "ministral-3b-latest": { input: 0.04, output: 0.04 },
  "mistral-embed": { input: 0.1, output: 0 },
};

// Names people use for the same model: Anthropic's undated aliases and `-latest` names.
const ALIASES: Readonly<Record<string, string>> = {
  "claude-opus-4-1": "claude-opus-4-1-20250805",
  "claude-opus-4-0": "claude-opus-4-20250514",
  "claude-opus-4": "claude-opus-4-20250514",
  "claude-sonnet-4-5": "claude-sonnet-4-5-20250929",
  "claude-sonnet-4-0": "claude-sonnet-4-20250514",
  "claude-sonnet-4": "claude-sonnet-4-20250514",
  "claude-3-7-sonnet-latest": "claude-3-7-sonnet-20250219",
  "claude-3-5-sonnet-latest": "claude-3-5-sonnet-20241022",
  "claude-3-5-haiku-latest": "claude-3-5-haiku-20241022",
  "claude-3-opus-latest": "claude-3-opus-20240229",
  "claude-haiku-4-5": "claude-haiku-4-5-20251001",
  "chatgpt-4o-latest": "gpt-4o",
  "gpt-4-turbo-2024-04-09": "gpt-4-turbo",
  "gpt-3.5-turbo-0125": "gpt-3.5-turbo",
  "mistral-large-2411": "mistral-large-latest",
  "mistral-small-2503": "mistral-small-latest",
  "codestral-2501": "codestral-latest",
};

// Prefixes LiteLLM puts in front of a model name to pick the provider; the price does not depend on
// the route (Azure, Vertex and Bedrock-style routes bill the same list price for these models).
const PROVIDER_PREFIXES = ["openai/", "azure/", "azure_ai/", "anthropic/", "gemini/", "vertex_ai/", "mistral/", "text-completion-openai/"];

/** The price of a model name as written in config (`azure/gpt-4o`, `claude-3-5-haiku-latest`); undefined if unknown. */
export function lookupPrice(model: string): ModelPrice | undefined {
  let name = model.trim().toLowerCase();
  for (const prefix of PROVIDER_PREFIXES) {
    if (name.startsWith(prefix)) {
      name = name.slice(prefix.length);
      break;
    }
  }
  // Gemini accepts `models/gemini-2.0-flash`, the form its REST paths use.
  if (name.startsWith("models/")) name = name.slice("models/".length);
  return PRICES_USD_PER_MTOK[name] ?? PRICES_USD_PER_MTOK[ALIASES[name] ?? ""];
}
