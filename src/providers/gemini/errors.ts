// Google errors: {"error":{"code":400,"message":"...","status":"INVALID_ARGUMENT"}}.
import type { UpstreamErrorDetail } from "../types.ts";
import { errorMessageFrom } from "../upstream-error.ts";

export function fromGeminiError(_status: number, text: string): UpstreamErrorDetail {
  return errorMessageFrom(text);
}
