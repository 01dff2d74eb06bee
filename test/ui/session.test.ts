// The UI session over plain HTTP: cookie flags, who a session is, CSRF on state changes made with
// the cookie, headers unaffected, expiry, sign-out, and roles applying unchanged.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { errorOf, type Gateway, MASTER_KEY, startGateway } from "../support/harness.ts";

const HOUR_MS = 3_600_000;
let clockMs = Date.parse("2026-03-01T10:00:00Z");
let gw: Gateway;

beforeAll(async () => {
  gw = await startGateway({ listen: true, now: () => clockMs, env: { UI_USERNAME: "ops", UI_PASSWORD: "correct horse battery" } });
});
afterAll(() => gw.close());

interface Login {
  res: Response;
  cookies: string[];
  /** "name=value" pairs to send back. */
  jar: string;
  csrf: string;
  body: Record<string, unknown>;
}

async function login(form: Record<string, string>, headers: Record<string, string> = {}): Promise<Login> {
  const res = await fetch(`${gw.url}/login`, { method: "POST", headers, body: new URLSearchParams(form) });
  const cookies = res.headers.getSetCookie();
  const jar = cookies.map((c) => c.split(";")[0]).join("; ");
  const body = res.ok ? ((await res.json()) as Record<string, unknown>) : {};
  return { res, cookies, jar, csrf: String(body.csrf_token ?? ""), body };
}

const withCookie = (l: Login, path: string, init: RequestInit & { csrf?: string } = {}) => {
  const headers = new Headers(init.headers);
  headers.set("cookie", l.jar);
  if (init.csrf !== undefined) headers.set("x-csrf-token", init.csrf);
  return fetch(`${gw.url}${path}`, { ...init, headers });
};
const json = (body: unknown) => ({ method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

describe("sign-in", () => {
  test("UI_USERNAME/UI_PASSWORD give an HttpOnly, SameSite=Strict session cookie with an expiry, holding no secret", async () => {
    const l = await login({ username: "ops", password: "correct horse battery" });
    expect(l.res.status).toBe(200);
    expect(l.body).toMatchObject({ user_role: "proxy_admin", user_id: "default_user_id", signed_in_with: "master_key" });
    const session = l.cookies.find((c) => c.startsWith("tollgate_session="))!;
    expect(session).toContain("HttpOnly");
    expect(session).toContain("SameSite=Strict");
    expect(session).toContain("Path=/");
    expect(session).toContain("Max-Age=43200");
    expect(session).toMatch(/Expires=\w{3}, 01 Mar 2026 22:00:00 GMT/);
    expect(session).not.toContain("Secure"); // plain HTTP; see the forwarded-proto test
    expect(session).not.toContain(MASTER_KEY);
    expect(session).not.toContain("correct horse");
    const csrf = l.cookies.find((c) => c.startsWith("tollgate_csrf="))!;
    expect(csrf).not.toContain("HttpOnly"); // the page reads it (double submit)
    expect(csrf.split(";")[0]).toBe(`tollgate_csrf=${l.csrf}`);
    expect(l.res.headers.get("cache-control")).toBe("no-store");
  });

  test("the master key signs in as admin too; a wrong password gets a 401 and no cookie", async () => {
    expect((await login({ password: MASTER_KEY })).body.user_role).toBe("proxy_admin");
    const bad = await login({ username: "ops", password: "wrong" });
    expect(bad.res.status).toBe(401);
    expect(bad.cookies).toEqual([]);
    expect((await errorOf(bad.res)).message).toContain("Invalid credentials");
    // UI_USERNAME replaces the default "admin": admin + the UI password is refused.
    expect((await login({ username: "admin", password: "correct horse battery" })).res.status).toBe(401);
  });

  test("behind TLS (x-forwarded-proto: https) the cookies are Secure", async () => {
    const l = await login({ password: MASTER_KEY }, { "x-forwarded-proto": "https" });
    expect(l.cookies.every((c) => c.includes("Secure"))).toBe(true);
  });

  test("a JSON body works like LiteLLM's form", async () => {
    const res = await fetch(`${gw.url}/login`, json({ username: "ops", password: "correct horse battery" }));
    expect(res.status).toBe(200);
  });
});

describe("the cookie as credentials", () => {
  test("reads need no CSRF token; writes without or with a wrong one are refused with 403; the right one passes", async () => {
    const l = await login({ password: MASTER_KEY });
    expect((await withCookie(l, "/key/list")).status).toBe(200);
    const noToken = await withCookie(l, "/key/generate", json({ key_alias: "csrf-none" }));
    expect(noToken.status).toBe(403);
    expect((await errorOf(noToken)).message).toContain("x-csrf-token");
    expect((await withCookie(l, "/key/generate", { ...json({ key_alias: "csrf-wrong" }), csrf: "x".repeat(32) })).status).toBe(403);
    const ok = await withCookie(l, "/key/generate", { ...json({ key_alias: "csrf-ok" }), csrf: l.csrf });
    expect(ok.status).toBe(200);
    // The refused calls changed nothing.
    const aliases = ((await (await gw.request("/key/list?return_full_object=true&size=100")).json()) as { keys: { key_alias: string }[] }).keys.map((k) => k.key_alias);
    expect(aliases).toContain("csrf-ok");
    expect(aliases).not.toContain("csrf-none");
    expect(aliases).not.toContain("csrf-wrong");
  });

  test("another session's CSRF token does not fit", async () => {
    const a = await login({ password: MASTER_KEY });
    const b = await login({ password: MASTER_KEY });
    expect((await withCookie(a, "/team/new", { ...json({ team_alias: "x" }), csrf: b.csrf })).status).toBe(403);
  });

  test("calls with an Authorization header need no CSRF token, even with a cookie present", async () => {
    const l = await login({ password: MASTER_KEY });
    const res = await fetch(`${gw.url}/key/generate`, { ...json({}), headers: { "content-type": "application/json", cookie: l.jar, authorization: `Bearer ${MASTER_KEY}` } });
    expect(res.status).toBe(200);
  });

  test("a tampered or forged cookie is no session", async () => {
    const l = await login({ password: MASTER_KEY });
    const [body, mac] = l.jar.split("; ")[0]!.slice("tollgate_session=".length).split(".");
    const forgedBody = Buffer.from(JSON.stringify({ sub: { kind: "master" }, exp: 9_999_999_999, csrf: "c" })).toString("base64url");
    for (const value of [`${forgedBody}.${mac}`, `${body}.${mac!.slice(0, -2)}AA`, "garbage"]) {
      const res = await fetch(`${gw.url}/key/list`, { headers: { cookie: `tollgate_session=${value}` } });
      expect(res.status).toBe(401);
    }
  });

  test("GET /session says who the cookie is; after 12 hours the session has expired", async () => {
    const l = await login({ password: MASTER_KEY });
    const who = await withCookie(l, "/session");
    expect(((await who.json()) as { csrf_token: string }).csrf_token).toBe(l.csrf);
    clockMs += 12 * HOUR_MS + 1000;
    try {
      expect((await withCookie(l, "/session")).status).toBe(401);
      expect((await withCookie(l, "/key/list")).status).toBe(401);
    } finally {
      clockMs -= 12 * HOUR_MS + 1000;
    }
  });

  test("POST /logout clears both cookies", async () => {
    const res = await fetch(`${gw.url}/logout`, { method: "POST" });
    const cookies = res.headers.getSetCookie();
    expect(cookies.map((c) => c.split("=")[0])).toEqual(["tollgate_session", "tollgate_csrf"]);
    for (const c of cookies) expect(c).toContain("Max-Age=0");
  });
});

describe("a user's own key", () => {
  test("signs in as that user: own keys only, no admin routes, and a blocked key's session stops working", async () => {
    const created = (await (await gw.request("/user/new", { method: "POST", json: { user_email: "ann@example.com", user_role: "internal_user" } })).json()) as { key: string; user_id: string };
    await gw.request("/key/generate", { method: "POST", json: { key_alias: "someone-else" } });
    const l = await login({ password: created.key });
    expect(l.body).toMatchObject({ user_role: "internal_user", user_id: created.user_id, user_email: "ann@example.com", signed_in_with: "virtual_key" });
    expect(JSON.stringify(l.cookies)).not.toContain(created.key);
    const list = (await (await withCookie(l, "/key/list?return_full_object=true")).json()) as { keys: { user_id: string }[] };
    expect(list.keys.length).toBe(1);
    expect(list.keys[0]!.user_id).toBe(created.user_id);
    expect((await withCookie(l, "/user/list")).status).toBe(403);
    // Internal users may create their own keys through the cookie.
    expect((await withCookie(l, "/key/generate", { ...json({}), csrf: l.csrf })).status).toBe(200);

    expect((await gw.request("/key/block", { method: "POST", json: { key: created.key } })).status).toBe(200);
    const refused = await withCookie(l, "/key/list");
    expect(refused.status).toBe(401);
    expect((await errorOf(refused)).message).toContain("blocked");
    expect((await login({ password: created.key })).res.status).toBe(401);
  });

  test("a viewer's session reads but cannot write", async () => {
    const viewer = (await (await gw.request("/user/new", { method: "POST", json: { user_role: "proxy_admin_viewer" } })).json()) as { key: string };
    const l = await login({ password: viewer.key });
    expect((await withCookie(l, "/user/list")).status).toBe(200);
    const write = await withCookie(l, "/user/new", { ...json({ user_email: "nope@example.com" }), csrf: l.csrf });
    expect([401, 403]).toContain(write.status);
  });
});
