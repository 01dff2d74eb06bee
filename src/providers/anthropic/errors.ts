// Anthropic errors: {"type":"error","error":{"type":"rate_limit_error","message":"..."}}.
import type { UpstreamErrorDetail } from "../types.ts";
import { errorMessageFrom } from "../upstream-error.ts";

export function fromAnthropicError(_status: number, text: string): UpstreamErrorDetail {
  return errorMessageFrom(text);
}
