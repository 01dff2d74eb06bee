import { expect, test } from "bun:test";
import { GatewayError } from "../../src/errors.ts";
import { requestHeaderOptions } from "../../src/proxy/request-headers.ts";

test("LiteLLM's request headers, parsed", () => {
  expect(requestHeaderOptions(new Headers())).toEqual({});
  expect(
    requestHeaderOptions(
      new Headers({
        "x-litellm-timeout": "2.5",
        "x-litellm-stream-timeout": "1",
        "x-litellm-num-retries": "3",
        "x-litellm-tags": "alpha, beta,,gamma ",
        "x-litellm-spend-logs-metadata": '{"user_id":"12345","project_id":"proj_abc"}',
      }),
    ),
  ).toEqual({ timeoutS: 2.5, streamTimeoutS: 1, numRetries: 3, tags: ["alpha", "beta", "gamma"], spendLogsMetadata: { user_id: "12345", project_id: "proj_abc" } });
});

test("a value that cannot be what it names is a 400 naming the header", () => {
  const cases: [string, string][] = [
    ["x-litellm-timeout", "soon"],
    ["x-litellm-timeout", "-1"],
    ["x-litellm-timeout", ""],
    ["x-litellm-stream-timeout", "0"],
    ["x-litellm-num-retries", "1.5"],
    ["x-litellm-num-retries", "1000"],
    ["x-litellm-spend-logs-metadata", "not json"],
    ["x-litellm-spend-logs-metadata", "[1,2]"],
    ["x-litellm-spend-logs-metadata", JSON.stringify({ big: "x".repeat(17_000) })],
  ];
  for (const [name, value] of cases) {
    let caught: unknown;
    try {
      requestHeaderOptions(new Headers({ [name]: value }));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(GatewayError);
    expect((caught as GatewayError).status).toBe(400);
    expect((caught as GatewayError).param).toBe(name);
  }
});
