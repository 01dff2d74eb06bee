// Adds `principal` to every route of the plugin that uses it. Runs before body validation, so an
// unauthenticated caller learns nothing about a route's schema. Also applies the route-level access
// rules (roles, a key's allowed_routes); handlers apply the per-object ones.
import { Elysia } from "elysia";
import { readKey } from "../auth/key-header.ts";
import { DB_UNAVAILABLE_FALLBACK, DB_UNAVAILABLE_FALLBACK_ID } from "../auth/db-unavailable-fallback.ts";
import { authenticate, type AuthDeps, type Principal } from "../auth/principal.ts";
import { describeError, onceEvery } from "../log.ts";
import { checkCsrf, uiSessions } from "../auth/ui-sessions.ts";
import type { AppDeps } from "../deps.ts";
import { GatewayError } from "../errors.ts";
import { decideRouteAccess } from "../policy/route-access.ts";

export const authDepsOf = (deps: AppDeps): AuthDeps => ({
  masterKey: deps.masterKey,
  keys: deps.keys,
  users: deps.users,
  teams: deps.teams,
  graceToken: deps.graceToken,
  customHeader: deps.config.general.litellm_key_header_name?.toLowerCase(),
  now: deps.now,
  onDatabaseUnavailable: deps.config.general.allow_requests_on_db_unavailable === true ? fallbackWhileDatabaseUnavailable(deps.log) : undefined,
});

/** The fallback identity, logged once per interval while calls are served under it, not once per call. */
function fallbackWhileDatabaseUnavailable(log: AppDeps["log"]) {
  const warningDue = onceEvery(5_000);
  return (err: unknown) => {
    if (warningDue()) {
      log.warn("database unavailable: keys not in memory are served as the fallback identity (allow_requests_on_db_unavailable)", {
        user_id: DB_UNAVAILABLE_FALLBACK_ID,
        error: describeError(err),
      });
    }
    return DB_UNAVAILABLE_FALLBACK;
  };
}

export function authGuard(deps: AppDeps) {
  const authDeps = authDepsOf(deps);
  const sessions = uiSessions(deps, authDeps);
  // A request with a key header is judged by that key alone; the UI session cookie is the
  // alternative when there is none, and then state changes need the session's CSRF token.
  const fromSession = async (request: Request): Promise<Principal | undefined> => {
    const session = await sessions.read(request.headers);
    if (!session) return undefined;
    checkCsrf(request.method, request.headers, session);
    return sessions.principalOf(session);
  };
  const lists = { allowedRoutes: deps.config.general.allowed_routes, adminOnlyRoutes: deps.config.general.admin_only_routes };
  return new Elysia({ name: "auth-guard" }).derive({ as: "scoped" }, async ({ request, path }) => {
    const read = readKey(request.headers, authDeps.customHeader);
    const principal = (read.kind === "missing" ? await fromSession(request) : undefined) ?? (await authenticate(request.headers, authDeps, read));
    const decision = decideRouteAccess(routeCaller(principal), path, lists);
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
