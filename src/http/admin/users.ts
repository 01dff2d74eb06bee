// Internal-user routes (LiteLLM's /user/*, contract §1.5). Handlers convert and delegate.
import { Elysia, t } from "elysia";
import { pageParam, wholeParam } from "../paging.ts";
import type { Principal } from "../../auth/principal.ts";
import type { AppDeps } from "../../deps.ts";
import { KeyService } from "../../domain/keys.ts";
import { GatewayError } from "../../errors.ts";
import { withInternalUserDefaults } from "../../policy/user-params.ts";
import { listTeams } from "../../db/store/teams.ts";
import { listKeys } from "../../db/store/keys.ts";
import { bulkUpdateUsers, checkUserRead, createUser, deleteUsers, filterUsers, MAX_BULK_USERS, getUser, listUserPage, mayReadUser, teamsOfUser, updateUserFields, userView, type UsersContext } from "../../domain/users.ts";
import { memberView, teamView } from "../../domain/teams.ts";
import { membersOf } from "../../db/store/teams.ts";
import { USER_SORT } from "../../db/store/user-admin.ts";
import { usdToNanoOrNull } from "../../money.ts";
import { USER_ROLES } from "../../policy/roles.ts";
import { auditTrail } from "./audit.ts";
import { authGuard } from "../auth-guard.ts";
import { toKeyJson } from "./key-wire.ts";

const doc = (summary: string) => ({ detail: { tags: ["users"], summary } });
const Nullable = <T extends import("@sinclair/typebox").TSchema>(s: T) => t.Union([s, t.Null()]);
const Role = t.Union(USER_ROLES.map((r) => t.Literal(r)), { error: `user_role must be one of: ${USER_ROLES.join(", ")}` });
const TeamRef = t.Union([
  t.String(),
  t.Object({ team_id: t.String(), user_role: t.Optional(t.Union([t.Literal("admin"), t.Literal("user")])), max_budget_in_team: t.Optional(Nullable(t.Number({ minimum: 0 }))) }),
]);

const UserFields = {
  user_email: t.Optional(Nullable(t.String({ maxLength: 320 }))),
  user_alias: t.Optional(Nullable(t.String({ maxLength: 256 }))),
  user_role: t.Optional(Nullable(Role)),
  models: t.Optional(t.Array(t.String())),
  max_budget: t.Optional(Nullable(t.Number())),
  soft_budget: t.Optional(Nullable(t.Number())),
  budget_duration: t.Optional(Nullable(t.String())),
  tpm_limit: t.Optional(Nullable(t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }))),
  rpm_limit: t.Optional(Nullable(t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }))),
  max_parallel_requests: t.Optional(Nullable(t.Integer({ minimum: 0, maximum: 2_147_483_647 }))),
  metadata: t.Optional(t.Record(t.String(), t.Unknown())),
  spend: t.Optional(t.Number({ minimum: 0 })),
};

export const UserNewBody = t.Object({
  user_id: t.Optional(t.String({ minLength: 1, maxLength: 256 })),
  ...UserFields,
  teams: t.Optional(t.Array(TeamRef)),
  team_id: t.Optional(t.String()),
  auto_create_key: t.Optional(t.Boolean()),
  key_alias: t.Optional(Nullable(t.String())),
  duration: t.Optional(Nullable(t.String())),
  aliases: t.Optional(t.Record(t.String(), t.String())),
});

export const UserUpdateBody = t.Object({ user_id: t.Optional(t.String({ minLength: 1 })), ...UserFields });
const UserBulkUpdateBody = t.Object({
  users: t.Optional(t.Array(UserUpdateBody, { maxItems: 10_000 })),
  all_users: t.Optional(t.Boolean()),
  // user_email is read only to refuse it: one email cannot belong to every user (as LiteLLM's).
  user_updates: t.Optional(t.Object({ ...UserFields, user_email: t.Optional(t.Unknown()) })),
});
const UserFilterQuery = t.Object({
  user_id: t.Optional(t.String()),
  user_email: t.Optional(t.String()),
  team_id: t.Optional(t.String()),
  page: pageParam(),
  page_size: wholeParam("page_size", 100),
});
const UserDeleteBody = t.Object({ user_ids: t.Array(t.String(), { minItems: 1 }) });
const UserListQuery = t.Object({
  role: t.Optional(t.String()),
  user_ids: t.Optional(t.String()),
  user_email: t.Optional(t.String()),
  team: t.Optional(t.String()),
  page: pageParam(),
  page_size: wholeParam("page_size", 100),
  sort_by: t.Optional(t.Union(USER_SORT.map((s) => t.Literal(s)))),
  sort_order: t.Optional(t.Union([t.Literal("asc"), t.Literal("desc")])),
});

export const callerOf = (p: Principal) => ({ role: p.role, userId: p.kind === "master" ? p.userId : p.key.userId });

export function usersContext(deps: AppDeps): UsersContext {
  return {
    store: deps.store,
    invalidateKey: (token) => void deps.invalidation.key(token),
    invalidateUser: (userId) => void deps.invalidation.user(userId),
    timeZone: deps.config.litellm.timezone,
    now: deps.now,
  };
}

export function userRoutes(deps: AppDeps) {
  const ctx = usersContext(deps);
  const keys = new KeyService(deps);
  return new Elysia({ name: "admin-users" })
    .use(authGuard(deps))
    .use(auditTrail(deps))
    .post("/user/new", async ({ principal, body: asked }) => {
      const body = withInternalUserDefaults(asked, deps.config.litellm);
      const { row, teams } = await createUser(ctx, callerOf(principal), body);
      let key: Record<string, unknown> = { key: "" };
      if (body.auto_create_key !== false) {
        const generated = await keys.generate(principal, {
          userId: row.userId,
          // LiteLLM's auto key inherits the user's models and limits (generate_key_helper_fn).
          models: body.models ?? [],
          maxBudgetNano: usdToNanoOrNull(body.max_budget),
          budgetDuration: body.budget_duration ?? null,
          tpmLimit: body.tpm_limit ?? null,
          rpmLimit: body.rpm_limit ?? null,
          duration: body.duration ?? null,
          keyAlias: body.key_alias ?? null,
          aliases: body.aliases ?? null,
          teamId: body.team_id ?? null,
        });
        key = { ...toKeyJson(generated.row), key: generated.key, token_id: generated.row.token };
      }
      return { ...key, ...userView(row), teams };
    }, { body: UserNewBody, ...doc("Create a user; with auto_create_key (default true) the response carries their key") })
    .get("/user/info", async ({ principal, query }) => {
      const caller = callerOf(principal);
      const userId = query.user_id ?? caller.userId;
      if (!userId) throw GatewayError.badRequest("Pass ?user_id=: this key belongs to no user.", "user_id");
      checkUserRead(caller, userId);
      const user = await getUser(ctx, userId);
      const memberships = await teamsOfUser(ctx, userId);
      const [keyPage, teams] = await Promise.all([
        listKeys(deps.store, { userId }, { offset: 0, limit: 1000 }),
        listTeams(deps.store, { teamIds: memberships.map((m) => m.teamId) }),
      ]);
      const teamObjects = await Promise.all(teams.map(async (team) => {
        const members = await membersOf(deps.store, team.teamId);
        return { ...teamView(team, members), team_memberships: members.filter((m) => m.userId === userId).map(memberView) };
      }));
      return { user_id: userId, user_info: userView(user, { teams: memberships.map((m) => m.teamId) }), keys: keyPage.rows.map(toKeyJson), teams: teamObjects };
    }, { query: t.Object({ user_id: t.Optional(t.String()) }), ...doc("A user, their keys (masked) and their teams") })
    .get("/v2/user/info", async ({ principal, query }) => {
      const caller = callerOf(principal);
      const userId = query.user_id ?? caller.userId;
      if (!userId) throw GatewayError.badRequest("Pass ?user_id=: this key belongs to no user.", "user_id");
      // LiteLLM's v2: the user object alone; a user the caller may not read is as unknown as a missing one.
      if (!mayReadUser(caller, userId)) throw GatewayError.notFound(`User ${userId} not found`, "user_id");
      const user = await getUser(ctx, userId);
      const memberships = await teamsOfUser(ctx, userId);
      return userView(user, { teams: memberships.map((m) => m.teamId) });
    }, { query: t.Object({ user_id: t.Optional(t.String()) }), ...doc("A user alone (no keys, no team objects); 404 when unknown or not the caller's to read") })
    .get("/user/list", async ({ principal, query }) => {
      const caller = callerOf(principal);
      if (caller.role !== "proxy_admin" && caller.role !== "proxy_admin_viewer") {
        throw GatewayError.forbidden("Only proxy admins and organization admins can list users.");
      }
      const ids = query.user_ids?.split(",").map((s) => s.trim()).filter(Boolean);
      return listUserPage(ctx, { role: query.role, userIds: ids, emailContains: query.user_email, teamId: query.team },
        query.page ?? 1, query.page_size ?? 25, { sortBy: query.sort_by, sortOrder: query.sort_order });
    }, { query: UserListQuery, ...doc("Users with key counts, filtered and paginated") })
    .post("/user/update", async ({ principal, body }) => updateUserFields(ctx, callerOf(principal), body), {
      body: UserUpdateBody,
      ...doc("Change the fields sent (empty values are ignored, max_budget may be cleared with null)"),
    })
    .post("/user/bulk_update", ({ principal, body }) => {
      const all = body.all_users === true;
      if (all && body.users !== undefined) throw GatewayError.badRequest("Cannot specify both 'users' and 'all_users=True'. Choose one approach.", "users");
      if (all ? !body.user_updates : !body.users?.length) {
        throw GatewayError.badRequest("Must specify either 'users' for individual updates or 'all_users=True' with 'user_updates' for bulk updates", "users");
      }
      if (all && body.user_updates?.user_email !== undefined) {
        throw GatewayError.badRequest("user_updates cannot set user_email: one email cannot belong to every user. Use users: [...] instead.", "user_updates.user_email");
      }
      const { user_email: _none, ...shared } = body.user_updates ?? {};
      return bulkUpdateUsers(ctx, callerOf(principal), all ? { all: shared } : { users: body.users });
    }, { body: UserBulkUpdateBody, ...doc(`Change up to ${MAX_BULK_USERS} users (users: [...]) or every user (all_users + user_updates); each succeeds or fails on its own`) })
    .get("/user/filter/ui", ({ query }) =>
      filterUsers(ctx, { userId: query.user_id, userEmail: query.user_email, teamId: query.team_id, page: query.page ?? 1, pageSize: query.page_size ?? 50 }), {
      query: UserFilterQuery,
      ...doc("Users whose user_id / user_email contain the text (any case), newest first: [{user_id, user_email}] (admins and admin viewers)"),
    })
    .post("/user/delete", async ({ body }) => deleteUsers(ctx, body.user_ids), {
      body: UserDeleteBody,
      ...doc("Delete users with their keys and team memberships"),
    })
    .get("/user/available_roles", () => ({
      proxy_admin: { ui_label: "Admin (All Permissions)", description: "Proxy Admin role. Can create, read, update and delete anything" },
      proxy_admin_viewer: { ui_label: "Admin (View Only)", description: "Can view all keys and spend; cannot change anything" },
      internal_user: { ui_label: "Internal User (Create/Delete/View)", description: "Can manage their own keys and see their own spend" },
      internal_user_viewer: { ui_label: "Internal User (View Only)", description: "Can view their own keys and spend" },
    }), doc("Role labels for the UI"));
}
