// Ollama errors: {"error":"model 'x' not found"}.
import type { UpstreamErrorDetail } from "../types.ts";
import { errorMessageFrom } from "../upstream-error.ts";

export function fromOllamaError(_status: number, text: string): UpstreamErrorDetail {
  return errorMessageFrom(text);
}
