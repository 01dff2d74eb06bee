// The cost of one call in integer nano-USD. Prices are turned into integer pico-USD per token first
// so that the only rounding is the final pico → nano step (one rounding per request, not per token
// class), which keeps the header, the key's spend and the spend-log row identical.
import type { LitellmParams, ModelInfo } from "../config/schema.ts";
import { lookupPrice } from "./prices.ts";

/** Tokens of one call. Cached and cache-write tokens are part of promptTokens (OpenAI's convention). */
export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cachedPromptTokens?: number;
  readonly cacheWritePromptTokens?: number;
}

/** The part of a deployment that prices it (structurally a providers/types.ts Deployment). */
export interface PricedDeployment {
  readonly params: Pick<LitellmParams, "model">;
  readonly info?: ModelInfo;
}

/** Per-token prices in integer pico-USD (1e-12 USD). */
export interface TokenPricesPico {
  readonly input: number;
  readonly output: number;
  readonly cachedInput: number;
  readonly cacheWrite: number;
}

const PICO_PER_USD = 1e12;
const PICO_PER_NANO = 1_000;

const perMillionToPico = (usdPerMtok: number) => Math.round(usdPerMtok * 1e6);
const perTokenToPico = (usdPerToken: number) => Math.round(usdPerToken * PICO_PER_USD);

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined);

/**
 * Prices for a deployment: model_info.*_cost_per_token wins field by field; otherwise the table row
 * of model_info.base_model, else of litellm_params.model. Unknown → all zero (LiteLLM: free unless priced).
 */
export function pricesFor(d: PricedDeployment): TokenPricesPico {
  const info = (d.info ?? {}) as ModelInfo & Record<string, unknown>;
  const row = lookupPrice(info.base_model ?? d.params.model) ?? (info.base_model ? lookupPrice(d.params.model) : undefined);
  const inputOverride = num(info.input_cost_per_token);
  const input = inputOverride !== undefined ? perTokenToPico(inputOverride) : perMillionToPico(row?.input ?? 0);
  const output = num(info.output_cost_per_token) !== undefined ? perTokenToPico(info.output_cost_per_token!) : perMillionToPico(row?.output ?? 0);
  // An operator who priced input by hand did not mean the table's cache discount to apply.
  const cachedOverride = num(info.cache_read_input_token_cost);
  const cachedInput =
    cachedOverride !== undefined
      ? perTokenToPico(cachedOverride)
      : inputOverride === undefined && row?.cachedInput !== undefined
        ? perMillionToPico(row.cachedInput)
        : input;
  const writeOverride = num(info.cache_creation_input_token_cost);
  const cacheWrite =
    writeOverride !== undefined
      ? perTokenToPico(writeOverride)
      : inputOverride === undefined && row?.cacheWrite !== undefined
        ? perMillionToPico(row.cacheWrite)
        : input;
  return { input, output, cachedInput, cacheWrite };
}

const count = (n: number | undefined) => (n !== undefined && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);

export function costNanoUsd(usage: TokenUsage, prices: TokenPricesPico): number {
  const prompt = count(usage.promptTokens);
  const cached = Math.min(count(usage.cachedPromptTokens), prompt);
  const written = Math.min(count(usage.cacheWritePromptTokens), prompt - cached);
  const plain = prompt - cached - written;
  const pico =
    plain * prices.input + cached * prices.cachedInput + written * prices.cacheWrite + count(usage.completionTokens) * prices.output;
  return Math.round(pico / PICO_PER_NANO);
}

// Deployments are replaced, never edited in place, when models change: their prices can be kept.
const pricesByDeployment = new WeakMap<PricedDeployment, TokenPricesPico>();

/** Cost of a call on a deployment, in nano-USD. */
export function deploymentCostNanoUsd(usage: TokenUsage, d: PricedDeployment): number {
  let prices = pricesByDeployment.get(d);
  if (!prices) {
    prices = pricesFor(d);
    pricesByDeployment.set(d, prices);
  }
  return costNanoUsd(usage, prices);
}

/**
 * Reads an OpenAI-shaped `usage` object (as every adapter returns it). Cached tokens come from
 * prompt_tokens_details.cached_tokens (OpenAI, Azure, Gemini via LiteLLM) or Anthropic's
 * cache_read_input_tokens / cache_creation_input_tokens, which LiteLLM also copies into usage.
 */
export function tokenUsageOf(usage: Record<string, unknown> | undefined | null): TokenUsage {
  if (!usage) return { promptTokens: 0, completionTokens: 0 };
  const details = usage.prompt_tokens_details as Record<string, unknown> | undefined;
  const cached = num(details?.cached_tokens) ?? num(usage.cache_read_input_tokens) ?? 0;
  const written = num(usage.cache_creation_input_tokens) ?? 0;
  return {
    promptTokens: num(usage.prompt_tokens) ?? num(usage.input_tokens) ?? 0,
    completionTokens: num(usage.completion_tokens) ?? num(usage.output_tokens) ?? 0,
    cachedPromptTokens: cached,
    cacheWritePromptTokens: written,
  };
}
