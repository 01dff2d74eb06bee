// Adds `principal` to every route of the plugin that uses it. Runs before body validation, so an
// unauthenticated caller learns nothing about a route's schema. Also applies the route-level access
// rules (roles, a key's allowed_routes); handlers apply the per-object ones.
import { Elysia } from "elysia";
import { authenticate, type Principal } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { GatewayError } from "../errors.ts";
import { decideRouteAccess } from "../policy/route-access.ts";

export function authGuard(deps: AppDeps) {
  const authDeps = {
    masterKey: deps.masterKey,
    keys: deps.keys,
    users: deps.users,
    teams: deps.teams,
    graceToken: deps.graceToken,
    customHeader: deps.config.general.litellm_key_header_name?.toLowerCase(),
    now: deps.now,
  };
  return new Elysia({ name: "auth-guard" }).derive({ as: "scoped" }, async ({ request, path }) => {
    const principal = await authenticate(request.headers, authDeps);
    const decision = decideRouteAccess(routeCaller(principal), path);
    if (!decision.ok) {
      throw new GatewayError({ status: decision.status, type: "auth_error", message: decision.message });
    }
    return { principal };
  });
}

const routeCaller = (p: Principal) =>
  p.kind === "master"
    ? { isMaster: true, role: p.role, userId: p.userId, allowedRoutes: [] }
    : { isMaster: false, role: p.role, userId: p.key.userId, allowedRoutes: p.key.allowedRoutes };
