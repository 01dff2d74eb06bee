// general_settings that narrow what the whole proxy serves (contract §5): allowed_routes (every
// caller, the master key too), admin_only_routes (everyone but proxy admins) and ui_access_mode
// (who may sign in to the admin UI).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { errorOf, type Gateway, MASTER_KEY, startGateway } from "../support/harness.ts";

type Json = Record<string, any>;

const configWith = (general: string) => `
model_list:
  - model_name: m
    litellm_params: { model: openai/m, api_key: sk-x }
general_settings:
  master_key: ${MASTER_KEY}
${general}
`;

async function userKey(gw: Gateway, user_id: string, user_role: string): Promise<string> {
  const res = await gw.request("/user/new", { method: "POST", json: { user_id, user_role } });
  if (res.status !== 200) throw new Error(await res.text());
  return ((await res.json()) as Json).key;
}

describe("allowed_routes and admin_only_routes", () => {
  let gw: Gateway;
  let alice: string;
  let admin: string;
  beforeAll(async () => {
    gw = await startGateway({
      configYaml: configWith(`  allowed_routes: ["/chat/completions", "/v1/chat/completions", "/key/*", "/user/new", "/user/info", "/spend/logs"]
  admin_only_routes: ["/spend/logs", "/key/list"]`),
    });
    alice = await userKey(gw, "alice", "internal_user");
    admin = await userKey(gw, "root", "proxy_admin");
  });
  afterAll(() => gw.close());

  const mock = { model: "m", messages: [{ role: "user", content: "hi" }], mock_response: "ok" };

  test("a route not on allowed_routes is refused for every caller, the master key too", async () => {
    for (const key of [MASTER_KEY, alice, admin]) {
      const res = await gw.request("/models", { key });
      expect(res.status).toBe(403);
      expect(await errorOf(res)).toMatchObject({ type: "auth_error", message: "Access forbidden: Route /models not allowed" });
    }
    expect((await gw.request("/team/list")).status).toBe(403);
    // Listed routes work, exactly or by a prefix ending in *.
    expect((await gw.request("/chat/completions", { method: "POST", json: mock, key: alice })).status).toBe(200);
    expect((await gw.request("/key/info", { key: alice })).status).toBe(200);
    // Probes need no key and are not affected.
    expect((await gw.request("/health/readiness", { key: null })).status).toBe(200);
  });

  test("admin_only_routes are for the master key and proxy admins", async () => {
    for (const path of ["/spend/logs", "/key/list"]) {
      const res = await gw.request(path, { key: alice });
      expect(res.status).toBe(403);
      expect((await errorOf(res)).message).toBe(`user not allowed to access this route. Route=${path} is an admin only route`);
      expect((await gw.request(path, { key: admin })).status).toBe(200);
      expect((await gw.request(path)).status).toBe(200);
    }
    // Other key routes stay as the roles allow.
    expect((await gw.request("/key/generate", { method: "POST", json: {}, key: alice })).status).toBe(200);
  });
});

describe("ui_access_mode: admin_only", () => {
  let gw: Gateway;
  let alice: string;
  let viewer: string;
  beforeAll(async () => {
    gw = await startGateway({ listen: true, configYaml: configWith("  ui_access_mode: admin_only") });
    alice = await userKey(gw, "alice", "internal_user");
    viewer = await userKey(gw, "viewer", "proxy_admin_viewer");
  });
  afterAll(() => gw.close());

  const login = (password: string) => fetch(`${gw.url}/login`, { method: "POST", body: new URLSearchParams({ username: "x", password }) });

  test("an internal user cannot sign in; admins and admin viewers can; the user's key still works on the API", async () => {
    const refused = await login(alice);
    expect(refused.status).toBe(401);
    expect((await errorOf(refused)).message).toBe("User not allowed to access proxy. User role=internal_user, proxy mode=admin_only");
    expect(refused.headers.getSetCookie()).toEqual([]);
    expect((await login(viewer)).status).toBe(200);
    expect((await login(MASTER_KEY)).status).toBe(200);
    expect((await gw.request("/key/info", { key: alice })).status).toBe(200);
  });

  test("a session made before the user lost their admin role stops working", async () => {
    const promoted = await userKey(gw, "temp-admin", "proxy_admin");
    const res = await login(promoted);
    expect(res.status).toBe(200);
    const jar = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const session = () => fetch(`${gw.url}/session`, { headers: { cookie: jar } });
    expect((await session()).status).toBe(200);
    await gw.request("/user/update", { method: "POST", json: { user_id: "temp-admin", user_role: "internal_user" } });
    await gw.deps.invalidation.user("temp-admin");
    expect((await session()).status).toBe(401);
    expect((await fetch(`${gw.url}/key/list`, { headers: { cookie: jar } })).status).toBe(401);
  });
});
