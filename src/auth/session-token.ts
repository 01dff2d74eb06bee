// UI session tokens: base64url(JSON payload) + "." + base64url(HMAC-SHA256). The payload names the
// subject (the master key, or a key by its hash), the expiry and the CSRF value bound to it; it
// never holds a plaintext key. Pure: secret and clock come in.
import { timingSafeEqual } from "node:crypto";

export type SessionSubject = { kind: "master" } | { kind: "key"; token: string };

export interface SessionPayload {
  sub: SessionSubject;
  /** Expiry, epoch seconds. */
  exp: number;
  csrf: string;
}

const mac = (secret: string, body: string) => new Bun.CryptoHasher("sha256", secret).update(body).digest("base64url");

export function signSession(payload: SessionPayload, secret: string): string {
  const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
  return `${body}.${mac(secret, body)}`;
}

/** The payload of an intact, unexpired token; undefined for anything else. */
export function verifySession(token: string, secret: string, nowMs: number): SessionPayload | undefined {
  const dot = token.indexOf(".");
  if (dot <= 0) return undefined;
  const body = token.slice(0, dot);
  if (!sameString(token.slice(dot + 1), mac(secret, body))) return undefined;
  let payload: SessionPayload;
  try {
    payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as SessionPayload;
  } catch {
    return undefined;
  }
  if (typeof payload.exp !== "number" || payload.exp * 1000 <= nowMs) return undefined;
  return payload;
}

export function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const newCsrfToken = () => Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString("base64url");
