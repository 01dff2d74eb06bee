import { expect, test } from "bun:test";
import { readKey } from "../../src/auth/key-header.ts";

test.each([
  [{ authorization: "Bearer sk-a" }, { kind: "key", value: "sk-a" }],
  [{ authorization: "bearer   sk-a " }, { kind: "key", value: "sk-a" }],
  [{ authorization: "sk-a" }, { kind: "malformed" }],
  [{ authorization: "Basic abc", "x-api-key": "sk-raw" }, { kind: "key", value: "sk-raw" }],
  [{ "x-litellm-api-key": "sk-l", authorization: "Bearer sk-a" }, { kind: "key", value: "sk-l" }],
  [{ "x-litellm-api-key": "Bearer sk-l" }, { kind: "key", value: "sk-l" }],
  [{ "api-key": "sk-azure", "x-api-key": "sk-anthropic" }, { kind: "key", value: "sk-azure" }],
  [{ "x-api-key": "sk-anthropic" }, { kind: "key", value: "sk-anthropic" }],
  [{ "x-goog-api-key": "sk-google" }, { kind: "key", value: "sk-google" }],
  [{ "ocp-apim-subscription-key": "sk-apim" }, { kind: "key", value: "sk-apim" }],
  [{}, { kind: "missing" }],
])("readKey(%p)", (headers, expected) => {
  expect(readKey(new Headers(headers))).toEqual(expected as never);
});

test("a configured custom header (litellm_key_header_name) wins over Authorization", () => {
  const headers = new Headers({ "x-my-key": "Bearer sk-custom", authorization: "Bearer sk-wrong" });
  expect(readKey(headers, "x-my-key")).toEqual({ kind: "key", value: "sk-custom" });
  expect(readKey(new Headers({ authorization: "Bearer sk-a" }), "x-my-key")).toEqual({ kind: "key", value: "sk-a" });
});
