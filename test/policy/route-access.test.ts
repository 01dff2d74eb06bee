import { describe, expect, test } from "bun:test";
import { allowedRoutesPermit, decideRouteAccess, type RouteCaller } from "../../src/policy/route-access.ts";
import type { Role } from "../../src/policy/roles.ts";

const caller = (role: Role, allowedRoutes: string[] = []): RouteCaller => ({ isMaster: false, role, userId: "u1", allowedRoutes });
const status = (role: Role, route: string) => {
  const d = decideRouteAccess(caller(role), route);
  return d.ok ? 200 : d.status;
};

describe("route access by role (contract §1.2)", () => {
  // role → [/chat/completions, /key/info, /key/list, /key/generate, /key/delete, /key/x/regenerate, /user/new, /global/spend/reset]
  const routes = ["/chat/completions", "/key/info", "/key/list", "/key/generate", "/key/delete", "/key/abc/regenerate", "/user/new", "/global/spend/reset"];
  test.each([
    ["proxy_admin", [200, 200, 200, 200, 200, 200, 200, 401]],
    ["proxy_admin_viewer", [200, 200, 200, 403, 403, 403, 403, 401]],
    ["internal_user", [200, 200, 200, 200, 200, 200, 401, 401]],
    ["internal_user_viewer", [200, 200, 200, 403, 403, 403, 403, 401]],
    ["unknown", [200, 200, 200, 401, 401, 401, 401, 401]],
  ] as const)("%s", (role, expected) => {
    expect(routes.map((r) => status(role, r))).toEqual([...expected]);
  });

  test("the master key reaches everything, master-only routes included", () => {
    for (const r of ["/global/spend/reset", "/user/new", "/key/generate"]) {
      expect(decideRouteAccess({ isMaster: true, role: "proxy_admin", userId: "default_user_id", allowedRoutes: [] }, r)).toEqual({ ok: true });
    }
  });

  test("an unknown role is told LiteLLM's message with role and user id", () => {
    const d = decideRouteAccess(caller("unknown"), "/key/generate");
    expect(d).toEqual({
      ok: false,
      status: 401,
      message: "Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/key/generate. Your role=unknown. Your user_id=u1",
    });
  });
});

describe("a key's allowed_routes", () => {
  test.each([
    [["llm_api_routes"], "/v1/chat/completions", true],
    [["llm_api_routes"], "/key/generate", false],
    [["info_routes"], "/key/info", true],
    [["info_routes"], "/chat/completions", false],
    [["management_routes"], "/key/generate", true],
    [["/chat/completions"], "/chat/completions", true],
    [["/chat/completions"], "/v1/chat/completions", false],
    [["/key/*"], "/key/abc/regenerate", true],
    [[], "/anything", true],
  ] as const)("%p permits %s: %p", (allowed, route, ok) => {
    expect(allowedRoutesPermit(allowed, route)).toBe(ok);
  });

  test("a refusal is a 403 naming the allowed routes and the route tried, before any role rule", () => {
    const d = decideRouteAccess(caller("proxy_admin", ["llm_api_routes"]), "/key/generate");
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.status).toBe(403);
      expect(d.message).toBe('Virtual key is not allowed to call this route. Only allowed to call routes: ["llm_api_routes"]. Tried to call route: /key/generate');
    }
  });
});
