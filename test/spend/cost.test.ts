import { describe, expect, test } from "bun:test";
import { costNanoUsd, deploymentCostNanoUsd, pricesFor, tokenUsageOf } from "../../src/spend/cost.ts";
import { lookupPrice, PRICES_USD_PER_MTOK } from "../../src/spend/prices.ts";

const dep = (model: string, info: Record<string, unknown> = {}) => ({ params: { model }, info });

describe("price lookup", () => {
  test.each([
    ["gpt-4o", 2.5, 10],
    ["openai/gpt-4o", 2.5, 10],
    ["azure/gpt-4o", 2.5, 10],
    ["AZURE/GPT-4O-MINI", 0.15, 0.6],
    ["azure/gpt-35-turbo", 0.5, 1.5],
    ["anthropic/claude-3-5-haiku-20241022", 0.8, 4],
    ["claude-3-5-haiku-latest", 0.8, 4],
    ["gemini/gemini-2.0-flash", 0.1, 0.4],
    ["vertex_ai/gemini-2.5-pro", 1.25, 10],
    ["gemini/models/gemini-1.5-flash", 0.075, 0.3],
    ["mistral/mistral-large-latest", 2, 6],
  ])("%s → %p in, %p out per Mtok", (model, input, output) => {
    expect(lookupPrice(model)).toMatchObject({ input, output });
  });

  test("unknown models have no price", () => {
    expect(lookupPrice("my-finetune")).toBeUndefined();
    expect(lookupPrice("ollama/llama3")).toBeUndefined();
  });

  test("every row is non-negative and every cached price is below the input price", () => {
    for (const [name, p] of Object.entries(PRICES_USD_PER_MTOK)) {
      expect({ name, ok: p.input >= 0 && p.output >= 0 }).toEqual({ name, ok: true });
      if (p.cachedInput !== undefined) expect({ name, ok: p.cachedInput <= p.input }).toEqual({ name, ok: true });
    }
  });

  test("Anthropic cache prices follow the 0.1x read / 1.25x write rule", () => {
    expect(lookupPrice("claude-sonnet-4-20250514")).toEqual({ input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 });
  });
});

describe("cost in nano-USD", () => {
  // Expected values worked out by hand: tokens × USD/Mtok × 1000 = nano-USD.
  test.each([
    ["gpt-4o", { promptTokens: 1000, completionTokens: 500 }, 1000 * 2500 + 500 * 10_000],
    ["azure/gpt-4o", { promptTokens: 1000, completionTokens: 500 }, 7_500_000],
    ["gpt-4o", { promptTokens: 1000, completionTokens: 0, cachedPromptTokens: 400 }, 600 * 2500 + 400 * 1250],
    ["gpt-4o-mini", { promptTokens: 3, completionTokens: 7 }, 3 * 150 + 7 * 600],
    // 0.075 $/Mtok cached = 75 nano-USD per token
    ["gpt-4o-mini", { promptTokens: 10, completionTokens: 0, cachedPromptTokens: 10 }, 750],
    // 0.025 $/Mtok cached = 25 nano-USD per token
    ["gpt-4.1-nano", { promptTokens: 1, completionTokens: 0, cachedPromptTokens: 1 }, 25],
    ["gemini-2.0-flash-lite", { promptTokens: 1, completionTokens: 1 }, 75 + 300],
    ["claude-3-5-sonnet-20241022", { promptTokens: 1000, completionTokens: 100, cachedPromptTokens: 200, cacheWritePromptTokens: 300 }, 500 * 3000 + 200 * 300 + 300 * 3750 + 100 * 15_000],
    ["unknown-model", { promptTokens: 1000, completionTokens: 1000 }, 0],
    ["gpt-4o", { promptTokens: 0, completionTokens: 0 }, 0],
  ])("%s %o → %d", (model, usage, expected) => {
    expect(deploymentCostNanoUsd(usage, dep(model))).toBe(expected);
  });

  test("model_info per-token prices win over the table", () => {
    const d = dep("gpt-4o", { input_cost_per_token: 0.000001, output_cost_per_token: 0.000003 });
    expect(deploymentCostNanoUsd({ promptTokens: 10, completionTokens: 20 }, d)).toBe(10 * 1000 + 20 * 3000);
    // a hand-priced input also prices cached tokens, unless a cached price is given too
    expect(deploymentCostNanoUsd({ promptTokens: 10, completionTokens: 0, cachedPromptTokens: 10 }, d)).toBe(10_000);
    const withCache = dep("x", { input_cost_per_token: 0.000001, output_cost_per_token: 0, cache_read_input_token_cost: 0.0000001 });
    expect(deploymentCostNanoUsd({ promptTokens: 10, completionTokens: 0, cachedPromptTokens: 10 }, withCache)).toBe(1000);
  });

  test("one override field falls back to the table for the other", () => {
    expect(deploymentCostNanoUsd({ promptTokens: 1, completionTokens: 1 }, dep("gpt-4o", { output_cost_per_token: 0 }))).toBe(2500);
  });

  test("explicit zero prices make the model free", () => {
    expect(deploymentCostNanoUsd({ promptTokens: 99, completionTokens: 99 }, dep("gpt-4o", { input_cost_per_token: 0, output_cost_per_token: 0 }))).toBe(0);
  });

  test("model_info.base_model names the row (Azure deployment names are free-form)", () => {
    expect(deploymentCostNanoUsd({ promptTokens: 1, completionTokens: 1 }, dep("azure/my-prod-deployment", { base_model: "azure/gpt-4o-mini" }))).toBe(750);
    // an unknown base_model falls back to the model name
    expect(deploymentCostNanoUsd({ promptTokens: 1, completionTokens: 1 }, dep("gpt-4o-mini", { base_model: "nope" }))).toBe(750);
  });

  test("tiny per-token overrides stay exact down to the pico-dollar and round once", () => {
    const prices = pricesFor(dep("x", { input_cost_per_token: 1.5e-10, output_cost_per_token: 0 }));
    expect(prices.input).toBe(150);
    expect(costNanoUsd({ promptTokens: 3, completionTokens: 0 }, prices)).toBe(0); // 450 pico → 0 nano
    expect(costNanoUsd({ promptTokens: 4, completionTokens: 0 }, prices)).toBe(1); // 600 pico → 1 nano
  });

  test("garbage token counts count as zero and cached never exceeds prompt", () => {
    const p = pricesFor(dep("gpt-4o"));
    expect(costNanoUsd({ promptTokens: -5, completionTokens: Number.NaN }, p)).toBe(0);
    expect(costNanoUsd({ promptTokens: 10, completionTokens: 0, cachedPromptTokens: 50 }, p)).toBe(10 * 1250);
  });
});

describe("usage parsing", () => {
  test.each([
    [{ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }, { promptTokens: 10, completionTokens: 5, cachedPromptTokens: 0, cacheWritePromptTokens: 0 }],
    [{ prompt_tokens: 10, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 4 } }, { promptTokens: 10, completionTokens: 5, cachedPromptTokens: 4, cacheWritePromptTokens: 0 }],
    [{ prompt_tokens: 10, completion_tokens: 1, cache_read_input_tokens: 2, cache_creation_input_tokens: 3 }, { promptTokens: 10, completionTokens: 1, cachedPromptTokens: 2, cacheWritePromptTokens: 3 }],
    [undefined, { promptTokens: 0, completionTokens: 0 }],
  ])("%o", (usage, expected) => {
    expect(tokenUsageOf(usage as Record<string, unknown> | undefined)).toEqual(expected);
  });
});
