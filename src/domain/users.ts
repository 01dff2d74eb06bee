// Internal users (contract §1.5): create, read, list, update, delete with cascades.
import { GatewayError } from "../errors.ts";
import type { Store } from "../db/client.ts";
import { findTeam, insertMember, membershipsOfUser, deleteMembershipsOfUsers, type MemberRow } from "../db/store/teams.ts";
import {
  countAllUsers, deleteUserRows, existingUserIds, listAllUserIds, searchUsers, findUserByEmail, insertUser, keyCountsByUser, listUsers, type NewUserRow, updateUser,
  type UserListFilter, type UserSort,
} from "../db/store/user-admin.ts";
import { findUserById, type UserRow } from "../db/store/users.ts";
import { deleteKeysOfUsers } from "../db/store/cascade.ts";
import { nanoToUsd, nanoToUsdOrNull, usdFieldToNano, usdFieldToNanoOrNull, usdToNanoOrNull } from "../money.ts";
import { canReadAll, isProxyAdmin, type Role, USER_ROLES, type UserRole } from "../policy/roles.ts";
import { budgetPeriodColumns } from "../spend/budget-period.ts";
import { PROXY_BUDGET_USER_ID } from "../spend/hooks.ts";

export interface UsersContext {
  store: Store;
  /** Called for every key and user row that changed, so caches (and other instances) reload. */
  invalidateKey(token: string): void;
  invalidateUser(userId: string): void;
  /** litellm_settings.timezone: the zone a budget_duration's resets align to. */
  timeZone?: string;
  now?: () => number;
}

export interface Caller {
  role: Role;
  userId: string | null;
}

export type TeamRef = string | { team_id: string; user_role?: "admin" | "user"; max_budget_in_team?: number | null };

export interface UserFields {
  user_id?: string;
  user_email?: string | null;
  user_alias?: string | null;
  user_role?: UserRole | null;
  models?: string[];
  max_budget?: number | null;
  soft_budget?: number | null;
  budget_duration?: string | null;
  tpm_limit?: number | null;
  rpm_limit?: number | null;
  max_parallel_requests?: number | null;
  metadata?: Record<string, unknown>;
  spend?: number;
}

const ADMIN_ROLES: readonly string[] = ["proxy_admin", "proxy_admin_viewer"];

export function userView(row: UserRow, extra: { teams?: string[]; key_count?: number } = {}) {
  return {
    user_id: row.userId,
    user_email: row.userEmail,
    user_alias: row.userAlias,
    user_role: row.userRole,
    models: row.models,
    spend: nanoToUsd(row.spendNano),
    max_budget: nanoToUsdOrNull(row.maxBudgetNano),
    soft_budget: nanoToUsdOrNull(row.softBudgetNano),
    budget_duration: row.budgetDuration,
    budget_reset_at: row.budgetResetAt?.toISOString() ?? null,
    tpm_limit: row.tpmLimit,
    rpm_limit: row.rpmLimit,
    max_parallel_requests: row.maxParallelRequests,
    metadata: row.metadata,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    ...extra,
  };
}

function toRow(fields: UserFields, ctx: Pick<UsersContext, "timeZone" | "now">): Partial<NewUserRow> {
  const row: Partial<NewUserRow> = {};
  if (fields.user_email !== undefined) row.userEmail = fields.user_email;
  if (fields.user_alias !== undefined) row.userAlias = fields.user_alias;
  if (fields.user_role !== undefined) row.userRole = fields.user_role;
  if (fields.models !== undefined) row.models = fields.models;
  if (fields.max_budget !== undefined) row.maxBudgetNano = usdFieldToNanoOrNull("max_budget", fields.max_budget);
  if (fields.soft_budget !== undefined) row.softBudgetNano = usdFieldToNanoOrNull("soft_budget", fields.soft_budget);
  if (fields.budget_duration !== undefined) Object.assign(row, budgetPeriodColumns(fields.budget_duration, (ctx.now ?? Date.now)(), ctx.timeZone));
  if (fields.tpm_limit !== undefined) row.tpmLimit = fields.tpm_limit;
  if (fields.rpm_limit !== undefined) row.rpmLimit = fields.rpm_limit;
  if (fields.max_parallel_requests !== undefined) row.maxParallelRequests = fields.max_parallel_requests;
  if (fields.metadata !== undefined) row.metadata = fields.metadata;
  if (fields.spend !== undefined) row.spendNano = usdFieldToNano("spend", fields.spend);
  return row;
}

export async function createUser(ctx: UsersContext, caller: Caller, input: UserFields & { teams?: TeamRef[]; team_id?: string }) {
  if (input.user_role && ADMIN_ROLES.includes(input.user_role) && !isProxyAdmin(caller.role)) {
    throw GatewayError.forbidden(`Only proxy admins can create users with role ${input.user_role}.`, "user_role");
  }
  const userId = input.user_id ?? crypto.randomUUID();
  const teams = [...(input.teams ?? []), ...(input.team_id ? [input.team_id] : [])];
  for (const ref of teams) {
    const teamId = typeof ref === "string" ? ref : ref.team_id;
    if (!(await findTeam(ctx.store, teamId))) throw GatewayError.badRequest(`Team id=${teamId} does not exist in db`, "teams");
  }
  const result = await insertUser(ctx.store, { userId, ...toRow(input, ctx) });
  if (!result.ok) {
    throw result.conflict === "user_id"
      ? GatewayError.conflict(`User with id ${userId} already exists`, "user_id")
      : GatewayError.conflict(`User with email ${input.user_email} already exists`, "user_email");
  }
  for (const ref of teams) {
    const r = typeof ref === "string" ? { team_id: ref } : ref;
    await insertMember(ctx.store, {
      teamId: r.team_id,
      userId,
      role: r.user_role ?? "user",
      maxBudgetInTeamNano: usdToNanoOrNull(r.max_budget_in_team),
    });
  }
  return { row: result.row, teams: teams.map((t) => (typeof t === "string" ? t : t.team_id)) };
}

export async function getUser(ctx: UsersContext, userId: string): Promise<UserRow> {
  const row = await findUserById(ctx.store, userId);
  if (!row) throw GatewayError.notFound(`User ${userId} not found`, "user_id");
  return row;
}

/** Non-admins may read only themselves (contract §1.2 info-route special case). */
export const mayReadUser = (caller: Caller, userId: string) => canReadAll(caller.role) || caller.userId === userId;

export function checkUserRead(caller: Caller, userId: string) {
  if (mayReadUser(caller, userId)) return;
  throw GatewayError.forbidden(`key not allowed to access this user's info. user_id=${userId}, key's user_id=${caller.userId}`, "user_id");
}

export async function teamsOfUser(ctx: UsersContext, userId: string): Promise<MemberRow[]> {
  return membershipsOfUser(ctx.store, userId);
}

export async function listUserPage(
  ctx: UsersContext,
  filter: UserListFilter,
  page: number,
  pageSize: number,
  sort: { sortBy?: UserSort; sortOrder?: "asc" | "desc" },
) {
  const { rows, total } = await listUsers(ctx.store, filter, { offset: (page - 1) * pageSize, limit: pageSize, ...sort });
  const counts = await keyCountsByUser(ctx.store, rows.map((r) => r.userId));
  return {
    users: rows.map((r) => userView(r, { key_count: counts.get(r.userId) ?? 0 })),
    total,
    page,
    page_size: pageSize,
    total_pages: Math.max(1, Math.ceil(total / pageSize)),
  };
}

export async function updateUserFields(ctx: UsersContext, caller: Caller, input: UserFields & { user_id?: string; user_email?: string | null }) {
  if (!input.user_id && !input.user_email) throw GatewayError.badRequest("Either user id or user email must be provided", "user_id");
  if (input.user_role !== undefined && !isProxyAdmin(caller.role)) throw GatewayError.forbidden("Only proxy admins can modify user roles.", "user_role");
  const existing = input.user_id ? await findUserById(ctx.store, input.user_id) : await findUserByEmail(ctx.store, input.user_email!);
  const userId = existing?.userId ?? input.user_id ?? crypto.randomUUID();
  if (!isProxyAdmin(caller.role) && caller.userId !== userId) {
    throw GatewayError.forbidden(`User=${caller.userId} is not allowed to update user=${userId}`, "user_id");
  }
  // LiteLLM ignores empty values on update except max_budget, which may be cleared with null.
  const fields: UserFields = {};
  for (const [k, v] of Object.entries(input) as [keyof UserFields, unknown][]) {
    if (k === "user_id") continue;
    const empty = v === null || (Array.isArray(v) && v.length === 0) || (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0);
    if (!empty || k === "max_budget") (fields as Record<string, unknown>)[k] = v;
  }
  const changes = toRow(fields, ctx);
  let row: UserRow | undefined;
  if (existing) {
    row = await updateUser(ctx.store, userId, changes);
  } else {
    // Updating an unknown user creates it, as LiteLLM does (upsert by user_id or by email).
    const created = await insertUser(ctx.store, { userId, ...changes });
    if (!created.ok) throw GatewayError.conflict(`User with email ${input.user_email} already exists`, "user_email");
    row = created.row;
  }
  ctx.invalidateUser(userId);
  return { user_id: userId, data: userView(row!) };
}

/** LiteLLM's /user/filter/ui: ids and emails of users whose id or email contains the text. */
export async function filterUsers(ctx: UsersContext, q: { userId?: string; userEmail?: string; teamId?: string; page: number; pageSize: number }) {
  const rows = await searchUsers(ctx.store, { userIdContains: q.userId, emailContains: q.userEmail, teamId: q.teamId }, { offset: (q.page - 1) * q.pageSize, limit: q.pageSize });
  return rows.map((r) => ({ user_id: r.userId, user_email: r.userEmail }));
}

export interface BulkUserResult {
  user_id: string | null;
  user_email: string | null;
  success: boolean;
  error: string | null;
  updated_user: Record<string, unknown> | null;
}

/** LiteLLM's most users one /user/bulk_update may change. */
export const MAX_BULK_USERS = 500;

/**
 * LiteLLM's /user/bulk_update: each listed user changed as /user/update would, or every user with
 * the same changes (`all`, proxy admins only). Each user succeeds or fails on its own.
 */
export async function bulkUpdateUsers(
  ctx: UsersContext,
  caller: Caller,
  input: { users?: (UserFields & { user_id?: string; user_email?: string | null })[]; all?: UserFields },
) {
  const tooMany = (n: number) => GatewayError.badRequest(`Maximum ${MAX_BULK_USERS} users can be updated at once. Found ${n} users.`, input.all ? "all_users" : "users");
  let updates: (UserFields & { user_id?: string; user_email?: string | null })[];
  if (input.all) {
    if (!isProxyAdmin(caller.role)) throw GatewayError.forbidden("Only proxy admins can update all users at once.", "all_users");
    // Not the row of the proxy-wide budget: the config sets that one.
    const total = await countAllUsers(ctx.store, PROXY_BUDGET_USER_ID);
    if (total === 0) throw GatewayError.badRequest("No users found to update", "all_users");
    if (total > MAX_BULK_USERS) throw tooMany(total);
    const ids = await listAllUserIds(ctx.store, PROXY_BUDGET_USER_ID, MAX_BULK_USERS);
    updates = ids.map((user_id) => ({ ...input.all, user_id }));
  } else {
    updates = input.users ?? [];
    if (updates.length > MAX_BULK_USERS) throw tooMany(updates.length);
  }
  const results: BulkUserResult[] = [];
  for (const u of updates) {
    try {
      const { user_id, data } = await updateUserFields(ctx, caller, u);
      results.push({ user_id, user_email: (data.user_email as string | null) ?? null, success: true, error: null, updated_user: data });
    } catch (err) {
      const message = err instanceof GatewayError ? err.message : "internal error";
      results.push({ user_id: u.user_id ?? null, user_email: u.user_email ?? null, success: false, error: message, updated_user: null });
    }
  }
  const successful = results.filter((r) => r.success).length;
  return { results, total_requested: updates.length, successful_updates: successful, failed_updates: results.length - successful };
}

export async function deleteUsers(ctx: UsersContext, userIds: string[]) {
  if (userIds.length === 0) throw GatewayError.badRequest("user_ids must name at least one user", "user_ids");
  const found = await existingUserIds(ctx.store, userIds);
  const missing = userIds.filter((id) => !found.includes(id));
  if (missing.length > 0) throw GatewayError.notFound(`User not found, passed user_id=${missing.join(",")}`, "user_ids");
  // Cascade (contract §4.7): the users' keys, their memberships, then the rows.
  const tokens = await deleteKeysOfUsers(ctx.store, userIds);
  for (const t of tokens) ctx.invalidateKey(t);
  await deleteMembershipsOfUsers(ctx.store, userIds);
  const deleted = await deleteUserRows(ctx.store, userIds);
  for (const id of userIds) ctx.invalidateUser(id);
  return { deleted_users: userIds, deleted_count: deleted, deleted_keys: tokens.length };
}

export const isUserRole = (v: string): v is UserRole => (USER_ROLES as readonly string[]).includes(v);
