// Key management routes (LiteLLM's /key/*, contract §1.4). Each handler converts the wire format and
// calls the key service; decisions live in src/domain/keys.ts and src/policy/.
import { Elysia, t } from "elysia";
import type { AppDeps } from "../../deps.ts";
import { KeyService } from "../../domain/keys.ts";
import { GatewayError } from "../../errors.ts";
import { type BoundsCheck, keyAliasFormatProblem, withinKeyBounds, withKeyDefaults } from "../../policy/key-params.ts";
import { auditTrail } from "./audit.ts";
import { mergePatch } from "./merge-patch.ts";
import { authGuard } from "../auth-guard.ts";
import {
  isTrue,
  KeyDeleteBody,
  KeyAliasesQuery,
  KeyBulkUpdateBody,
  KeyGenerateBody,
  KeyInfoQuery,
  KeyListQuery,
  keyOrderOf,
  KeyRef,
  KeyRegenerateBody,
  KeyRegeneratePathBody,
  KeysBody,
  KEY_PATCH_FIELDS,
  KeyPatchBody,
  KeyUpdateBody,
  ResetSpendBody,
  toBulkUpdates,
  toGeneratedJson,
  toGenerateInput,
  toKeyInfoJson,
  toKeyJson,
  toKeyResource,
  toKeySettings,
  toRegenerateInput,
} from "./key-wire.ts";
import { nanoToUsd, usdFieldToNano } from "../../money.ts";
import { findUsersByIds } from "../../db/store/users.ts";
import { userView } from "../../domain/users.ts";

const doc = (summary: string) => ({ detail: { tags: ["keys"], summary } });
const KeyPath = t.Object({ key: t.String() });

export function keyRoutes(deps: AppDeps) {
  const keys = new KeyService(deps);
  // litellm_settings.default_key_generate_params / upperbound_key_generate_params (policy/key-params.ts).
  const { default_key_generate_params: defaults, upperbound_key_generate_params: bounds, enable_key_alias_format_validation: aliasFormat } = deps.config.litellm;
  const judged = <T extends Record<string, unknown>>(check: BoundsCheck<T>): T => {
    if (!check.ok) throw GatewayError.badRequest(check.message, check.field);
    const problem = aliasFormat ? keyAliasFormatProblem(check.body.key_alias) : undefined;
    if (problem) throw GatewayError.badRequest(problem, "key_alias");
    return check.body;
  };
  const forNewKey = <T extends Record<string, unknown>>(body: T) => judged(withinKeyBounds(withKeyDefaults(body, defaults), bounds, deps.now(), true));
  const forChangedKey = <T extends Record<string, unknown>>(body: T) => judged(withinKeyBounds(body, bounds, deps.now(), false));
  return new Elysia({ name: "admin-keys" })
    .use(authGuard(deps))
    .use(auditTrail(deps))
    .post("/key/generate", async ({ principal, body }) => {
      const asked = forNewKey(body);
      return toGeneratedJson(await keys.generate(principal, { ...toGenerateInput(asked), sentFields: Object.keys(body) }), asked.duration);
    }, {
      body: KeyGenerateBody,
      ...doc("Create a virtual key; the response is the only time the plaintext key is shown"),
    })
    .get("/key/info", async ({ principal, query }) => toKeyInfoJson(query.key ?? (principal.kind === "key" ? principal.token : ""), await keys.info(principal, query.key)), {
      query: KeyInfoQuery,
      ...doc("A key's settings and spend (?key= plaintext or hash; default: the calling key)"),
    })
    .post("/v2/key/info", async ({ principal, body }) => ({ key: body.keys, info: (await keys.infoMany(principal, body.keys)).map(toKeyJson) }), {
      body: KeysBody,
      ...doc("Several keys' settings and spend at once ({keys: [...]}); unknown keys are left out"),
    })
    .get("/key/aliases", async ({ principal, query }) => {
      const page = query.page ?? 1;
      const size = query.size ?? 50;
      const { aliases, total } = await keys.aliases(principal, { search: query.search, page, size });
      return { aliases, total_count: total, current_page: page, total_pages: Math.ceil(total / size), size };
    }, { query: KeyAliasesQuery, ...doc("Aliases of the keys the caller may list, alphabetically; ?search= matches any part, any case") })
    .post("/key/health", () => ({ key: "healthy", logging_callbacks: null }), doc("The calling key's health: no logging callbacks to check, so always healthy"))
    .post("/key/service-account/generate", async ({ principal, body }) => {
      const asked = forNewKey(body);
      return toGeneratedJson(await keys.generateServiceAccount(principal, { ...toGenerateInput(asked), sentFields: Object.keys(body) }), asked.duration);
    }, {
      body: KeyGenerateBody,
      ...doc("A team key that belongs to no user (team_id required; proxy or team admins)"),
    })
    .get("/key/list", async ({ principal, query }) => {
      if (query.status !== undefined && query.status !== "active" && query.status !== "deleted") {
        throw GatewayError.badRequest(`status must be active or deleted, not ${query.status}`, "status");
      }
      const page = query.page ?? 1;
      const size = query.size ?? 10;
      if (query.status === "deleted") {
        // The copies /key/delete kept (LiteLLM's deleted-keys table), newest deletion first.
        const { rows, total } = await keys.listDeleted(principal, { key: query.key_hash, userId: query.user_id, teamId: query.team_id, keyAlias: query.key_alias, page, size });
        const full = isTrue(query.return_full_object) || query.expand === "user";
        return {
          keys: rows.map((r) => (full ? { ...toKeyJson(r.key), deleted_at: r.deletedAt.toISOString(), deleted_by: r.deletedBy } : r.key.token)),
          total_count: total,
          current_page: page,
          total_pages: Math.ceil(total / size),
        };
      }
      const { rows, total } = await keys.list(principal, {
        key: query.key_hash,
        userId: query.user_id,
        teamId: query.team_id,
        keyAlias: query.key_alias,
        includeCreatedBy: isTrue(query.include_created_by_keys),
        page,
        size,
        order: keyOrderOf(query),
      });
      const paging = { total_count: total, current_page: page, total_pages: Math.ceil(total / size) };
      // expand=user: full objects, each with its user (null when it has none).
      if (query.expand === "user") {
        const users = new Map((await findUsersByIds(deps.store, [...new Set(rows.flatMap((r) => (r.userId ? [r.userId] : [])))])).map((u) => [u.userId, u]));
        return { keys: rows.map((r) => ({ ...toKeyJson(r), user: r.userId && users.has(r.userId) ? userView(users.get(r.userId)!) : null })), ...paging };
      }
      const full = isTrue(query.return_full_object);
      return { keys: rows.map((r) => (full ? toKeyJson(r) : r.token)), ...paging };
    }, { query: KeyListQuery, ...doc("Keys by hash (or full objects with return_full_object=true), paginated; filter by user_id, team_id, key_alias or key_hash; sort_by + sort_order; include_created_by_keys=true adds the keys a user made for others; expand=user adds each key's user") })
    .post("/key/update", async ({ principal, body }) => ({ ...toKeyJson(await keys.update(principal, body.key, toKeySettings(forChangedKey(body)))), key: body.key }), {
      body: KeyUpdateBody,
      ...doc("Change the fields sent; null clears a field; metadata is replaced"),
    })
    .patch("/management/v1/keys/:key_id", async ({ principal, params, body }) => {
      // LiteLLM's RFC 7396 surface over /key/update: only the fields sent change, null clears one,
      // metadata is merged into the stored metadata (null removes an entry).
      const unknown = Object.keys(body).find((f) => !KEY_PATCH_FIELDS.has(f));
      if (unknown === "key") throw GatewayError.badRequest("`key` is not a field here: the key is the key_id in the path", "key");
      if (unknown !== undefined) throw GatewayError.badRequest(`Unknown field: ${unknown}`, unknown);
      if (body.key_id !== undefined && body.key_id !== params.key_id) {
        throw GatewayError.badRequest("`key_id` in the body does not match the `key_id` in the path.", "key_id");
      }
      const { key_id: _same, ...changes } = body;
      if (changes.metadata !== undefined && changes.metadata !== null) {
        const current = await keys.info(principal, params.key_id);
        changes.metadata = mergePatch(current.metadata, changes.metadata, "metadata") as typeof changes.metadata;
      }
      return { data: toKeyResource(await keys.update(principal, params.key_id, toKeySettings(forChangedKey(changes)))) };
    }, {
      params: t.Object({ key_id: t.String({ minLength: 1 }) }),
      body: KeyPatchBody,
      ...doc("Change a key by its id (hash or sk-...): RFC 7396 merge patch; metadata is merged, null clears"),
    })
    .post("/key/bulk_update", async ({ principal, body }) => {
      const results = await keys.bulkUpdate(principal, toBulkUpdates(body, forChangedKey));
      const asked = new Map(body.keys.map((item) => [item.key, item]));
      return {
        total_requested: body.keys.length,
        successful_updates: results.flatMap((r) => (r.row ? [{ key: r.ref, key_info: toKeyJson(r.row) }] : [])),
        failed_updates: results.flatMap((r) => (r.error ? [{ key: r.ref, key_info: asked.get(r.ref) ?? null, failed_reason: r.error.message }] : [])),
      };
    }, { body: KeyBulkUpdateBody, ...doc("Change max_budget, team_id or tags of up to 500 keys (proxy admins); each key succeeds or fails on its own") })
    .post("/key/delete", async ({ principal, body }) => ({ deleted_keys: await keys.delete(principal, { keys: body.keys ?? [], keyAliases: body.key_aliases ?? [] }) }), {
      body: KeyDeleteBody,
      ...doc("Delete keys by plaintext, hash or alias"),
    })
    .post("/key/regenerate", async ({ principal, body }) => toGeneratedJson(await keys.regenerate(principal, body.key, toRegenerateInput(forChangedKey(body))), body.duration), {
      body: KeyRegenerateBody,
      ...doc("New secret for the same key (settings and spend kept); optional grace_period for the old one"),
    })
    .post("/key/:key/regenerate", async ({ principal, params, body }) => toGeneratedJson(await keys.regenerate(principal, params.key, toRegenerateInput(body && forChangedKey(body))), body?.duration), {
      params: KeyPath,
      body: KeyRegeneratePathBody,
      ...doc("New secret for the key in the path"),
    })
    .post("/key/block", async ({ principal, body }) => toKeyJson(await keys.setBlocked(principal, body.key, true)), {
      body: KeyRef,
      ...doc("Block a key: refused on every route from the next request (admin only)"),
    })
    .post("/key/unblock", async ({ principal, body }) => toKeyJson(await keys.setBlocked(principal, body.key, false)), {
      body: KeyRef,
      ...doc("Unblock a key (admin only)"),
    })
    .post("/key/:key/reset_spend", async ({ principal, params, body }) => {
      const { row, previousSpendNano } = await keys.resetSpend(principal, params.key, usdFieldToNano("reset_to", body.reset_to));
      const json = toKeyJson(row);
      return { key_hash: row.token, spend: json.spend, previous_spend: nanoToUsd(previousSpendNano), max_budget: json.max_budget, budget_reset_at: json.budget_reset_at };
    }, { params: KeyPath, body: ResetSpendBody, ...doc("Set a key's spend to reset_to (0 <= reset_to <= spend)") });
}
