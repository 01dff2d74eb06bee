// What a failed attempt means for the rest of the call (pure): try another deployment, fall back
// to another group (which list), or give up. Statuses are the ones upstream-call.ts produces:
// 408 timeout, 429, the provider's own status, 500 for connection failures, 499 client gone.

export type FailureKind =
  /** The client left: stop everything. */
  | "client_gone"
  /** Transient or deployment-specific: retry (another deployment first), then generic fallbacks. */
  | "retryable"
  | "context_window"
  | "content_policy"
  /** The request itself is wrong: the same answer would come from anywhere. */
  | "bad_request";

const CONTEXT_WINDOW = /context[ _-]?length|context window|maximum context|prompt is too long|too many tokens|reduce the length/i;
const CONTENT_POLICY = /content[ _-]?policy|content management policy|content_filter|safety (system|filter)/i;

export function failureKind(status: number, message: string): FailureKind {
  if (status === 499) return "client_gone";
  if (status === 400 || status === 413 || status === 422) {
    if (CONTEXT_WINDOW.test(message)) return "context_window";
    if (CONTENT_POLICY.test(message)) return "content_policy";
    return "bad_request";
  }
  return "retryable";
}

/** Only failures that say something about the deployment count towards its cooldown. */
export const countsAgainstDeployment = (kind: FailureKind) => kind === "retryable";
