// OpenAI errors: {"error":{"message","type","param","code"}}.
import type { UpstreamErrorDetail } from "../types.ts";
import { errorMessageFrom } from "../upstream-error.ts";

export function fromOpenAIError(_status: number, text: string): UpstreamErrorDetail {
  return errorMessageFrom(text);
}
