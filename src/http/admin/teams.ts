// Team routes (LiteLLM's /team/*, contract §1.6). Handlers convert and delegate.
import { Elysia, t } from "elysia";
import { pageParam, wholeParam } from "../paging.ts";
import type { AppDeps } from "../../deps.ts";
import { listKeys } from "../../db/store/keys.ts";
import {
  addMembers, availableTeams, bulkAddMembers, bulkAddTeamPermissions, changeTeamModels, createTeam, deleteTeams, filterTeams, listTeamPage, listTeamsFor, memberView, removeMember, setTeamBlocked,
  teamInfo, teamPermissions, teamView, type TeamsContext, updateMemberFields, updateTeamFields, updateTeamPermissions,
} from "../../domain/teams.ts";
import { auditTrail } from "./audit.ts";
import { authGuard } from "../auth-guard.ts";
import { toKeyJson } from "./key-wire.ts";
import { callerOf } from "./users.ts";

const doc = (summary: string) => ({ detail: { tags: ["teams"], summary } });
const Nullable = <T extends import("@sinclair/typebox").TSchema>(s: T) => t.Union([s, t.Null()]);
const TeamRole = t.Union([t.Literal("admin"), t.Literal("user")], { error: "role must be admin or user" });
const Member = t.Object({
  role: t.Optional(TeamRole),
  user_id: t.Optional(Nullable(t.String({ minLength: 1 }))),
  user_email: t.Optional(Nullable(t.String())),
  max_budget_in_team: t.Optional(Nullable(t.Number({ minimum: 0 }))),
});

const TeamFields = {
  team_alias: t.Optional(Nullable(t.String({ maxLength: 256 }))),
  models: t.Optional(t.Array(t.String())),
  max_budget: t.Optional(Nullable(t.Number())),
  soft_budget: t.Optional(Nullable(t.Number())),
  budget_duration: t.Optional(Nullable(t.String())),
  tpm_limit: t.Optional(Nullable(t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }))),
  rpm_limit: t.Optional(Nullable(t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }))),
  max_parallel_requests: t.Optional(Nullable(t.Integer({ minimum: 0, maximum: 2_147_483_647 }))),
  model_aliases: t.Optional(Nullable(t.Record(t.String(), t.String()))),
  model_rpm_limit: t.Optional(Nullable(t.Record(t.String(), t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })))),
  model_tpm_limit: t.Optional(Nullable(t.Record(t.String(), t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })))),
  team_member_permissions: t.Optional(Nullable(t.Array(t.String()))),
  metadata: t.Optional(Nullable(t.Record(t.String(), t.Unknown()))),
  blocked: t.Optional(t.Boolean()),
};

const TeamNewBody = t.Object({ team_id: t.Optional(t.String({ minLength: 1, maxLength: 256 })), members_with_roles: t.Optional(t.Array(Member)), ...TeamFields });
const TeamUpdateBody = t.Object({ team_id: t.String({ minLength: 1 }), ...TeamFields });
const TeamIdBody = t.Object({ team_id: t.String({ minLength: 1 }) });
const TeamModelsBody = t.Object({ team_id: t.String({ minLength: 1 }), models: t.Array(t.String({ minLength: 1 }), { minItems: 1, error: "models must be a non-empty list of model names" }) });
const MemberAddBody = t.Object({
  team_id: t.String({ minLength: 1 }),
  member: t.Union([Member, t.Array(Member, { minItems: 1 })]),
  max_budget_in_team: t.Optional(Nullable(t.Number({ minimum: 0 }))),
});
const PermissionsUpdateBody = t.Object({ team_id: t.String({ minLength: 1 }), team_member_permissions: t.Array(t.String({ minLength: 1, maxLength: 256 }), { maxItems: 100 }) });
const PermissionsBulkBody = t.Object({
  permissions: t.Array(t.String({ minLength: 1, maxLength: 256 }), { minItems: 1, maxItems: 100, error: "permissions must be a non-empty list of routes" }),
  team_ids: t.Optional(t.Array(t.String({ minLength: 1 }), { maxItems: 10_000 })),
  apply_to_all_teams: t.Optional(t.Boolean()),
});
const BulkMemberAddBody = t.Object({
  team_id: t.String({ minLength: 1 }),
  members: t.Optional(t.Array(Member, { maxItems: 10_000 })),
  all_users: t.Optional(t.Boolean()),
  max_budget_in_team: t.Optional(Nullable(t.Number({ minimum: 0 }))),
});
const FilterQuery = t.Object({
  team_id: t.Optional(t.String()),
  team_alias: t.Optional(t.String()),
  page: pageParam(),
  page_size: wholeParam("page_size", 100),
});
const MemberRefBody = t.Object({ team_id: t.String({ minLength: 1 }), user_id: t.Optional(Nullable(t.String())), user_email: t.Optional(Nullable(t.String())) });
const MemberUpdateBody = t.Object({
  team_id: t.String({ minLength: 1 }),
  user_id: t.Optional(Nullable(t.String())),
  user_email: t.Optional(Nullable(t.String())),
  role: t.Optional(TeamRole),
  max_budget_in_team: t.Optional(Nullable(t.Number())),
  tpm_limit: t.Optional(Nullable(t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }))),
  rpm_limit: t.Optional(Nullable(t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }))),
});

export function teamsContext(deps: AppDeps): TeamsContext {
  return {
    store: deps.store,
    invalidateKey: (token) => void deps.invalidation.key(token),
    invalidateTeam: (teamId) => void deps.invalidation.team(teamId),
    availableTeams: deps.config.litellm.default_internal_user_params?.available_teams,
    timeZone: deps.config.litellm.timezone,
    now: deps.now,
  };
}

export function teamRoutes(deps: AppDeps) {
  const ctx = teamsContext(deps);
  return new Elysia({ name: "admin-teams" })
    .use(authGuard(deps))
    .use(auditTrail(deps))
    .post("/team/new", ({ principal, body }) => createTeam(ctx, callerOf(principal), body), {
      body: TeamNewBody,
      ...doc("Create a team; the caller joins as admin"),
    })
    .post("/team/update", ({ principal, body }) => {
      const { team_id, ...fields } = body;
      return updateTeamFields(ctx, callerOf(principal), team_id, fields);
    }, { body: TeamUpdateBody, ...doc("Change the fields sent; null clears a field") })
    .post("/team/model/add", ({ principal, body }) => changeTeamModels(ctx, callerOf(principal), body.team_id, body.models, "add"), {
      body: TeamModelsBody,
      ...doc("Add models to a team's model list (proxy or team admins)"),
    })
    .post("/team/model/delete", ({ principal, body }) => changeTeamModels(ctx, callerOf(principal), body.team_id, body.models, "delete"), {
      body: TeamModelsBody,
      ...doc("Remove models from a team's model list (proxy or team admins)"),
    })
    .get("/team/info", async ({ principal, query }) => {
      const { team, members } = await teamInfo(ctx, callerOf(principal), query.team_id, principal.kind === "key" ? principal.key.teamId : null);
      const keys = await listKeys(deps.store, { teamId: team.teamId }, { offset: 0, limit: 1000 });
      return { team_id: team.teamId, team_info: teamView(team, members), keys: keys.rows.map(toKeyJson), team_memberships: members.map(memberView) };
    }, { query: t.Object({ team_id: t.String({ minLength: 1 }) }), ...doc("A team, its keys and its memberships") })
    .get("/team/list", ({ principal, query }) => {
      const size = query.page_size ?? (query.page ? 100 : undefined);
      const page = size ? { offset: ((query.page ?? 1) - 1) * size, limit: size } : undefined;
      return listTeamsFor(ctx, callerOf(principal), query.user_id, page);
    }, {
      query: t.Object({ user_id: t.Optional(t.String()), page: pageParam(), page_size: wholeParam("page_size", 1000) }),
      ...doc("Teams with members (all for admins, one's own for others); page/page_size optional"),
    })
    .get("/v2/team/list", ({ principal, query }) =>
      listTeamPage(ctx, callerOf(principal), { userId: query.user_id, teamId: query.team_id, teamAlias: query.team_alias, page: query.page ?? 1, pageSize: query.page_size ?? 10 }), {
      query: t.Object({
        user_id: t.Optional(t.String()),
        team_id: t.Optional(t.String()),
        team_alias: t.Optional(t.String()),
        page: pageParam(),
        page_size: wholeParam("page_size", 100),
      }),
      ...doc("Teams page by page ({teams, total, page, page_size, total_pages}); filters user_id, team_id, team_alias"),
    })
    .get("/team/available", ({ principal }) => availableTeams(ctx, callerOf(principal)), doc("Teams a user may join on their own (default_internal_user_params.available_teams), less their own"))
    .get("/team/filter/ui", ({ principal, query }) =>
      filterTeams(ctx, callerOf(principal), { teamId: query.team_id, teamAlias: query.team_alias, page: query.page ?? 1, pageSize: query.page_size ?? 50 }), {
      query: FilterQuery,
      ...doc("Teams whose team_id / team_alias contain the text (any case), newest first; non-admins search their own teams"),
    })
    .get("/team/permissions_list", ({ principal, query }) => teamPermissions(ctx, callerOf(principal), query.team_id), {
      query: t.Object({ team_id: t.String({ minLength: 1 }) }),
      ...doc("What the team's plain members may do to its keys, and every permission there is"),
    })
    .post("/team/permissions_update", ({ principal, body }) => updateTeamPermissions(ctx, callerOf(principal), body.team_id, body.team_member_permissions), {
      body: PermissionsUpdateBody,
      ...doc("Set what the team's plain members may do to its keys (proxy or team admins)"),
    })
    .post("/team/permissions_bulk_update", ({ principal, body }) =>
      bulkAddTeamPermissions(ctx, callerOf(principal), { permissions: body.permissions, teamIds: body.team_ids, allTeams: body.apply_to_all_teams }), {
      body: PermissionsBulkBody,
      ...doc("Append permissions to the member permissions of several teams, or of all (proxy admins)"),
    })
    .post("/team/bulk_member_add", ({ principal, body }) =>
      bulkAddMembers(ctx, callerOf(principal), body.team_id, { members: body.members, allUsers: body.all_users, maxBudgetInTeam: body.max_budget_in_team }), {
      body: BulkMemberAddBody,
      ...doc("Add up to 500 members (or all_users) at once; each succeeds or fails on its own"),
    })
    .post("/team/delete", ({ body }) => deleteTeams(ctx, body.team_ids), {
      body: t.Object({ team_ids: t.Array(t.String(), { minItems: 1 }) }),
      ...doc("Delete teams with their keys and memberships"),
    })
    .post("/team/member_add", ({ principal, body }) => {
      const refs = Array.isArray(body.member) ? body.member : [body.member];
      return addMembers(ctx, callerOf(principal), body.team_id, refs, body.max_budget_in_team);
    }, { body: MemberAddBody, ...doc("Add members by user_id or user_email (unknown users are created)") })
    .post("/team/member_delete", ({ principal, body }) => removeMember(ctx, callerOf(principal), body.team_id, body), {
      body: MemberRefBody,
      ...doc("Remove a member (their keys stay)"),
    })
    .post("/team/member_update", ({ principal, body }) => {
      const { team_id, user_id, user_email, ...changes } = body;
      return updateMemberFields(ctx, callerOf(principal), team_id, { user_id, user_email }, changes);
    }, { body: MemberUpdateBody, ...doc("Change a member's role, team budget or limits") })
    .post("/team/block", ({ body }) => setTeamBlocked(ctx, body.team_id, true), { body: TeamIdBody, ...doc("Block a team: its keys are refused") })
    .post("/team/unblock", ({ body }) => setTeamBlocked(ctx, body.team_id, false), { body: TeamIdBody, ...doc("Unblock a team") });
}
