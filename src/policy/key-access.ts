// Who may do what to which key (contract §1.4, §2.4), after the route-level check. Pure decisions.
// Team seam: `teamsAdministered` / `teamsMemberOf` come from team membership; a team admin manages
// every key of the team, a member may read them and do what the team's `team_member_permissions`
// allow (LiteLLM's team member permissions: by default nothing but /key/info and /key/health).
import type { KeyGenerationSettings } from "../config/schema.ts";
import { canReadAll, isProxyAdmin, type Role } from "./roles.ts";

export interface KeyActor {
  readonly role: Role;
  readonly userId: string | null;
  /** The hash of the key the caller authenticated with; null for the master key. */
  readonly ownToken: string | null;
  readonly teamsAdministered: readonly string[];
  readonly teamsMemberOf: readonly string[];
  /** The `team_member_permissions` of each team the actor is a member of (null: the team set none). */
  readonly memberPermissions?: Readonly<Record<string, readonly string[] | null>>;
}

export interface KeyOwner {
  readonly token: string;
  readonly userId: string | null;
  readonly teamId: string | null;
}

export type KeyDecision =
  | { ok: true }
  | { ok: false; status: 400 | 403; message: string }
  | { ok: false; status: 401; type: "team_member_permission_error"; param: string; message: string };
export type KeyWrite = "update" | "delete" | "regenerate" | "block" | "reset_spend";

const OK: KeyDecision = { ok: true };
const refuse = (message: string): KeyDecision => ({ ok: false, status: 403, message });

const administers = (actor: KeyActor, teamId: string | null) => teamId !== null && actor.teamsAdministered.includes(teamId);
const ownsPersonal = (actor: KeyActor, key: KeyOwner) => key.teamId === null && actor.userId !== null && key.userId === actor.userId;
const owns = (actor: KeyActor, key: KeyOwner) => actor.userId !== null && key.userId === actor.userId;

/**
 * What a team may allow its plain members (LiteLLM's key_management_routes, as /team/permissions_list
 * shows them). The key routes among them are enforced here; the rest are accepted and shown.
 */
export const TEAM_MEMBER_PERMISSION_ROUTES = [
  "/key/generate", "/key/update", "/key/delete", "/key/info", "/key/regenerate", "/key/service-account/generate",
  "/key/{key_id}/regenerate", "/key/list", "/key/block", "/key/unblock", "/key/bulk_update", "/team/key/bulk_update",
  "/team/daily/activity", "/team/daily/activity/aggregated", "/spend/logs", "/spend/logs/v2", "/key/{key_id}/reset_spend",
  "/key/aliases", "/key/access_group_assignment",
] as const;
/** What every member may do whatever the team sets: read the team's keys. */
export const BASELINE_TEAM_MEMBER_PERMISSIONS = ["/key/info", "/key/health"] as const;
export type TeamKeyRoute = "/key/generate" | "/key/service-account/generate" | "/key/update" | "/key/delete" | "/key/regenerate";

/** A member's permissions: the baseline plus the team's own (null or [] add nothing). */
export function effectiveMemberPermissions(teamPermissions: readonly string[] | null | undefined): string[] {
  return [...new Set([...BASELINE_TEAM_MEMBER_PERMISSIONS, ...(teamPermissions ?? [])])];
}

/** The first permission that is neither one of those routes, nor /key/health, nor a prefix ending in `*`. */
export function unknownMemberPermission(permissions: readonly string[]): string | undefined {
  const known = new Set<string>([...TEAM_MEMBER_PERMISSION_ROUTES, ...BASELINE_TEAM_MEMBER_PERMISSIONS]);
  return permissions.find((p) => !known.has(p) && !(p.startsWith("/") && p.endsWith("*")));
}

/** An exact route, or a prefix ending in `*` ("/key/*"). */
const permits = (permission: string, route: string) => (permission.endsWith("*") ? route.startsWith(permission.slice(0, -1)) : permission === route);

/**
 * A key route on a team's key (or a new key for the team): proxy admins and the team's admins may;
 * a plain member only when the team's `team_member_permissions` allow the route; anyone else not.
 * Refusals are LiteLLM's 401 team_member_permission_error, naming the route in `param`.
 */
export function decideTeamKeyRoute(actor: KeyActor, teamId: string, route: TeamKeyRoute): KeyDecision {
  if (isProxyAdmin(actor.role) || administers(actor, teamId)) return OK;
  const refuse401 = (message: string): KeyDecision => ({ ok: false, status: 401, type: "team_member_permission_error", param: route, message });
  if (!actor.teamsMemberOf.includes(teamId)) {
    return refuse401(`User ${actor.userId} does not belong to team ${teamId}. Team-scoped key management endpoints can only be used for keys in your own team.`);
  }
  const permissions = effectiveMemberPermissions(actor.memberPermissions?.[teamId]);
  // The path form of regenerate is the same action (LiteLLM checks both as /key/regenerate).
  if (permissions.some((p) => permits(p, route) || (route === "/key/regenerate" && p === "/key/{key_id}/regenerate"))) return OK;
  return refuse401(
    `Team member does not have permissions for endpoint: ${route}. You only have access to the following endpoints: ${pyList(permissions)} for team ${teamId}. ` +
      "Ask a proxy admin or a team admin to allow it in the team's member permissions (/team/permissions_update).",
  );
}

/** The owner a new key gets: a non-admin who names nobody creates the key for themselves. */
export function ownerOfNewKey(actor: KeyActor, requestedUserId: string | null | undefined): string | null {
  if (requestedUserId !== undefined && requestedUserId !== null) return requestedUserId;
  return isProxyAdmin(actor.role) ? null : actor.userId;
}

export function decideGenerate(actor: KeyActor, target: { userId: string | null; teamId: string | null }): KeyDecision {
  if (isProxyAdmin(actor.role)) return OK;
  if (target.userId !== actor.userId) {
    return refuse(`User can only create keys for themselves. Got user_id=${target.userId}, Your ID=${actor.userId}`);
  }
  if (target.teamId !== null && !actor.teamsMemberOf.includes(target.teamId) && !administers(actor, target.teamId)) {
    return refuse(`User=${actor.userId} is not a member of team=${target.teamId}, so cannot create keys for it`);
  }
  return OK;
}

/**
 * LiteLLM's key_generation_settings, on top of the roles: team keys only by team members whose
 * role is allowed (proxy admins always), personal keys only by allowed user roles, each with the
 * request fields it must send. `sent` is the request's fields as the client sent them.
 */
export function decideKeyGenerationSettings(
  settings: KeyGenerationSettings | undefined,
  actor: KeyActor,
  teamId: string | null,
  sent: readonly string[],
): KeyDecision {
  if (!settings) return OK;
  const missing = (required: readonly string[] | undefined) => required?.find((param) => !sent.includes(param));
  if (teamId !== null) {
    const rules = settings.team_key_generation;
    if (!rules || isProxyAdmin(actor.role)) return OK;
    const memberRole = administers(actor, teamId) ? "admin" : actor.teamsMemberOf.includes(teamId) ? "user" : null;
    if (rules.allowed_team_member_roles && (memberRole === null || !rules.allowed_team_member_roles.includes(memberRole))) {
      return { ok: false, status: 400, message: `Team member role ${memberRole ?? "None"} not in allowed_team_member_roles=${pyList(rules.allowed_team_member_roles)}` };
    }
    const param = missing(rules.required_params);
    return param === undefined ? OK : { ok: false, status: 400, message: `Required param ${param} not in data` };
  }
  const rules = settings.personal_key_generation;
  if (!rules) return OK;
  if (rules.allowed_user_roles && !rules.allowed_user_roles.includes(actor.role)) {
    return {
      ok: false,
      status: 400,
      message: `Personal key creation has been restricted by admin. Allowed roles=${pyList(rules.allowed_user_roles)}. Your role=${actor.role}`,
    };
  }
  const param = missing(rules.required_params);
  return param === undefined ? OK : { ok: false, status: 400, message: `Required param ${param} not in data` };
}

// LiteLLM prints Python lists: ['admin', 'user'].
const pyList = (items: readonly string[]) => `[${items.map((i) => `'${i}'`).join(", ")}]`;

/** A service account (a team key of no user): proxy admins, the team's admins, members so permitted. */
export function decideServiceAccount(actor: KeyActor, teamId: string): KeyDecision {
  return decideTeamKeyRoute(actor, teamId, "/key/service-account/generate");
}

export function decideRead(actor: KeyActor, key: KeyOwner): KeyDecision {
  if (canReadAll(actor.role) || actor.ownToken === key.token || owns(actor, key)) return OK;
  if (key.teamId !== null && (actor.teamsMemberOf.includes(key.teamId) || administers(actor, key.teamId))) return OK;
  return refuse(`You are not allowed to access this key's info. Your role=${actor.role}`);
}

const WRITE_REFUSAL: Record<KeyWrite, string> = {
  update: "You are not authorized to update this key",
  delete: "You are not authorized to delete this key",
  regenerate: "You are not authorized to regenerate this key",
  block: "Only proxy admins can block or unblock keys",
  reset_spend: "Only proxy admins or team admins can reset the spend of a key",
};

const TEAM_ROUTE: Record<"update" | "delete" | "regenerate", TeamKeyRoute> = { update: "/key/update", delete: "/key/delete", regenerate: "/key/regenerate" };

/** A team's key: as the team allows (owning it does not matter). A personal key: its owner. */
export function decideWrite(actor: KeyActor, action: KeyWrite, key: KeyOwner): KeyDecision {
  if (isProxyAdmin(actor.role)) return OK;
  if (action === "block") return refuse(WRITE_REFUSAL.block);
  if (action === "reset_spend") return administers(actor, key.teamId) ? OK : refuse(WRITE_REFUSAL.reset_spend);
  if (key.teamId !== null) return decideTeamKeyRoute(actor, key.teamId, TEAM_ROUTE[action]);
  return ownsPersonal(actor, key) ? OK : refuse(WRITE_REFUSAL[action]);
}

/** Fields a non-admin may not change on a key, even their own: ownership, team, spend, blocking. */
export function decideUpdateFields(
  actor: KeyActor,
  key: KeyOwner & { keyName: string },
  changes: { userId?: string | null; teamId?: string | null; spend?: boolean; blocked?: boolean },
): KeyDecision {
  if (isProxyAdmin(actor.role)) return OK;
  if (changes.userId !== undefined && changes.userId !== key.userId && changes.userId !== actor.userId) {
    return refuse(`User=${changes.userId} is not allowed to update key=${key.keyName} to belong to user=${key.userId}`);
  }
  if (changes.teamId !== undefined && changes.teamId !== key.teamId && !(changes.teamId !== null && administers(actor, changes.teamId))) {
    return refuse(`Only proxy admins or admins of team=${changes.teamId} can move a key to that team`);
  }
  if (changes.spend) return refuse("Only proxy admins can set the spend of a key");
  if (changes.blocked) return refuse(WRITE_REFUSAL.block);
  return OK;
}

export type ListScope =
  | { ok: true; all: true }
  | { ok: true; all: false; userId: string | null; teamIds: readonly string[]; serviceAccountTeamIds: readonly string[] }
  | { ok: false; status: 403; message: string };

/**
 * Admins and admin viewers list every key; others their own keys, every key of the teams they
 * administer, and the service accounts (keys of no user) of the teams they are in.
 */
export function decideListScope(actor: KeyActor, requestedUserId: string | undefined): ListScope {
  if (canReadAll(actor.role)) return { ok: true, all: true };
  if (requestedUserId !== undefined && requestedUserId !== actor.userId) {
    return { ok: false, status: 403, message: "You are not authorized to check another user's keys" };
  }
  return { ok: true, all: false, userId: actor.userId, teamIds: actor.teamsAdministered, serviceAccountTeamIds: actor.teamsMemberOf };
}
