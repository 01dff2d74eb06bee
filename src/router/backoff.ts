// How long to wait before the next attempt (pure). Moving to a deployment not yet tried needs no
// wait; retrying the same one waits the provider's retry-after when it sent one, else an
// exponential backoff (0.5 s, 1 s, 2 s ... capped), as LiteLLM does.

const BASE_MS = 500;
const MAX_BACKOFF_MS = 8_000;
/** A retry-after beyond this is not worth holding the client for. */
export const MAX_RETRY_AFTER_MS = 60_000;

export function backoffMs(input: { retry: number; sameDeployment: boolean; retryAfterS: number | undefined }): number {
  if (!input.sameDeployment) return 0;
  if (input.retryAfterS !== undefined) return Math.min(input.retryAfterS * 1000, MAX_RETRY_AFTER_MS);
  return Math.min(BASE_MS * 2 ** Math.max(0, input.retry - 1), MAX_BACKOFF_MS);
}
