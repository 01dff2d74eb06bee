// Where a caller's key is read from, in LiteLLM's precedence (contract §2.1).
export type KeyFromHeaders = { kind: "key"; value: string } | { kind: "missing" } | { kind: "malformed" };

const BEARER = /^bearer\s+(.+)$/i;
const RAW_HEADERS = ["api-key", "x-api-key", "x-goog-api-key", "ocp-apim-subscription-key"] as const;

export function readKey(headers: Headers, customHeader?: string): KeyFromHeaders {
  if (customHeader) {
    const value = headers.get(customHeader);
    if (value) return fromBearerish(value);
  }
  const litellm = headers.get("x-litellm-api-key");
  if (litellm) return fromBearerish(litellm);
  const authorization = headers.get("authorization");
  if (authorization) {
    const m = BEARER.exec(authorization.trim());
    if (m) return { kind: "key", value: m[1]!.trim() };
    // An Authorization header without a recognised scheme is read as empty, unless a raw header follows.
    const raw = firstRaw(headers);
    return raw ? { kind: "key", value: raw } : { kind: "malformed" };
  }
  const raw = firstRaw(headers);
  return raw ? { kind: "key", value: raw } : { kind: "missing" };
}

function fromBearerish(value: string): KeyFromHeaders {
  const m = BEARER.exec(value.trim());
  const key = (m ? m[1]! : value).trim();
  return key ? { kind: "key", value: key } : { kind: "missing" };
}

function firstRaw(headers: Headers): string | undefined {
  for (const name of RAW_HEADERS) {
    const v = headers.get(name)?.trim();
    if (v) return v;
  }
  return undefined;
}
