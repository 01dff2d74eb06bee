// LiteLLM's audit log (litellm_settings.store_audit_logs): every change made through the admin API
// to a key, user, team or model leaves a row with who made it, the action, and the object before
// and after, as the admin API shows it (key hashes only, no credentials). The routes that change
// something are a table below; a plugin's hooks read the objects before the handler and again
// after it succeeded. With the setting off, nothing is hooked. GET /audit and /audit/{id} read it.
import { Elysia, t } from "elysia";
import { pageParam, wholeParam } from "../paging.ts";
import { toTokenHash } from "../../auth/key-format.ts";
import { MASTER_USER_ID, type Principal } from "../../auth/principal.ts";
import type { Store } from "../../db/client.ts";
import type { JsonObject } from "../../db/schema/json.ts";
import { type AuditRow, findAuditRow, insertAuditRows, listAuditRows } from "../../db/store/audit.ts";
import { findKeysByTokensOrAliases, listKeys } from "../../db/store/keys.ts";
import { findModelRow } from "../../db/store/models.ts";
import { listTeams, membersOfTeams } from "../../db/store/teams.ts";
import { findUsersByIds } from "../../db/store/users.ts";
import type { AppDeps } from "../../deps.ts";
import { teamView } from "../../domain/teams.ts";
import { userView } from "../../domain/users.ts";
import { GatewayError } from "../../errors.ts";
import { isProxyAdmin } from "../../policy/roles.ts";
import { authGuard } from "../auth-guard.ts";
import { toModelJson } from "../../router/runtime-models.ts";
import { toKeyJson } from "./key-wire.ts";

// LiteLLM's table and action names, so its UI and scripts read the rows as they read its own.
const TABLES = { key: "LiteLLM_VerificationToken", user: "LiteLLM_UserTable", team: "LiteLLM_TeamTable", model: "LiteLLM_ProxyModelTable" } as const;
type Kind = keyof typeof TABLES;
export const AUDIT_ACTIONS = ["created", "updated", "deleted", "blocked", "rotated"] as const;
type Action = (typeof AUDIT_ACTIONS)[number];

type Json = Record<string, any>;
// A user's or team's keys recorded when a delete cascades to them, at most (the rest go unrecorded).
const MAX_CASCADE_KEYS = 10_000;
/** A change to every team (as many as MAX_CASCADE_KEYS are recorded). */
const ALL_TEAMS = "*";
interface Call {
  body: Json;
  params: Record<string, string>;
}

interface Rule {
  kind: Kind;
  action: Action;
  /** The objects the call changes, named as the request names them (keys: plaintext, hash or alias). */
  targets?: (c: Call) => string[];
  /** The objects a creation made, from its answer. */
  created?: (answer: Json) => string[];
  /** The object after a change that gives it a new id (a key's new hash), from its answer. */
  renamed?: (answer: Json) => string;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : typeof v === "string" ? [v] : []);
const key = (c: Call) => list(c.body.key);
const teamId = (c: Call) => list(c.body.team_id);
const modelId = (c: Call) => list(c.params.id ?? c.body.id ?? c.body.model_info?.id);

/** Every admin route that changes a key, user, team or model: what it changes and how. */
const RULES: Record<string, Rule | readonly Rule[]> = {
  "POST /key/generate": { kind: "key", action: "created", created: (a) => list(a.token) },
  "POST /key/service-account/generate": { kind: "key", action: "created", created: (a) => list(a.token) },
  "POST /key/update": { kind: "key", action: "updated", targets: key },
  "PATCH /management/v1/keys/:key_id": { kind: "key", action: "updated", targets: (c) => list(c.params.key_id) },
  "POST /key/bulk_update": { kind: "key", action: "updated", targets: (c) => (Array.isArray(c.body.keys) ? c.body.keys.flatMap((k: Json) => list(k?.key)) : []) },
  "POST /key/delete": { kind: "key", action: "deleted", targets: (c) => [...list(c.body.keys), ...list(c.body.key_aliases).map((a) => `alias:${a}`)] },
  "POST /key/regenerate": { kind: "key", action: "rotated", targets: key, renamed: (a) => a.token },
  "POST /key/:key/regenerate": { kind: "key", action: "rotated", targets: (c) => list(c.params.key), renamed: (a) => a.token },
  "POST /key/block": { kind: "key", action: "blocked", targets: key },
  "POST /key/unblock": { kind: "key", action: "updated", targets: key },
  "POST /key/:key/reset_spend": { kind: "key", action: "updated", targets: (c) => list(c.params.key) },
  "POST /user/new": [
    { kind: "user", action: "created", created: (a) => list(a.user_id) },
    { kind: "key", action: "created", created: (a) => list(a.token_id) },
  ],
  "POST /user/update": { kind: "user", action: "updated", targets: (c) => list(c.body.user_id), created: (a) => list(a.user_id) },
  "POST /user/bulk_update": {
    kind: "user",
    action: "updated",
    targets: (c) => (Array.isArray(c.body.users) ? c.body.users.flatMap((u: Json) => list(u?.user_id)) : []),
    created: (a) => (Array.isArray(a.results) ? a.results.flatMap((r: Json) => (r.success ? list(r.user_id) : [])) : []),
  },
  "POST /user/delete": [
    { kind: "user", action: "deleted", targets: (c) => list(c.body.user_ids) },
    // The cascade: the users' keys go with them.
    { kind: "key", action: "deleted", targets: (c) => list(c.body.user_ids).map((id) => `user:${id}`) },
  ],
  "POST /team/new": { kind: "team", action: "created", created: (a) => list(a.team_id) },
  "POST /team/update": { kind: "team", action: "updated", targets: teamId },
  "POST /team/member_add": { kind: "team", action: "updated", targets: teamId },
  "POST /team/member_delete": { kind: "team", action: "updated", targets: teamId },
  "POST /team/member_update": { kind: "team", action: "updated", targets: teamId },
  "POST /team/model/add": { kind: "team", action: "updated", targets: teamId },
  "POST /team/model/delete": { kind: "team", action: "updated", targets: teamId },
  "POST /team/permissions_update": { kind: "team", action: "updated", targets: teamId },
  "POST /team/permissions_bulk_update": { kind: "team", action: "updated", targets: (c) => (c.body.apply_to_all_teams === true ? [ALL_TEAMS] : list(c.body.team_ids)) },
  "POST /team/bulk_member_add": { kind: "team", action: "updated", targets: teamId },
  "POST /team/block": { kind: "team", action: "blocked", targets: teamId },
  "POST /team/unblock": { kind: "team", action: "updated", targets: teamId },
  "POST /team/delete": [
    { kind: "team", action: "deleted", targets: (c) => list(c.body.team_ids) },
    { kind: "key", action: "deleted", targets: (c) => list(c.body.team_ids).map((id) => `team:${id}`) },
  ],
  "POST /model/new": { kind: "model", action: "created", created: (a) => list(a.model_id ?? a.model_info?.id) },
  "POST /model/update": { kind: "model", action: "updated", targets: modelId },
  "PATCH /model/:id/update": { kind: "model", action: "updated", targets: modelId },
  "POST /model/delete": { kind: "model", action: "deleted", targets: modelId },
};

/**
 * Loads objects by id as the admin API shows them. Keys by plaintext or hash, or every key of
 * `alias:<alias>`, `user:<user id>` or `team:<team id>`.
 */
const LOADERS: Record<Kind, (s: Store, ids: string[]) => Promise<Map<string, JsonObject>>> = {
  async key(s, refs) {
    const of = (prefix: string) => refs.filter((r) => r.startsWith(prefix)).map((r) => r.slice(prefix.length));
    const plain = refs.filter((r) => !/^(alias|user|team):/.test(r)).map(toTokenHash);
    const owned = await Promise.all([
      ...of("user:").map((userId) => listKeys(s, { userId }, { offset: 0, limit: MAX_CASCADE_KEYS })),
      ...of("team:").map((teamId) => listKeys(s, { teamId }, { offset: 0, limit: MAX_CASCADE_KEYS })),
    ]);
    const rows = [...(await findKeysByTokensOrAliases(s, plain, of("alias:"))), ...owned.flatMap((page) => page.rows)];
    return new Map(rows.map((r) => [r.token, toKeyJson(r) as JsonObject]));
  },
  async user(s, ids) {
    return new Map((await findUsersByIds(s, ids)).map((u) => [u.userId, userView(u) as JsonObject]));
  },
  async team(s, ids) {
    const teams = ids.includes(ALL_TEAMS) ? await listTeams(s, {}, { offset: 0, limit: MAX_CASCADE_KEYS }) : await listTeams(s, { teamIds: ids });
    const members = await membersOfTeams(s, teams.map((t) => t.teamId));
    return new Map(teams.map((t) => [t.teamId, teamView(t, members.get(t.teamId) ?? []) as JsonObject]));
  },
  async model(s, ids) {
    const rows = (await Promise.all(ids.map((id) => findModelRow(s, id)))).filter((r) => r !== undefined);
    return new Map(rows.map((r) => [r.modelId, toModelJson(r) as JsonObject]));
  },
};

/** Who made the change: the `litellm-changed-by` header when an admin sends it (tools acting for someone), else the caller. */
function actorOf(p: Principal, headers: Headers): { changedBy: string; changedByApiKey: string } {
  const isAdmin = p.kind === "master" || isProxyAdmin(p.role);
  const onBehalf = isAdmin ? headers.get("litellm-changed-by")?.trim().slice(0, 256) : undefined;
  const caller = p.kind === "master" ? MASTER_USER_ID : (p.key.userId ?? "");
  return { changedBy: onBehalf || caller, changedByApiKey: p.kind === "master" ? "master_key" : p.token };
}

/** The hooks to `.use()` in an admin route plugin (after its auth guard); nothing when the setting is off. */
export function auditTrail(deps: AppDeps) {
  const plugin = new Elysia();
  if (!deps.config.litellm.store_audit_logs) return plugin;
  const before = new WeakMap<Request, Map<string, JsonObject>[]>();
  const rulesOf = (method: string, route: string): readonly Rule[] => {
    const found = RULES[`${method} ${route}`];
    return found === undefined ? [] : Array.isArray(found) ? found : [found as Rule];
  };
  const failed = (what: string, ctx: { request: Request; route: string }, err: unknown) =>
    deps.log.error(`audit log ${what} failed`, { route: `${ctx.request.method} ${ctx.route}`, error: String(err) });
  return plugin
    .onBeforeHandle({ as: "scoped" }, async (ctx) => {
      const rules = rulesOf(ctx.request.method, ctx.route);
      if (!rules.some((r) => r.targets)) return;
      const call = { body: (ctx.body ?? {}) as Json, params: (ctx.params ?? {}) as Record<string, string> };
      try {
        before.set(ctx.request, await Promise.all(rules.map(async (rule) => {
          const targets = rule.targets?.(call) ?? [];
          return targets.length ? LOADERS[rule.kind](deps.store, targets) : new Map<string, JsonObject>();
        })));
      } catch (err) {
        failed("read", ctx, err);
      }
    })
    .onAfterHandle({ as: "scoped" }, async (ctx) => {
      const rules = rulesOf(ctx.request.method, ctx.route);
      const principal = (ctx as unknown as { principal?: Principal }).principal;
      if (!rules.length || !principal) return;
      const answer = (ctx.responseValue ?? {}) as Json;
      const actor = actorOf(principal, ctx.request.headers);
      const at = new Date(deps.now());
      try {
        const rows = await Promise.all(rules.map((rule, i) => entriesOf(rule, before.get(ctx.request)?.[i] ?? new Map(), answer)));
        await insertAuditRows(deps.store, rows.flat().map((e) => ({ id: Bun.randomUUIDv7(), updatedAt: at, ...actor, ...e })));
      } catch (err) {
        // The change itself went through; a lost audit row is logged, never turned into a failure.
        failed("write", ctx, err);
      }
    });

  /** One entry per object the rule's call changed: before (as read ahead) and after (read now). */
  async function entriesOf(rule: Rule, old: Map<string, JsonObject>, answer: Json) {
    const ids = new Set([...old.keys(), ...(rule.created?.(answer) ?? [])]);
    const renamed = rule.renamed?.(answer);
    const now = rule.action === "deleted" ? new Map<string, JsonObject>() : await LOADERS[rule.kind](deps.store, renamed ? [renamed] : [...ids]);
    return [...ids].flatMap((id) => {
      const after = renamed ? now.get(renamed) : now.get(id);
      const was = old.get(id) ?? null;
      // A delete that removed nothing, or an update whose object is gone, is no change to record.
      if (rule.action === "deleted" ? !was : !after) return [];
      return [{ action: rule.action, tableName: TABLES[rule.kind], objectId: id, beforeValue: rule.action === "created" && !was ? null : was, updatedValues: after ?? {} }];
    });
  }
}

const AuditQuery = t.Object({
  page: pageParam(),
  page_size: wholeParam("page_size", 100),
  changed_by: t.Optional(t.String()),
  changed_by_api_key: t.Optional(t.String()),
  action: t.Optional(t.String()),
  table_name: t.Optional(t.String()),
  object_id: t.Optional(t.String()),
  start_date: t.Optional(t.String()),
  end_date: t.Optional(t.String()),
  sort_by: t.Optional(t.String()),
  sort_order: t.Optional(t.String()),
});

const auditJson = (r: AuditRow) => ({
  id: r.id,
  updated_at: r.updatedAt.toISOString(),
  changed_by: r.changedBy,
  changed_by_api_key: r.changedByApiKey,
  action: r.action,
  table_name: r.tableName,
  object_id: r.objectId,
  before_value: r.beforeValue,
  updated_values: r.updatedValues,
});

/** A day (YYYY-MM-DD: its start, or its end for end_date) or a full timestamp. */
function dateParam(name: string, value: string | undefined, endOfDay: boolean): Date | undefined {
  if (value === undefined || value === "") return undefined;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const at = new Date(day ? `${value}T${endOfDay ? "23:59:59.999" : "00:00:00.000"}Z` : value);
  if (Number.isNaN(at.getTime())) throw GatewayError.badRequest(`${name} must be a date (YYYY-MM-DD) or an ISO timestamp`, name);
  return at;
}

export function auditRoutes(deps: AppDeps) {
  const doc = (summary: string) => ({ detail: { tags: ["audit"], summary } });
  return new Elysia({ name: "admin-audit" })
    .use(authGuard(deps))
    .get("/audit", async ({ query }) => {
      if (query.sort_by !== undefined && query.sort_by !== "updated_at") throw GatewayError.badRequest("sort_by must be updated_at", "sort_by");
      const order = (query.sort_order ?? "desc").toLowerCase();
      if (order !== "asc" && order !== "desc") throw GatewayError.badRequest("sort_order must be asc or desc", "sort_order");
      if (query.action !== undefined && !(AUDIT_ACTIONS as readonly string[]).includes(query.action)) {
        throw GatewayError.badRequest(`action must be one of: ${AUDIT_ACTIONS.join(", ")}`, "action");
      }
      const page = query.page ?? 1;
      const pageSize = query.page_size ?? 10;
      const { rows, total } = await listAuditRows(
        deps.store,
        {
          changedBy: query.changed_by,
          changedByApiKey: query.changed_by_api_key,
          action: query.action,
          tableName: query.table_name,
          objectId: query.object_id,
          from: dateParam("start_date", query.start_date, false),
          to: dateParam("end_date", query.end_date, true),
        },
        { offset: (page - 1) * pageSize, limit: pageSize },
        order,
      );
      return { audit_logs: rows.map(auditJson), total, page, page_size: pageSize, total_pages: Math.max(1, Math.ceil(total / pageSize)) };
    }, { query: AuditQuery, ...doc("Changes to keys, users, teams and models, newest first (litellm_settings.store_audit_logs); admins and admin viewers") })
    .get("/audit/:id", async ({ params }) => {
      const row = await findAuditRow(deps.store, params.id);
      if (!row) throw GatewayError.notFound(`Audit log with ID ${params.id} not found`, "id");
      return auditJson(row);
    }, { params: t.Object({ id: t.String() }), ...doc("One audit log entry") });
}
