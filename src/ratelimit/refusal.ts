// The edge: a refused decision becomes LiteLLM's 429 (contract §3.2: type throttling_error).
import { GatewayError } from "../errors.ts";
import { refusalMessage } from "../policy/rate-limit.ts";
import type { Decision } from "./limiter.ts";

export function rateLimitError(refused: Extract<Decision, { ok: false }>): GatewayError {
  return new GatewayError({
    status: 429,
    type: "throttling_error",
    message: refusalMessage(refused.limit, refused.resetAtMs),
    retryAfterS: refused.retryAfterS,
    headers: refused.headers,
  });
}
