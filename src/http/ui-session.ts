// Sign-in for the admin UI: POST /login sets the session cookie, POST /logout clears it, GET /session
// says who the cookie belongs to (and hands the UI its CSRF token again after a reload).
import { Elysia, t } from "elysia";
import type { Principal } from "../auth/principal.ts";
import type { SessionPayload } from "../auth/session-token.ts";
import { CSRF_COOKIE, SESSION_COOKIE, SESSION_TTL_S, uiSessions } from "../auth/ui-sessions.ts";
import type { AppDeps } from "../deps.ts";
import { GatewayError } from "../errors.ts";
import { authDepsOf } from "./auth-guard.ts";

const doc = (summary: string) => ({ detail: { tags: ["ui"], summary } });

// LiteLLM's /login takes a form (username, password); JSON is accepted too.
const LoginBody = t.Object({
  username: t.Optional(t.String()),
  password: t.String({ minLength: 1, error: "password is required: the UI password, the master key or your sk- key" }),
});

export function uiSessionRoutes(deps: AppDeps) {
  const sessions = uiSessions(deps, authDepsOf(deps));
  return new Elysia({ name: "ui-session" })
    .post("/login", async ({ body, request }) => {
      const { token, payload, principal } = await sessions.signIn(body.username?.trim(), body.password);
      const secure = isHttps(request);
      return jsonWithCookies(sessionView(principal, payload), [
        cookie(SESSION_COOKIE, token, { maxAgeS: SESSION_TTL_S, httpOnly: true, secure, nowMs: deps.now() }),
        cookie(CSRF_COOKIE, payload.csrf, { maxAgeS: SESSION_TTL_S, httpOnly: false, secure, nowMs: deps.now() }),
      ]);
    }, { body: LoginBody, ...doc("Sign in to the admin UI; sets an HttpOnly session cookie") })
    .post("/logout", ({ request }) => {
      const secure = isHttps(request);
      return jsonWithCookies({ status: "signed out" }, [
        cookie(SESSION_COOKIE, "", { maxAgeS: 0, httpOnly: true, secure, nowMs: 0 }),
        cookie(CSRF_COOKIE, "", { maxAgeS: 0, httpOnly: false, secure, nowMs: 0 }),
      ]);
    }, doc("Clear the UI session cookie"))
    .get("/session", async ({ request, set }) => {
      set.headers["cache-control"] = "no-store";
      const payload = await sessions.read(request.headers);
      if (!payload) throw GatewayError.auth("Not signed in.");
      return sessionView(await sessions.principalOf(payload), payload);
    }, doc("Who the UI session cookie belongs to"));
}

function sessionView(p: Principal, s: SessionPayload) {
  return {
    user_id: p.kind === "master" ? p.userId : p.key.userId,
    user_role: p.role,
    user_email: p.kind === "key" ? (p.user?.userEmail ?? null) : null,
    signed_in_with: p.kind === "master" ? "master_key" : "virtual_key",
    key_name: p.kind === "key" ? p.key.keyName : null,
    csrf_token: s.csrf,
    expires_at: new Date(s.exp * 1000).toISOString(),
  };
}

function jsonWithCookies(body: unknown, cookies: string[]): Response {
  const headers = new Headers({ "content-type": "application/json", "cache-control": "no-store" });
  for (const c of cookies) headers.append("set-cookie", c);
  return new Response(JSON.stringify(body), { headers });
}

const isHttps = (request: Request) =>
  request.url.startsWith("https:") || request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim() === "https";

function cookie(name: string, value: string, o: { maxAgeS: number; httpOnly: boolean; secure: boolean; nowMs: number }): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, "Path=/", `Max-Age=${o.maxAgeS}`, "SameSite=Strict"];
  parts.push(`Expires=${new Date(o.maxAgeS > 0 ? o.nowMs + o.maxAgeS * 1000 : 0).toUTCString()}`);
  if (o.httpOnly) parts.push("HttpOnly");
  if (o.secure) parts.push("Secure");
  return parts.join("; ");
}
