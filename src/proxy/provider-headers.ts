// The provider's own response headers, passed on as LiteLLM does: each one prefixed `llm_provider-`
// (the provider's request id for a support ticket, its processing time, its own rate limits), and
// its rate limits under OpenAI's x-ratelimit-* names when the gateway sets none of its own (a key
// without limits: contract §3.3). Bounded, since a provider's headers are not ours to size: LiteLLM's tests
// hold a response's headers under 4 KB, and the gateway's own take about 1 KB.

// The provider's rate-limit header → OpenAI's name for it. Anthropic's are renamed, as LiteLLM
// standardises them.
const RATE_LIMIT_NAMES = new Map<string, string>();
for (const kind of ["requests", "tokens"]) {
  for (const field of ["remaining", "limit", "reset"]) {
    const openai = `x-ratelimit-${field}-${kind}`;
    RATE_LIMIT_NAMES.set(openai, openai);
    RATE_LIMIT_NAMES.set(`anthropic-ratelimit-${kind}-${field}`, openai);
  }
}

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
    const openai = RATE_LIMIT_NAMES.get(name);
    if (openai) out[openai] ??= value;
  }
}
