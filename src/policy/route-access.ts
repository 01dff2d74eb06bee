// Route-level access (contract §1.2): which caller may reach which route, before any handler runs.
// Handlers then apply ownership rules (key-access.ts). Pure: caller and path in, decision out.
import { matchesPattern } from "./model-access.ts";
import { isProxyAdmin, type Role } from "./roles.ts";

export type RouteDecision = { ok: true } | { ok: false; status: 401 | 403; message: string };

export interface RouteCaller {
  readonly isMaster: boolean;
  readonly role: Role;
  readonly userId: string | null;
  /** The key's allowed_routes; empty = unrestricted. */
  readonly allowedRoutes: readonly string[];
}

const group = (...patterns: string[]) => (route: string) => patterns.some((p) => matchesPattern(p, route));

const withV1 = (...paths: string[]) => paths.flatMap((p) => [p, `/v1${p}`]);

export const isLlmRoute = group(
  ...withV1("/chat/completions", "/completions", "/embeddings", "/models", "/models/*", "/moderations", "/images/*"),
  ...withV1("/audio/*", "/responses", "/responses/*", "/rerank", "/batches", "/batches/*", "/files", "/files/*"),
  ...withV1("/fine_tuning/*", "/assistants", "/assistants/*", "/threads", "/threads/*", "/vector_stores", "/vector_stores/*"),
  ...withV1("/realtime"),
  "/v2/rerank", "/v1/messages", "/v1/messages/*", "/v1beta/models/*",
  "/engines/*/chat/completions", "/engines/*/completions", "/engines/*/embeddings",
  "/openai/deployments/*/chat/completions", "/openai/deployments/*/completions", "/openai/deployments/*/embeddings",
);

export const isInfoRoute = group(
  "/key/info", "/v2/key/info", "/key/list", "/key/health", "/user/info", "/v2/user/info", "/team/info", "/team/list", "/v2/team/list",
  "/model/info", "/v1/model/info", "/v2/model/info", "/model_group/info", "/health", "/health/*",
  "/team/available", "/team/filter/ui", "/metrics",
);

/** LiteLLM's internal_user_routes: key management, gated per key by the handlers. */
export const isKeyManagementRoute = group(
  "/key/generate", "/key/update", "/key/delete", "/key/info", "/key/regenerate", "/key/*/regenerate", "/key/list",
  "/key/block", "/key/unblock", "/key/bulk_update", "/key/aliases", "/key/*/reset_spend", "/key/service-account/generate",
  "/spend/logs", "/team/daily/activity", "/management/v1/keys/*",
);

const isSpendTrackingRoute = group("/spend/*", "/global/spend", "/global/spend/*", "/user/daily/activity", "/user/daily/activity/aggregated");
const isAdminViewerRoute = group(
  "/user/list", "/user/available_roles", "/user/filter/ui", "/global/activity", "/global/activity/*", "/tag/list", "/audit", "/audit/*",
  "/customer/daily/activity", "/end_user/daily/activity",
);
// Routes whose handlers do their own membership checks (team admins, org admins).
const isSelfManagedRoute = group(
  "/team/member_add", "/team/bulk_member_add", "/team/member_delete", "/team/member_update", "/team/permissions_list", "/team/permissions_update",
  "/team/model/add", "/team/model/delete",
  "/model/new", "/model/update", "/model/delete", "/user/list",
);
const isMasterKeyOnlyRoute = group("/global/spend/reset", "/memory-usage-in-mem-cache", "/memory-usage-in-mem-cache/*");

export const isManagementRoute = group(
  "/key/*", "/user/*", "/team/*", "/model/new", "/model/update", "/model/delete", "/customer/*", "/end_user/*",
  "/budget/*", "/organization/*", "/tag/*", "/management/*",
);

/** Route-group names a key's allowed_routes may use (set by key_type on /key/generate). */
const ROUTE_GROUPS: Record<string, (route: string) => boolean> = {
  llm_api_routes: isLlmRoute,
  info_routes: isInfoRoute,
  management_routes: isManagementRoute,
};

export const KEY_TYPE_ROUTES = {
  llm_api: ["llm_api_routes"],
  management: ["management_routes"],
  read_only: ["info_routes"],
  default: [],
} as const satisfies Record<string, readonly string[]>;
export type KeyType = keyof typeof KEY_TYPE_ROUTES;

export function allowedRoutesPermit(allowedRoutes: readonly string[], route: string): boolean {
  if (allowedRoutes.length === 0) return true;
  return allowedRoutes.some((entry) => ROUTE_GROUPS[entry]?.(route) ?? matchesPattern(entry, route));
}

/** general_settings.allowed_routes and admin_only_routes: the proxy's own route lists, for every key. */
export interface ProxyRouteLists {
  readonly allowedRoutes?: readonly string[];
  readonly adminOnlyRoutes?: readonly string[];
}

const NO_LISTS: ProxyRouteLists = {};
const listed = (patterns: readonly string[], route: string) => patterns.some((p) => matchesPattern(p, route));

export function decideRouteAccess(caller: RouteCaller, route: string, lists: ProxyRouteLists = NO_LISTS): RouteDecision {
  // LiteLLM checks allowed_routes before anything else, for the master key too.
  if (lists.allowedRoutes && !listed(lists.allowedRoutes, route)) return { ok: false, status: 403, message: `Access forbidden: Route ${route} not allowed` };
  if (caller.isMaster) return { ok: true };
  if (lists.adminOnlyRoutes && !isProxyAdmin(caller.role) && listed(lists.adminOnlyRoutes, route)) {
    return { ok: false, status: 403, message: `user not allowed to access this route. Route=${route} is an admin only route` };
  }
  if (!allowedRoutesPermit(caller.allowedRoutes, route)) {
    return {
      ok: false,
      status: 403,
      message: `Virtual key is not allowed to call this route. Only allowed to call routes: ${JSON.stringify(caller.allowedRoutes)}. Tried to call route: ${route}`,
    };
  }
  if (isMasterKeyOnlyRoute(route)) {
    return { ok: false, status: 401, message: `Authentication Error, Tried to access route=${route}, which is only for MASTER KEY` };
  }
  if (isProxyAdmin(caller.role) || isLlmRoute(route) || isInfoRoute(route)) return { ok: true };
  switch (caller.role) {
    case "proxy_admin_viewer":
      return isAdminViewerRoute(route) || isSpendTrackingRoute(route) ? { ok: true } : viewerRefusal(caller, route);
    case "internal_user_viewer":
      return isSpendTrackingRoute(route) ? { ok: true } : viewerRefusal(caller, route);
    case "internal_user":
    case "org_admin":
      if (isKeyManagementRoute(route) || isSpendTrackingRoute(route) || isSelfManagedRoute(route)) return { ok: true };
      return adminOnly(caller, route);
    default:
      return adminOnly(caller, route);
  }
}

const adminOnly = (caller: RouteCaller, route: string): RouteDecision => ({
  ok: false,
  status: 401,
  message: `Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=${route}. Your role=${caller.role}. Your user_id=${caller.userId}`,
});

const viewerRefusal = (caller: RouteCaller, route: string): RouteDecision => ({
  ok: false,
  status: 403,
  message: `user not allowed to access this route, role= ${caller.role}. Trying to access: ${route}`,
});
