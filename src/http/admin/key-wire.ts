// The key API's wire format (LiteLLM's field names, money as float USD) and its conversion to and
// from the domain's settings (integer nano-USD). Unknown fields are accepted and ignored, as LiteLLM
// accepts many more; known fields of the wrong type are a 400.
import { type Static, type TSchema, t } from "elysia";
import { pageParam, wholeParam } from "../paging.ts";
import type { GenerateInput, KeySettings, RegenerateInput } from "../../domain/keys.ts";
import { nanoToUsd, usdFieldToNanoOrNull } from "../../money.ts";
import { KEY_SORT_COLUMNS, type KeyOrder, type KeyRow, type KeySortColumn } from "../../db/store/keys.ts";
import { GatewayError } from "../../errors.ts";

// Integer nano-USD must stay a safe integer: 9e15 nano = 9 million USD.

const opt = <T extends TSchema>(schema: T, error: string) => t.Optional(t.Union([schema, t.Null()], { error }));
// Limits are bigint columns on Postgres; in-flight calls (max_parallel_requests) an integer one.
const count = t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const parallel = t.Integer({ minimum: 0, maximum: 2_147_483_647 });
// Elysia's normalisation turns a JSON array into an object where a record is declared, so object
// fields are declared as unknown and checked by toKeySettings (asObject).
const object = (description: string) => t.Optional(t.Unknown({ description }));

const settingsFields = {
  models: opt(t.Array(t.String()), "models must be a list of model names"),
  duration: opt(t.String(), "duration must be a string such as \"30d\", or null"),
  metadata: object("free-form JSON object"),
  tags: opt(t.Array(t.String()), "tags must be a list of strings"),
  max_budget: opt(t.Number(), "max_budget must be a number (USD)"),
  soft_budget: opt(t.Number(), "soft_budget must be a number (USD)"),
  spend: opt(t.Number(), "spend must be a number (USD)"),
  budget_duration: opt(t.String(), "budget_duration must be a string such as \"30d\", or null"),
  tpm_limit: opt(count, "tpm_limit must be a whole number >= 0"),
  rpm_limit: opt(count, "rpm_limit must be a whole number >= 0"),
  max_parallel_requests: opt(parallel, "max_parallel_requests must be a whole number >= 0"),
  team_id: opt(t.String(), "team_id must be a string"),
  user_id: opt(t.String(), "user_id must be a string"),
  key_alias: opt(t.String({ minLength: 1 }), "key_alias must be a non-empty string"),
  aliases: object("model name → model name"),
  config: object("JSON object (deprecated)"),
  permissions: object("JSON object"),
  model_rpm_limit: object("model name → requests per minute"),
  model_tpm_limit: object("model name → tokens per minute"),
  allowed_routes: opt(t.Array(t.String()), "allowed_routes must be a list of routes"),
  key_type: opt(
    t.Union([t.Literal("llm_api"), t.Literal("management"), t.Literal("read_only"), t.Literal("default")]),
    "key_type must be one of llm_api, management, read_only, default",
  ),
  blocked: opt(t.Boolean(), "blocked must be true or false"),
};

const loose = { additionalProperties: true };

export const KeyGenerateBody = t.Object({ ...settingsFields, key: opt(t.String(), "key must be a string starting with sk-") }, loose);
export type KeyGenerateBody = Static<typeof KeyGenerateBody>;

export const KeyUpdateBody = t.Object({ ...settingsFields, key: t.String({ minLength: 1, error: "key is required: the key to update (sk-... or its hash)" }) }, loose);
export type KeyUpdateBody = Static<typeof KeyUpdateBody>;

/** PATCH /management/v1/keys/{key_id}: the settings, and key_id only to repeat the path's. */
export const KeyPatchBody = t.Object({ ...settingsFields, key_id: opt(t.String(), "key_id must be a string") }, loose);
export type KeyPatchBody = Static<typeof KeyPatchBody>;
export const KEY_PATCH_FIELDS: ReadonlySet<string> = new Set([...Object.keys(settingsFields), "key_id"]);

/** A key as LiteLLM's management API shows it (KeyResource): its hash as key_id, never a secret. */
export function toKeyResource(row: KeyRow) {
  const { token, ...rest } = toKeyJson(row);
  return { key_id: token, ...rest };
}

const regenerateFields = {
  ...settingsFields,
  new_key: opt(t.String(), "new_key must be a string starting with sk-"),
  grace_period: opt(t.String(), "grace_period must be a duration such as \"24h\""),
};
export const KeyRegenerateBody = t.Object({ ...regenerateFields, key: t.String({ minLength: 1, error: "key is required: the key to regenerate" }) }, loose);
export type KeyRegenerateBody = Static<typeof KeyRegenerateBody>;
export const KeyRegeneratePathBody = t.Optional(t.Object({ ...regenerateFields, key: t.Optional(t.String()) }, loose));
export type KeyRegeneratePathBody = Static<typeof KeyRegeneratePathBody>;

export const KeyDeleteBody = t.Object(
  {
    keys: opt(t.Array(t.String()), "keys must be a list of keys (sk-... or hashes)"),
    key_aliases: opt(t.Array(t.String()), "key_aliases must be a list of key aliases"),
  },
  loose,
);
export const KeyRef = t.Object({ key: t.String({ minLength: 1, error: "key is required (sk-... or its hash)" }) }, loose);
export const ResetSpendBody = t.Object({ reset_to: t.Number({ error: "reset_to must be a number (USD)" }) }, loose);

export const KeyInfoQuery = t.Object({ key: t.Optional(t.String()) });
export const KeysBody = t.Object({ keys: t.Array(t.String(), { minItems: 1, error: "keys must be a non-empty list of keys (sk-... or hashes)" }) }, loose);
/** LiteLLM's MAX_BATCH_SIZE for /key/bulk_update. */
export const BULK_UPDATE_MAX_KEYS = 500;
export const KeyBulkUpdateBody = t.Object(
  {
    keys: t.Array(
      t.Object(
        {
          key: t.String({ minLength: 1, error: "each update needs the key (sk-... or its hash)" }),
          max_budget: settingsFields.max_budget,
          team_id: settingsFields.team_id,
          tags: settingsFields.tags,
          budget_id: opt(t.String(), "budget_id must be a string"),
        },
        loose,
      ),
      { error: "keys must be a list of {key, max_budget?, team_id?, tags?}" },
    ),
  },
  loose,
);
export type KeyBulkUpdateBody = Static<typeof KeyBulkUpdateBody>;

export const KeyAliasesQuery = t.Object({
  page: pageParam(),
  size: wholeParam("size", 100),
  search: t.Optional(t.String()),
});
export const KeyListQuery = t.Object({
  page: pageParam(),
  size: wholeParam("size", 100),
  user_id: t.Optional(t.String()),
  team_id: t.Optional(t.String()),
  key_alias: t.Optional(t.String()),
  key_hash: t.Optional(t.String()),
  return_full_object: t.Optional(t.String()),
  include_created_by_keys: t.Optional(t.String()),
  include_team_keys: t.Optional(t.String()),
  expand: t.Optional(t.Union([t.Literal("user")], { error: "expand supports only user" })),
  status: t.Optional(t.String()),
  // Checked by keyOrderOf: an enum schema here would fill a missing value with its first member.
  sort_by: t.Optional(t.String()),
  sort_order: t.Optional(t.String()),
});

/** sort_by + sort_order (LiteLLM's defaults: created_at, desc). */
export function keyOrderOf(query: { sort_by?: string; sort_order?: string }): KeyOrder {
  const by = query.sort_by ?? "created_at";
  if (!(KEY_SORT_COLUMNS as readonly string[]).includes(by)) throw GatewayError.badRequest(`sort_by must be one of: ${KEY_SORT_COLUMNS.join(", ")}`, "sort_by");
  const direction = (query.sort_order ?? "desc").toLowerCase();
  if (direction !== "asc" && direction !== "desc") throw GatewayError.badRequest("sort_order must be asc or desc", "sort_order");
  return { by: by as KeySortColumn, direction };
}
export type KeyListQuery = Static<typeof KeyListQuery>;


type Values = "any" | "string" | "count";
const VALUE_CHECK: Record<Values, (v: unknown) => boolean> = {
  any: () => true,
  string: (v) => typeof v === "string",
  count: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
};
const VALUE_ERROR: Record<Values, string> = {
  any: "a JSON object",
  string: "an object of model name to model name",
  count: "an object mapping model names to whole numbers >= 0",
};

function asObject<T>(field: string, value: unknown, values: Values = "any"): T | null | undefined {
  if (value === undefined || value === null) return value;
  const ok = typeof value === "object" && !Array.isArray(value) && Object.values(value).every(VALUE_CHECK[values]);
  if (!ok) throw GatewayError.badRequest(`${field} must be ${VALUE_ERROR[values]}`, field);
  return value as T;
}

const money = usdFieldToNanoOrNull;

type SettingsBody = Partial<Static<ReturnType<typeof t.Object<typeof settingsFields>>>>;

/** Only the properties present in the body: on update, absent = unchanged, null = cleared. */
export function toKeySettings(b: SettingsBody): KeySettings {
  const s: KeySettings = {
    models: b.models,
    duration: b.duration,
    metadata: asObject("metadata", b.metadata),
    tags: b.tags,
    maxBudgetNano: money("max_budget", b.max_budget),
    softBudgetNano: money("soft_budget", b.soft_budget),
    spendNano: money("spend", b.spend),
    budgetDuration: b.budget_duration,
    tpmLimit: b.tpm_limit,
    rpmLimit: b.rpm_limit,
    maxParallelRequests: b.max_parallel_requests,
    teamId: b.team_id,
    userId: b.user_id,
    keyAlias: b.key_alias,
    aliases: asObject("aliases", b.aliases, "string"),
    config: asObject("config", b.config),
    permissions: asObject("permissions", b.permissions),
    modelRpmLimit: asObject("model_rpm_limit", b.model_rpm_limit, "count"),
    modelTpmLimit: asObject("model_tpm_limit", b.model_tpm_limit, "count"),
    allowedRoutes: b.allowed_routes,
    keyType: b.key_type,
    blocked: b.blocked,
  };
  for (const k of Object.keys(s) as (keyof KeySettings)[]) if (s[k] === undefined) delete s[k];
  return s;
}

/** Each bulk item's changes, or why it cannot be applied (reported for that key alone). */
export function toBulkUpdates(
  body: KeyBulkUpdateBody,
  /** Throws when the item may not be applied (the config's bounds). */
  judge: (item: Record<string, unknown>) => unknown = () => {},
): { ref: string; changes: KeySettings | GatewayError }[] {
  if (body.keys.length === 0) throw GatewayError.badRequest("No keys provided for update", "keys");
  if (body.keys.length > BULK_UPDATE_MAX_KEYS) {
    throw GatewayError.badRequest(`Maximum ${BULK_UPDATE_MAX_KEYS} keys can be updated at once. Found ${body.keys.length} keys.`, "keys");
  }
  return body.keys.map((item) => {
    if (item.budget_id !== undefined && item.budget_id !== null) {
      return { ref: item.key, changes: GatewayError.badRequest("budget_id is not supported on keys: set max_budget (and budget_duration with /key/update)", "budget_id") };
    }
    try {
      judge(item);
      return { ref: item.key, changes: toKeySettings({ max_budget: item.max_budget, team_id: item.team_id, tags: item.tags }) };
    } catch (err) {
      return { ref: item.key, changes: err instanceof GatewayError ? err : GatewayError.internal() };
    }
  });
}

export const toGenerateInput = (b: KeyGenerateBody): GenerateInput => ({ ...toKeySettings(b), key: b.key });
export const toRegenerateInput = (b: KeyRegeneratePathBody | null): RegenerateInput =>
  b ? { ...toKeySettings(b), newKey: b.new_key, gracePeriod: b.grace_period } : {};

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const usd = (nano: number | null) => (nano === null ? null : nanoToUsd(nano));

/** A stored key as LiteLLM shows it: identified by its hash and `sk-...abcd`, never the plaintext. */
export function toKeyJson(row: KeyRow) {
  return {
    token: row.token,
    key_name: row.keyName,
    key_alias: row.keyAlias,
    spend: nanoToUsd(row.spendNano),
    max_budget: usd(row.maxBudgetNano),
    soft_budget: usd(row.softBudgetNano),
    expires: iso(row.expiresAt),
    models: row.models,
    aliases: row.aliases,
    config: row.config,
    permissions: row.permissions,
    metadata: row.metadata,
    tags: Array.isArray(row.metadata.tags) ? row.metadata.tags : null,
    user_id: row.userId,
    team_id: row.teamId,
    max_parallel_requests: row.maxParallelRequests,
    tpm_limit: row.tpmLimit,
    rpm_limit: row.rpmLimit,
    model_rpm_limit: row.modelRpmLimit,
    model_tpm_limit: row.modelTpmLimit,
    budget_duration: row.budgetDuration,
    budget_reset_at: iso(row.budgetResetAt),
    allowed_routes: row.allowedRoutes,
    blocked: row.blocked,
    created_by: row.createdBy,
    updated_by: row.updatedBy,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

/** /key/generate and /key/regenerate: the only responses that carry the plaintext. */
export function toGeneratedJson(generated: { key: string; row: KeyRow }, duration: string | null | undefined) {
  return { ...toKeyJson(generated.row), key: generated.key, token_id: generated.row.token, duration: duration ?? null };
}

/** /key/info removes the token, like LiteLLM. */
export function toKeyInfoJson(ref: string, row: KeyRow) {
  const { token: _token, ...info } = toKeyJson(row);
  return { key: ref, info };
}

export const isTrue = (v: string | undefined) => v !== undefined && ["true", "1", "yes"].includes(v.toLowerCase());
