// Request fields that steer LiteLLM/Tollgate itself and must never reach a provider.
import type { Json } from "../providers/types.ts";

const PROXY_ONLY = new Set([
  "mock_response", "mock_testing_fallbacks", "mock_testing_rate_limit_error", "mock_timeout", "fallbacks",
  "context_window_fallbacks", "num_retries", "caching", "cache", "guardrails", "metadata", "litellm_metadata", "tags",
  "timeout", "stream_timeout", "api_key", "api_base", "base_url", "api_version", "drop_params", "additional_drop_params",
  "proxy_server_request", "litellm_call_id", "no-log",
]);

/** The body without the proxy's own fields: the same object when it has none. */
export function withoutProxyParams(body: Json): Json {
  let found = false;
  for (const k in body) {
    if (PROXY_ONLY.has(k)) {
      found = true;
      break;
    }
  }
  if (!found) return body;
  const out: Json = {};
  for (const [k, v] of Object.entries(body)) if (!PROXY_ONLY.has(k)) out[k] = v;
  return out;
}
