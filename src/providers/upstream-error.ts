// A provider's failure as Tollgate reports it: the upstream status, LiteLLM's message layout
// (`litellm.RateLimitError: RateLimitError: OpenAIException - ... Received Model Group=x`), and
// never the deployment's api key, even when the provider echoes it back.
import { GatewayError } from "../errors.ts";
import type { Target, UpstreamErrorDetail } from "./types.ts";

const CLASS_BY_STATUS: Record<number, [string, string]> = {
  400: ["BadRequestError", "invalid_request_error"],
  401: ["AuthenticationError", "auth_error"],
  403: ["PermissionDeniedError", "permission_error"],
  404: ["NotFoundError", "not_found_error"],
  408: ["Timeout", "timeout_error"],
  413: ["BadRequestError", "invalid_request_error"],
  422: ["UnprocessableEntityError", "invalid_request_error"],
  429: ["RateLimitError", "rate_limit_error"],
};

export function upstreamError(
  target: Target,
  exceptionName: string,
  status: number,
  detail: UpstreamErrorDetail,
  retryAfterS?: number,
  className?: string,
): GatewayError {
  const [byStatus, type] = CLASS_BY_STATUS[status] ?? (status >= 500 ? ["InternalServerError", "api_error"] : ["APIError", "api_error"]);
  const cls = className ?? byStatus;
  const message = redact(
    `litellm.${cls}: ${cls}: ${exceptionName} - ${detail.message}. Received Model Group=${target.modelGroup}`,
    target.apiKey,
  );
  return new GatewayError({ status: status >= 400 && status < 600 ? status : 502, type, message, retryAfterS });
}

function redact(text: string, apiKey: string | undefined): string {
  if (!apiKey || apiKey.length < 4) return text;
  return text.split(apiKey).join("****");
}

/** Retry-After in seconds from either header form (delta seconds or HTTP date). */
export function retryAfterSeconds(headers: Headers, nowMs: number): number | undefined {
  const raw = headers.get("retry-after");
  if (!raw) {
    const ms = Number(headers.get("retry-after-ms"));
    return Number.isFinite(ms) && ms > 0 ? ms / 1000 : undefined;
  }
  const s = Number(raw);
  if (Number.isFinite(s)) return s;
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - nowMs) / 1000);
}

/** The message in a JSON error body of the common shapes, else the raw text (truncated). */
export function errorMessageFrom(text: string): UpstreamErrorDetail {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown; detail?: unknown };
    const error = body.error;
    if (typeof error === "string") return { message: error };
    if (error && typeof error === "object") {
      const e = error as { message?: unknown; type?: unknown; status?: unknown };
      if (typeof e.message === "string") {
        const providerType = typeof e.type === "string" ? e.type : typeof e.status === "string" ? e.status : undefined;
        return { message: e.message, providerType };
      }
    }
    if (typeof body.message === "string") return { message: body.message };
    if (typeof body.detail === "string") return { message: body.detail };
  } catch {
    // not JSON: fall through to the raw text
  }
  return { message: text.slice(0, 500) || "upstream error with an empty body" };
}
