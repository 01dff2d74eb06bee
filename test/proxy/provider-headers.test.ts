import { expect, test } from "bun:test";
import { addProviderHeaders } from "../../src/proxy/provider-headers.ts";

test("Anthropic's rate-limit headers also come under OpenAI's names; the gateway's own are kept", () => {
  const out: Record<string, string> = { "x-ratelimit-remaining-requests": "5" };
  addProviderHeaders(
    out,
    new Headers({
      "request-id": "req_011",
      "anthropic-ratelimit-requests-remaining": "49",
      "anthropic-ratelimit-tokens-remaining": "39000",
      "anthropic-ratelimit-tokens-reset": "2026-12-07T22:00:00Z",
    }),
  );
  expect(out).toEqual({
    "x-ratelimit-remaining-requests": "5",
    "llm_provider-request-id": "req_011",
    "llm_provider-anthropic-ratelimit-requests-remaining": "49",
    "llm_provider-anthropic-ratelimit-tokens-remaining": "39000",
    "x-ratelimit-remaining-tokens": "39000",
    "llm_provider-anthropic-ratelimit-tokens-reset": "2026-12-07T22:00:00Z",
    "x-ratelimit-reset-tokens": "2026-12-07T22:00:00Z",
  });
});

test("headers past the byte budget are dropped whole, never cut", () => {
  const out: Record<string, string> = {};
  addProviderHeaders(out, new Headers({ a: "x".repeat(20), b: "y".repeat(20) }), 40);
  expect(out).toEqual({ "llm_provider-a": "x".repeat(20) });
});
