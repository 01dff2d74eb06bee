// The provider's own response headers, passed on as LiteLLM does: each one prefixed `llm_provider-`
// (the provider's request id for a support ticket, its processing time, its own rate limits), and
// OpenAI's x-ratelimit-* names as they came when the gateway sets none of its own (a key without
// limits: contract §3.3). Bounded, since a provider's headers are not ours to size: LiteLLM's tests
// hold a response's headers under 4 KB, and the gateway's own take about 1 KB.

const OPENAI_RATE_LIMIT_HEADERS = new Set([
  "x-ratelimit-remaining-requests",
  "x-ratelimit-remaining-tokens",
  "x-ratelimit-limit-requests",
  "x-ratelimit-limit-tokens",
  "x-ratelimit-reset-requests",
  "x-ratelimit-reset-tokens",
]);

/** The provider's session cookie is for the gateway's connection, not the client's. */
const NOT_PASSED_ON = "set-cookie";

/** Names and values of the provider's headers passed on, at most (the rest are dropped). */
export const PROVIDER_HEADER_BYTES = 2_048;

/** Adds the provider's headers to `out`; a name already there (one of the gateway's) is kept. */
export function addProviderHeaders(out: Record<string, string>, upstream: Headers, maxBytes = PROVIDER_HEADER_BYTES): void {
  // toJSON: one native call for every header, instead of an entry array per header.
  const all = upstream.toJSON();
  let bytes = 0;
  for (const name in all) {
    if (name === NOT_PASSED_ON) continue;
    const value = all[name]!;
    const prefixed = `llm_provider-${name}`;
    bytes += prefixed.length + value.length;
    if (bytes > maxBytes) return;
    out[prefixed] ??= value;
    if (OPENAI_RATE_LIMIT_HEADERS.has(name)) out[name] ??= value;
  }
}
