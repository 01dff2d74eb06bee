// Model groups, wildcard expansion and the weighted pick: pure, table-driven, no timers.
import { describe, expect, test } from "bun:test";
import type { ModelEntry } from "../../src/config/schema.ts";
import { ModelGroups } from "../../src/router/model-groups.ts";
import { weightedRandom } from "../../src/router/pick.ts";
import { splitModel } from "../../src/providers/registry.ts";

const entry = (model_name: string, model: string, extra: Record<string, unknown> = {}): ModelEntry => ({
  model_name,
  litellm_params: { model, ...extra },
});

const groups = new ModelGroups([
  entry("gpt-4o", "azure/gpt-4o-eu", { weight: 3 }),
  entry("gpt-4o", "azure/gpt-4o-us", { weight: 1 }),
  entry("anthropic/*", "anthropic/*"),
  entry("my-*", "openai/*"),
  entry("*", "*"),
]);

describe("resolve", () => {
  test.each([
    ["gpt-4o", ["azure/gpt-4o-eu", "azure/gpt-4o-us"], false],
    ["anthropic/claude-sonnet-4-5", ["anthropic/claude-sonnet-4-5"], true],
    ["my-gpt-4.1", ["openai/gpt-4.1"], true],
    ["groq/llama-3.3-70b", ["groq/llama-3.3-70b"], true],
    ["gpt-3.5-turbo", ["gpt-3.5-turbo"], true],
  ])("%s → %j", (name, models, wildcard) => {
    const g = groups.resolve(name)!;
    expect(g.candidates.map((c) => c.litellmModel)).toEqual(models);
    expect(g.wildcard).toBe(wildcard);
  });

  test("without a catch-all, an unknown name has no group", () => {
    expect(new ModelGroups([entry("a", "openai/a")]).resolve("b")).toBeUndefined();
  });

  test("a deployment without model_info.id gets a stable id; a configured id is kept", () => {
    const again = new ModelGroups([entry("gpt-4o", "azure/gpt-4o-eu", { weight: 3 })]);
    expect(again.deployments[0]!.id).toBe(groups.deployments[0]!.id);
    expect(groups.deployments[0]!.id).not.toBe(groups.deployments[1]!.id);
    expect(new ModelGroups([{ ...entry("x", "openai/x"), model_info: { id: "dep-1" } }]).deployments[0]!.id).toBe("dep-1");
  });
});

describe("weightedRandom", () => {
  const candidates = groups.resolve("gpt-4o")!.candidates;
  test.each([
    [0, "azure/gpt-4o-eu"],
    [0.74, "azure/gpt-4o-eu"],
    [0.76, "azure/gpt-4o-us"],
    [0.999, "azure/gpt-4o-us"],
  ])("roll %d picks %s (weights 3:1)", (roll, model) => {
    expect(weightedRandom(() => roll)(candidates).litellmModel).toBe(model);
  });
});

describe("splitModel", () => {
  test.each([
    ["anthropic/claude-3-5-haiku", "anthropic", "claude-3-5-haiku"],
    ["gpt-4o", "openai", "gpt-4o"],
    ["ollama_chat/llama3.2", "ollama_chat", "llama3.2"],
    ["groq/llama-3.3-70b", "groq", "llama-3.3-70b"],
    ["meta-llama/Llama-3-8b", "openai", "meta-llama/Llama-3-8b"],
  ])("%s → %s + %s", (model, provider, name) => {
    expect(splitModel(model)).toEqual({ provider, name });
  });
});
