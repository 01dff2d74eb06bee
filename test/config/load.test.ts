import { describe, expect, test } from "bun:test";
import { ConfigError, parseConfig, pointerToPath } from "../../src/config/load.ts";
import { maskedConfig } from "../../src/config/mask.ts";

const litellmYaml = await Bun.file(new URL("../fixtures/litellm-config.yaml", import.meta.url)).text();

function problemsOf(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(yaml, env, "test.yaml");
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected the config to be refused");
}

describe("a LiteLLM config.yaml", () => {
  const { config, warnings } = parseConfig(litellmYaml, { AZURE_API_KEY_EU: "eu-secret" }, "litellm.yaml");

  test("loads every deployment with os.environ references resolved", () => {
    expect(config.modelList.map((m) => m.model_name)).toEqual(["gpt-4o", "gpt-4o", "vllm-models", "anthropic/*", "*"]);
    expect(config.modelList[0]!.litellm_params.api_key).toBe("eu-secret");
    // environment_variables feed os.environ/ references, as LiteLLM exports them to the environment
    expect(config.modelList[1]!.litellm_params.api_key).toBe("azure-ca-secret-value");
    expect(config.modelList[0]!.model_info?.input_cost_per_token).toBe(0.0000025);
  });

  test("coerces numbers written as strings (YAML anchors included)", () => {
    expect(config.modelList[1]!.litellm_params.rpm).toBe(6);
  });

  test("warns once per key Tollgate ignores, and never fails on them", () => {
    for (const key of ["litellm_settings.success_callback", "general_settings.alerting"]) {
      expect(warnings.filter((w) => w.startsWith(`${key}:`))).toHaveLength(1);
    }
    // Accepted silently: what it asks for is already so (spend is committed within 20 ms).
    expect(warnings.some((w) => w.startsWith("general_settings.proxy_batch_write_at"))).toBe(false);
    // Implemented by the router: no warning.
    for (const key of ["router_settings.routing_strategy", "router_settings.num_retries", "litellm_settings.num_retries", "general_settings.store_model_in_db", "general_settings.allow_requests_on_db_unavailable"]) {
      expect(warnings.filter((w) => w.startsWith(`${key}:`))).toHaveLength(0);
    }
    // litellm_params and model_info are open: provider params are passed through, never warned about
    expect(warnings.some((w) => w.includes("litellm_params") && w.includes("not supported"))).toBe(false);
  });

  test("warns about an unset environment variable by name, and uses null", () => {
    expect(warnings.some((w) => w.includes("ANTHROPIC_API_KEY is not set"))).toBe(true);
    expect(config.modelList[3]!.litellm_params.api_key).toBeNull();
  });

  test("is frozen", () => {
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.modelList[0]!.litellm_params)).toBe(true);
  });

  test("prints with every secret masked", () => {
    const text = JSON.stringify(maskedConfig(config));
    for (const secret of ["eu-secret", "azure-ca-secret-value", "s3cret", "sk-1234"]) expect(text).not.toContain(secret);
    expect(text).toContain("postgresql://tollgate:****@db.internal:5432/litellm");
  });
});

describe("a broken config", () => {
  test("names the path of a missing required field", () => {
    const yaml = `model_list:
  - model_name: a
    litellm_params: {model: openai/a}
  - model_name: b
    litellm_params: {model: openai/b}
  - model_name: c
    litellm_params: {api_base: http://x}
`;
    expect(problemsOf(yaml)).toContain("model_list[2].litellm_params.model: required");
  });

  test("names the path and the reason of a wrong type", () => {
    const problems = problemsOf(`model_list:\n  - model_name: a\n    litellm_params: {model: openai/a, rpm: lots}\n`);
    expect(problems.some((p) => p.startsWith("model_list[0].litellm_params.rpm:"))).toBe(true);
  });

  test("refuses a master key that does not start with sk-", () => {
    expect(problemsOf(`general_settings: {master_key: letmein}`)).toEqual(["general_settings.master_key: must start with 'sk-'"]);
    expect(problemsOf("", { LITELLM_MASTER_KEY: "letmein" })).toEqual(["general_settings.master_key: must start with 'sk-'"]);
  });

  test("reports YAML syntax errors and non-mapping documents", () => {
    expect(problemsOf("model_list: [unclosed")[0]).toContain("not valid YAML");
    expect(problemsOf("- just\n- a list\n")).toEqual(["config: the top level must be a mapping"]);
  });
});

test("an empty file or missing sections give an empty model list", () => {
  expect(parseConfig("", {}, null).config.modelList).toEqual([]);
  expect(parseConfig("general_settings:\nmodel_list:\n", {}, null).config.modelList).toEqual([]);
});

test("LITELLM_MASTER_KEY applies when the file sets none", () => {
  expect(parseConfig("", { LITELLM_MASTER_KEY: "sk-from-env" }, null).config.general.master_key).toBe("sk-from-env");
  expect(parseConfig("general_settings: {master_key: sk-file}", { LITELLM_MASTER_KEY: "sk-env" }, null).config.general.master_key).toBe("sk-file");
});

test.each([
  ["/model_list/2/litellm_params/model", "model_list[2].litellm_params.model"],
  ["/general_settings/master_key", "general_settings.master_key"],
  ["", ""],
  ["/a~1b", "a/b"],
])("pointerToPath(%p) = %p", (pointer, path) => {
  expect(pointerToPath(pointer)).toBe(path);
});
