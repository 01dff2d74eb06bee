// Teams and their members (contract §1.6): CRUD, membership, blocking, cascades.
import { GatewayError } from "../errors.ts";
import type { Store } from "../db/client.ts";
import { deleteKeysOfTeams } from "../db/store/cascade.ts";
import {
  countTeams, searchTeams, deleteMember, deleteTeamRows, findMember, findTeam, insertMember, insertTeam, listTeams, type MemberRow, membersOf,
  membershipsOfUser, membersOfTeams, type NewTeamRow, type TeamRow, updateMember, updateTeam,
} from "../db/store/teams.ts";
import { findUserByEmail, insertUser, listAllUserIds } from "../db/store/user-admin.ts";
import { findUserById } from "../db/store/users.ts";
import { nanoToUsd, nanoToUsdOrNull, usdFieldToNanoOrNull, usdToNanoOrNull } from "../money.ts";
import { canReadAll, isProxyAdmin } from "../policy/roles.ts";
import { BASELINE_TEAM_MEMBER_PERMISSIONS, TEAM_MEMBER_PERMISSION_ROUTES, unknownMemberPermission } from "../policy/key-access.ts";
import type { Caller } from "./users.ts";
import { budgetPeriodColumns } from "../spend/budget-period.ts";
import { PROXY_BUDGET_USER_ID } from "../spend/hooks.ts";

export interface TeamsContext {
  store: Store;
  /** Teams any user may join on their own (litellm_settings.default_internal_user_params.available_teams). */
  availableTeams?: readonly string[];
  /** litellm_settings.timezone: the zone a budget_duration's resets align to. */
  timeZone?: string;
  now?: () => number;
  invalidateKey(token: string): void;
  invalidateTeam(teamId: string): void;
}

export type TeamRole = "admin" | "user";

export interface MemberRef {
  role?: TeamRole;
  user_id?: string | null;
  user_email?: string | null;
  max_budget_in_team?: number | null;
}

export interface TeamFields {
  team_alias?: string | null;
  models?: string[];
  max_budget?: number | null;
  soft_budget?: number | null;
  budget_duration?: string | null;
  tpm_limit?: number | null;
  rpm_limit?: number | null;
  max_parallel_requests?: number | null;
  model_aliases?: Record<string, string> | null;
  model_rpm_limit?: Record<string, number> | null;
  model_tpm_limit?: Record<string, number> | null;
  team_member_permissions?: string[] | null;
  metadata?: Record<string, unknown> | null;
  blocked?: boolean;
}

export function memberView(m: MemberRow) {
  return {
    user_id: m.userId,
    team_id: m.teamId,
    role: m.role,
    spend: nanoToUsd(m.spendNano),
    max_budget_in_team: nanoToUsdOrNull(m.maxBudgetInTeamNano),
    tpm_limit: m.tpmLimit,
    rpm_limit: m.rpmLimit,
  };
}

export function teamView(t: TeamRow, members: MemberRow[]) {
  return {
    team_id: t.teamId,
    team_alias: t.teamAlias,
    models: t.models,
    max_budget: nanoToUsdOrNull(t.maxBudgetNano),
    soft_budget: nanoToUsdOrNull(t.softBudgetNano),
    budget_duration: t.budgetDuration,
    budget_reset_at: t.budgetResetAt?.toISOString() ?? null,
    tpm_limit: t.tpmLimit,
    rpm_limit: t.rpmLimit,
    max_parallel_requests: t.maxParallelRequests,
    model_aliases: t.modelAliases,
    model_rpm_limit: t.modelRpmLimit,
    model_tpm_limit: t.modelTpmLimit,
    team_member_permissions: t.teamMemberPermissions ?? [],
    metadata: t.metadata,
    blocked: t.blocked,
    spend: nanoToUsd(t.spendNano),
    members_with_roles: members.map((m) => ({ role: m.role, user_id: m.userId })),
    admins: members.filter((m) => m.role === "admin").map((m) => m.userId),
    members: members.filter((m) => m.role === "user").map((m) => m.userId),
    created_at: t.createdAt.toISOString(),
    updated_at: t.updatedAt.toISOString(),
  };
}

function toRow(f: TeamFields, ctx: Pick<TeamsContext, "timeZone" | "now">): Partial<NewTeamRow> {
  const row: Partial<NewTeamRow> = {};
  if (f.team_member_permissions) checkMemberPermissions(f.team_member_permissions);
  if (f.team_alias !== undefined) row.teamAlias = f.team_alias;
  if (f.models !== undefined) row.models = f.models;
  if (f.max_budget !== undefined) row.maxBudgetNano = usdFieldToNanoOrNull("max_budget", f.max_budget);
  if (f.soft_budget !== undefined) row.softBudgetNano = usdFieldToNanoOrNull("soft_budget", f.soft_budget);
  if (f.budget_duration !== undefined) Object.assign(row, budgetPeriodColumns(f.budget_duration, (ctx.now ?? Date.now)(), ctx.timeZone));
  if (f.tpm_limit !== undefined) row.tpmLimit = f.tpm_limit;
  if (f.rpm_limit !== undefined) row.rpmLimit = f.rpm_limit;
  if (f.max_parallel_requests !== undefined) row.maxParallelRequests = f.max_parallel_requests;
  if (f.model_aliases !== undefined) row.modelAliases = f.model_aliases ?? {};
  if (f.model_rpm_limit !== undefined) row.modelRpmLimit = f.model_rpm_limit;
  if (f.model_tpm_limit !== undefined) row.modelTpmLimit = f.model_tpm_limit;
  if (f.team_member_permissions !== undefined) row.teamMemberPermissions = f.team_member_permissions;
  if (f.metadata !== undefined) row.metadata = f.metadata ?? {};
  if (f.blocked !== undefined) row.blocked = f.blocked;
  return row;
}

async function requireTeam(ctx: TeamsContext, teamId: string): Promise<TeamRow> {
  const team = await findTeam(ctx.store, teamId);
  if (!team) throw GatewayError.notFound(`Team not found, passed team_id=${teamId}`, "team_id");
  return team;
}

/** The user a member reference names, created when unknown (member_add creates users, §1.6). */
async function resolveMember(ctx: TeamsContext, ref: MemberRef): Promise<string> {
  if (ref.user_id) {
    if (!(await findUserById(ctx.store, ref.user_id))) {
      await insertUser(ctx.store, { userId: ref.user_id, userEmail: ref.user_email ?? null, userRole: "internal_user" });
    }
    return ref.user_id;
  }
  if (ref.user_email) {
    const existing = await findUserByEmail(ctx.store, ref.user_email);
    if (existing) return existing.userId;
    const created = await insertUser(ctx.store, { userId: crypto.randomUUID(), userEmail: ref.user_email, userRole: "internal_user" });
    if (created.ok) return created.row.userId;
    return (await findUserByEmail(ctx.store, ref.user_email))!.userId;
  }
  throw GatewayError.badRequest("A member needs a user_id or a user_email", "member");
}

export async function createTeam(ctx: TeamsContext, caller: Caller, input: TeamFields & { team_id?: string; members_with_roles?: MemberRef[] }) {
  const teamId = input.team_id ?? crypto.randomUUID();
  const row = await insertTeam(ctx.store, { teamId, ...toRow(input, ctx) });
  if (!row) throw GatewayError.badRequest(`Team id = ${teamId} already exists. Please use a different team id.`, "team_id");
  const refs = [...(input.members_with_roles ?? [])];
  // LiteLLM appends the creator as an admin when it is not listed (its tests count on it, §8.2.7).
  if (caller.userId && !refs.some((r) => r.user_id === caller.userId)) refs.push({ role: "admin", user_id: caller.userId });
  for (const ref of refs) {
    const userId = await resolveMember(ctx, ref);
    await insertMember(ctx.store, { teamId, userId, role: ref.role ?? "user", maxBudgetInTeamNano: usdToNanoOrNull(ref.max_budget_in_team) });
  }
  return teamView(row, await membersOf(ctx.store, teamId));
}

export async function updateTeamFields(ctx: TeamsContext, caller: Caller, teamId: string, fields: TeamFields) {
  await requireTeam(ctx, teamId);
  await checkTeamAdmin(ctx, caller, teamId, "/team/update");
  const row = await updateTeam(ctx.store, teamId, toRow(fields, ctx));
  ctx.invalidateTeam(teamId);
  return { team_id: teamId, data: teamView(row!, await membersOf(ctx.store, teamId)) };
}

/** LiteLLM's /team/model/add and /team/model/delete: the team's model list, changed by proxy or team admins. */
export async function changeTeamModels(ctx: TeamsContext, caller: Caller, teamId: string, models: readonly string[], change: "add" | "delete") {
  const team = await requireTeam(ctx, teamId);
  await checkTeamAdmin(ctx, caller, teamId, `/team/model/${change}`);
  const current = team.models ?? [];
  const next = change === "add" ? [...new Set([...current, ...models])] : current.filter((m) => !models.includes(m));
  const row = await updateTeam(ctx.store, teamId, { models: next });
  ctx.invalidateTeam(teamId);
  return teamView(row!, await membersOf(ctx.store, teamId));
}

export async function teamInfo(ctx: TeamsContext, caller: Caller, teamId: string, keyTeamId: string | null) {
  const team = await findTeam(ctx.store, teamId);
  if (!team) throw GatewayError.notFound(`Team not found, passed team id: ${teamId}.`, "team_id");
  const members = await membersOf(ctx.store, teamId);
  const allowed = canReadAll(caller.role) || keyTeamId === teamId || members.some((m) => m.userId === caller.userId);
  if (!allowed) throw GatewayError.forbidden(`User=${caller.userId} not authorized to access this team=${teamId}`, "team_id");
  return { team, members };
}

/** The teams a caller may list: all for admins and viewers (or one user's), one's own for others. */
async function visibleTeamIds(ctx: TeamsContext, caller: Caller, userId: string | undefined): Promise<string[] | undefined> {
  if (canReadAll(caller.role)) return userId ? (await membershipsOfUser(ctx.store, userId)).map((m) => m.teamId) : undefined;
  if (userId !== undefined && userId !== caller.userId) {
    throw GatewayError.auth(`Only admin users can query all teams/other teams. Your user role=${caller.role}`);
  }
  return caller.userId ? (await membershipsOfUser(ctx.store, caller.userId)).map((m) => m.teamId) : [];
}

async function withMembers(ctx: TeamsContext, teams: TeamRow[]) {
  const members = await membersOfTeams(ctx.store, teams.map((t) => t.teamId));
  return teams.map((t) => teamView(t, members.get(t.teamId) ?? []));
}

/** Teams with their members: all for admins and viewers, one's own for others. `page` is optional (LiteLLM's /team/list has none). */
export async function listTeamsFor(ctx: TeamsContext, caller: Caller, userId: string | undefined, page?: { offset: number; limit: number }) {
  return withMembers(ctx, await listTeams(ctx.store, { teamIds: await visibleTeamIds(ctx, caller, userId) }, page));
}

/** LiteLLM's /v2/team/list: the same teams, filtered by team_id or team_alias, one page and the totals. */
export async function listTeamPage(
  ctx: TeamsContext,
  caller: Caller,
  q: { userId?: string; teamId?: string; teamAlias?: string; page: number; pageSize: number },
) {
  const visible = await visibleTeamIds(ctx, caller, q.userId);
  const teamIds = q.teamId === undefined ? visible : visible === undefined || visible.includes(q.teamId) ? [q.teamId] : [];
  const filter = { teamIds, teamAlias: q.teamAlias };
  const [rows, total] = await Promise.all([listTeams(ctx.store, filter, { offset: (q.page - 1) * q.pageSize, limit: q.pageSize }), countTeams(ctx.store, filter)]);
  return { teams: await withMembers(ctx, rows), total, page: q.page, page_size: q.pageSize, total_pages: Math.max(1, Math.ceil(total / q.pageSize)) };
}

export async function deleteTeams(ctx: TeamsContext, teamIds: string[]) {
  if (teamIds.length === 0) throw GatewayError.badRequest("team_ids must name at least one team", "team_ids");
  for (const id of teamIds) await requireTeam(ctx, id);
  // Cascade (contract §4.7): the teams' keys, the memberships, then the rows.
  const tokens = await deleteKeysOfTeams(ctx.store, teamIds);
  for (const t of tokens) ctx.invalidateKey(t);
  await deleteTeamRows(ctx.store, teamIds);
  for (const id of teamIds) ctx.invalidateTeam(id);
  return { deleted_teams: teamIds, deleted_keys: tokens.length };
}

function checkMemberPermissions(permissions: readonly string[], param = "team_member_permissions"): void {
  const unknown = unknownMemberPermission(permissions);
  if (unknown === undefined) return;
  throw GatewayError.badRequest(
    `Unknown team member permission: ${unknown}. Use routes from /team/permissions_list (all_available_permissions), /key/health, or a prefix ending in * such as /key/*.`,
    param,
  );
}

const isAvailable = (ctx: TeamsContext, teamId: string) => ctx.availableTeams?.includes(teamId) ?? false;

/**
 * LiteLLM's /team/available: the configured teams a user may join on their own, less those they
 * are in. No list configured is a 400; a configured team that does not exist is left out.
 */
export async function availableTeams(ctx: TeamsContext, caller: Caller) {
  if (!ctx.availableTeams) {
    throw GatewayError.badRequest(
      "No available teams for user to join. See how to set available teams here: https://docs.litellm.ai/docs/proxy/self_serve#all-settings-for-self-serve--sso-flow",
    );
  }
  const joined = new Set(caller.userId ? (await membershipsOfUser(ctx.store, caller.userId)).map((m) => m.teamId) : []);
  return withMembers(ctx, await listTeams(ctx.store, { teamIds: ctx.availableTeams.filter((id) => !joined.has(id)) }));
}

/** Proxy admins, the team's admins, and anyone for a team on the available list (as LiteLLM). */
async function checkPermissionsAccess(ctx: TeamsContext, caller: Caller, teamId: string, route: string): Promise<TeamRow> {
  const team = await requireTeam(ctx, teamId);
  if (!isAvailable(ctx, teamId)) await checkTeamAdmin(ctx, caller, teamId, route);
  return team;
}

/** LiteLLM's /team/permissions_list: what the team's plain members may do to its keys. */
export async function teamPermissions(ctx: TeamsContext, caller: Caller, teamId: string) {
  const team = await checkPermissionsAccess(ctx, caller, teamId, "/team/permissions_list");
  return {
    team_id: teamId,
    team_member_permissions: team.teamMemberPermissions ?? [...BASELINE_TEAM_MEMBER_PERMISSIONS],
    all_available_permissions: [...TEAM_MEMBER_PERMISSION_ROUTES],
  };
}

/** LiteLLM's /team/permissions_update: replaces the list; only the team's admins (and proxy admins). */
export async function updateTeamPermissions(ctx: TeamsContext, caller: Caller, teamId: string, permissions: string[]) {
  await requireTeam(ctx, teamId);
  await checkTeamAdmin(ctx, caller, teamId, "/team/permissions_update");
  checkMemberPermissions(permissions);
  const row = await updateTeam(ctx.store, teamId, { teamMemberPermissions: permissions });
  ctx.invalidateTeam(teamId);
  return teamView(row!, await membersOf(ctx.store, teamId));
}

/** LiteLLM's /team/filter/ui: teams whose id or alias contains the text; non-admins search their own teams. */
export async function filterTeams(ctx: TeamsContext, caller: Caller, q: { teamId?: string; teamAlias?: string; page: number; pageSize: number }) {
  const teamIds = await visibleTeamIds(ctx, caller, undefined);
  const rows = await searchTeams(ctx.store, { teamIdContains: q.teamId, aliasContains: q.teamAlias, teamIds }, { offset: (q.page - 1) * q.pageSize, limit: q.pageSize });
  return withMembers(ctx, rows);
}

/** Proxy admins and the team's admins manage members (403 otherwise, §3.4). */
export async function checkTeamAdmin(ctx: TeamsContext, caller: Caller, teamId: string, route: string) {
  if (isProxyAdmin(caller.role)) return;
  const member = caller.userId ? await findMember(ctx.store, teamId, caller.userId) : undefined;
  if (member?.role === "admin") return;
  throw GatewayError.forbidden(`Call not allowed. User not proxy admin OR team admin. route=${route}, team_id=${teamId}`, "team_id");
}

/** One member in: the user (created when unknown), and whether they were not in the team yet. */
async function insertOneMember(ctx: TeamsContext, teamId: string, ref: MemberRef, maxBudgetInTeam: number | null | undefined) {
  const userId = await resolveMember(ctx, ref);
  const inserted = await insertMember(ctx.store, {
    teamId, userId, role: ref.role ?? "user", maxBudgetInTeamNano: usdToNanoOrNull(ref.max_budget_in_team ?? maxBudgetInTeam),
  });
  return { userId, inserted };
}

export async function addMembers(ctx: TeamsContext, caller: Caller, teamId: string, refs: MemberRef[], maxBudgetInTeam?: number | null) {
  await requireTeam(ctx, teamId);
  if (!joinsAvailableTeam(ctx, caller, teamId, refs, maxBudgetInTeam)) await checkTeamAdmin(ctx, caller, teamId, "/team/member_add");
  const added: string[] = [];
  for (const ref of refs) {
    const { userId, inserted } = await insertOneMember(ctx, teamId, ref, maxBudgetInTeam);
    if (!inserted) {
      const existing = (await membersOf(ctx.store, teamId)).map((m) => m.userId);
      throw GatewayError.badRequest(`User=${userId} already in team. Existing members=${JSON.stringify(existing)}`, "member");
    }
    added.push(userId);
  }
  ctx.invalidateTeam(teamId);
  const team = (await findTeam(ctx.store, teamId))!;
  const members = await membersOf(ctx.store, teamId);
  return {
    ...teamView(team, members),
    updated_users: added.map((user_id) => ({ user_id })),
    updated_team_memberships: members.filter((m) => added.includes(m.userId)).map(memberView),
  };
}

/** Members one /team/bulk_member_add may add (LiteLLM's MAX_BATCH_SIZE). */
export const MAX_BULK_MEMBERS = 500;

/**
 * LiteLLM's /team/bulk_member_add: the members (or, with all_users, every user) added one by one,
 * each succeeding or failing on its own (a user already in the team fails, the others go in), with
 * the team as it ends up. Who may call it is decided up front, as for /team/member_add.
 */
export async function bulkAddMembers(
  ctx: TeamsContext,
  caller: Caller,
  teamId: string,
  input: { members?: MemberRef[]; allUsers?: boolean; maxBudgetInTeam?: number | null },
) {
  await requireTeam(ctx, teamId);
  const refs: MemberRef[] = input.allUsers === true
    ? (await listAllUserIds(ctx.store, PROXY_BUDGET_USER_ID, MAX_BULK_MEMBERS + 1)).map((user_id) => ({ user_id, role: "user" as const }))
    : (input.members ?? []);
  const param = input.allUsers === true ? "all_users" : "members";
  if (refs.length === 0) throw GatewayError.badRequest("At least one member is required", param);
  if (refs.length > MAX_BULK_MEMBERS) throw GatewayError.badRequest(`Maximum ${MAX_BULK_MEMBERS} members can be added at once`, param);
  if (!joinsAvailableTeam(ctx, caller, teamId, refs, input.maxBudgetInTeam)) await checkTeamAdmin(ctx, caller, teamId, "/team/bulk_member_add");
  const outcomes: { ref: MemberRef; userId?: string; error?: string }[] = [];
  for (const ref of refs) {
    try {
      const { userId, inserted } = await insertOneMember(ctx, teamId, ref, input.maxBudgetInTeam);
      outcomes.push(inserted ? { ref, userId } : { ref, userId, error: `User=${userId} already in team` });
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      outcomes.push({ ref, error: err.message });
    }
  }
  ctx.invalidateTeam(teamId);
  const team = (await findTeam(ctx.store, teamId))!;
  const members = await membersOf(ctx.store, teamId);
  const membership = new Map(members.map((m) => [m.userId, m]));
  const added = outcomes.filter((o) => o.error === undefined).length;
  return {
    team_id: teamId,
    results: outcomes.map((o) => ({
      user_id: o.userId ?? o.ref.user_id ?? null,
      user_email: o.ref.user_email ?? null,
      success: o.error === undefined,
      ...(o.error === undefined
        ? { updated_user: { user_id: o.userId }, updated_team_membership: memberView(membership.get(o.userId!)!) }
        : { error: o.error }),
    })),
    total_requested: refs.length,
    successful_additions: added,
    failed_additions: refs.length - added,
    updated_team: teamView(team, members),
  };
}

/**
 * LiteLLM's /team/permissions_bulk_update (proxy admins): appends permissions to the lists of the
 * teams named, or of every team. A team without a list of its own starts from the baseline that
 * /team/permissions_list shows for it. Everything is checked before any team changes.
 */
export async function bulkAddTeamPermissions(ctx: TeamsContext, caller: Caller, input: { permissions: string[]; teamIds?: string[]; allTeams?: boolean }) {
  if (!isProxyAdmin(caller.role)) {
    throw GatewayError.forbidden(`Only proxy admins can update the permissions of several teams. Your role=${caller.role}. route=/team/permissions_bulk_update`);
  }
  if (input.allTeams === true && input.teamIds !== undefined) throw GatewayError.badRequest("Pass either team_ids or apply_to_all_teams, not both", "team_ids");
  if (input.allTeams !== true && !input.teamIds?.length) throw GatewayError.badRequest("team_ids is required unless apply_to_all_teams is true", "team_ids");
  checkMemberPermissions(input.permissions, "permissions");
  const teams = input.allTeams === true ? await listTeams(ctx.store) : await Promise.all([...new Set(input.teamIds)].map((id) => requireTeam(ctx, id)));
  const appended = [...new Set(input.permissions)];
  for (const team of teams) {
    const current = team.teamMemberPermissions ?? [...BASELINE_TEAM_MEMBER_PERMISSIONS];
    const next = [...new Set([...current, ...appended])];
    if (next.length === current.length && team.teamMemberPermissions !== null) continue;
    await updateTeam(ctx.store, team.teamId, { teamMemberPermissions: next });
    ctx.invalidateTeam(team.teamId);
  }
  return { message: `Appended ${appended.length} permission(s) to ${teams.length} team(s)`, teams_updated: teams.length, permissions_appended: appended };
}

/** A user joining an available team on their own: themselves only, as a plain member, no team budget. */
function joinsAvailableTeam(ctx: TeamsContext, caller: Caller, teamId: string, refs: MemberRef[], maxBudgetInTeam?: number | null): boolean {
  if (!isAvailable(ctx, teamId) || !caller.userId || maxBudgetInTeam != null) return false;
  return refs.every((r) => r.user_id === caller.userId && (r.role ?? "user") === "user" && r.max_budget_in_team == null);
}

async function memberUserId(ctx: TeamsContext, ref: { user_id?: string | null; user_email?: string | null }) {
  if (ref.user_id) return ref.user_id;
  if (ref.user_email) return (await findUserByEmail(ctx.store, ref.user_email))?.userId;
  throw GatewayError.badRequest("Pass user_id or user_email", "user_id");
}

export async function removeMember(ctx: TeamsContext, caller: Caller, teamId: string, ref: { user_id?: string | null; user_email?: string | null }) {
  if (!(await findTeam(ctx.store, teamId))) throw GatewayError.badRequest(`Team id=${teamId} does not exist in db`, "team_id");
  await checkTeamAdmin(ctx, caller, teamId, "/team/member_delete");
  const userId = await memberUserId(ctx, ref);
  if (!userId || !(await deleteMember(ctx.store, teamId, userId))) throw GatewayError.badRequest("User not found in team", "user_id");
  ctx.invalidateTeam(teamId);
  return teamView((await findTeam(ctx.store, teamId))!, await membersOf(ctx.store, teamId));
}

export async function updateMemberFields(
  ctx: TeamsContext,
  caller: Caller,
  teamId: string,
  ref: { user_id?: string | null; user_email?: string | null },
  changes: { role?: TeamRole; max_budget_in_team?: number | null; tpm_limit?: number | null; rpm_limit?: number | null },
) {
  await requireTeam(ctx, teamId);
  await checkTeamAdmin(ctx, caller, teamId, "/team/member_update");
  const userId = await memberUserId(ctx, ref);
  if (typeof changes.max_budget_in_team === "number" && changes.max_budget_in_team < 0) {
    throw GatewayError.badRequest(`max_budget_in_team cannot be negative. Received: ${changes.max_budget_in_team}`, "max_budget_in_team");
  }
  const set: Partial<MemberRow> = {};
  if (changes.role !== undefined) set.role = changes.role;
  if (changes.max_budget_in_team !== undefined) set.maxBudgetInTeamNano = usdToNanoOrNull(changes.max_budget_in_team);
  if (changes.tpm_limit !== undefined) set.tpmLimit = changes.tpm_limit;
  if (changes.rpm_limit !== undefined) set.rpmLimit = changes.rpm_limit;
  const row = !userId ? undefined : Object.keys(set).length > 0 ? await updateMember(ctx.store, teamId, userId, set) : await findMember(ctx.store, teamId, userId);
  if (!row) throw GatewayError.badRequest("User not found in team", "user_id");
  ctx.invalidateTeam(teamId);
  const user = await findUserById(ctx.store, row.userId);
  return {
    team_id: teamId,
    user_id: row.userId,
    user_email: user?.userEmail ?? null,
    role: row.role,
    max_budget_in_team: nanoToUsdOrNull(row.maxBudgetInTeamNano),
    tpm_limit: row.tpmLimit,
    rpm_limit: row.rpmLimit,
  };
}

export async function setTeamBlocked(ctx: TeamsContext, teamId: string, blocked: boolean) {
  await requireTeam(ctx, teamId);
  const row = await updateTeam(ctx.store, teamId, { blocked });
  ctx.invalidateTeam(teamId);
  return teamView(row!, await membersOf(ctx.store, teamId));
}
