// LiteLLM's per-request headers (contract §1.3, docs/proxy/request_headers.md), read once per call:
//   x-litellm-timeout          seconds for the whole call (as the body's `timeout`; the header wins)
//   x-litellm-stream-timeout   seconds a stream may wait for a chunk (as `stream_timeout`)
//   x-litellm-num-retries      retries (as the body's `num_retries`; the header wins)
//   x-litellm-tags             comma-separated spend tags, added to the body's
//   x-litellm-spend-logs-metadata  a JSON object kept in the spend log (as metadata.spend_logs_metadata)
// A value that cannot be what it names is a 400 naming the header, before anything is called.
import { GatewayError } from "../errors.ts";

export interface RequestHeaderOptions {
  readonly timeoutS?: number;
  readonly streamTimeoutS?: number;
  readonly numRetries?: number;
  readonly tags?: readonly string[];
  readonly spendLogsMetadata?: Readonly<Record<string, unknown>>;
}

const NONE: RequestHeaderOptions = Object.freeze({});
/** A spend log keeps at most this much of a client's metadata (the header's text). */
export const MAX_SPEND_LOGS_METADATA_CHARS = 16 * 1024;

function seconds(name: string, raw: string): number {
  const n = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(n) || n <= 0) throw GatewayError.badRequest(`${name} must be a positive number of seconds`, name);
  return n;
}

/** The options the headers set; nothing is allocated for a request that sends none of them. */
export function requestHeaderOptions(headers: Headers | undefined): RequestHeaderOptions {
  if (!headers) return NONE;
  const timeout = headers.get("x-litellm-timeout");
  const streamTimeout = headers.get("x-litellm-stream-timeout");
  const retries = headers.get("x-litellm-num-retries");
  const tags = headers.get("x-litellm-tags");
  const metadata = headers.get("x-litellm-spend-logs-metadata");
  if (timeout === null && streamTimeout === null && retries === null && tags === null && metadata === null) return NONE;
  const out: { -readonly [K in keyof RequestHeaderOptions]: RequestHeaderOptions[K] } = {};
  if (timeout !== null) out.timeoutS = seconds("x-litellm-timeout", timeout);
  if (streamTimeout !== null) out.streamTimeoutS = seconds("x-litellm-stream-timeout", streamTimeout);
  if (retries !== null) {
    const n = Number(retries.trim());
    if (retries.trim() === "" || !Number.isInteger(n) || n < 0 || n > 100) {
      throw GatewayError.badRequest("x-litellm-num-retries must be a whole number from 0 to 100", "x-litellm-num-retries");
    }
    out.numRetries = n;
  }
  if (tags !== null) out.tags = tags.split(",").map((t) => t.trim()).filter((t) => t !== "");
  if (metadata !== null) out.spendLogsMetadata = jsonObject(metadata);
  return out;
}

function jsonObject(text: string): Record<string, unknown> {
  const name = "x-litellm-spend-logs-metadata";
  if (text.length > MAX_SPEND_LOGS_METADATA_CHARS) throw GatewayError.badRequest(`${name} is longer than ${MAX_SPEND_LOGS_METADATA_CHARS} characters`, name);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw GatewayError.badRequest(`${name} must be a JSON object`, name);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw GatewayError.badRequest(`${name} must be a JSON object`, name);
  return value as Record<string, unknown>;
}
