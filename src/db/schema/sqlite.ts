// SQLite schema. src/db/schema/pg.ts declares the same tables with the same export and property
// names; src/db/schema/parity.ts fails the type check if their inferred row types drift apart.
// Money columns are integers in nano-USD (1 USD = 1e9), named *Nano.
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { sql } from "drizzle-orm";
import type { JsonObject } from "./json.ts";

const now = () => new Date();
const ts = (name: string) => integer(name, { mode: "timestamp_ms" });
const json = <T>(name: string) => text(name, { mode: "json" }).$type<T>();
const flag = (name: string) => integer(name, { mode: "boolean" });
const nano = (name: string) => integer(name, { mode: "number" });

export const settings = sqliteTable("settings", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  updatedAt: ts("updated_at").notNull().$defaultFn(now),
});

export const users = sqliteTable(
  "users",
  {
    userId: text("user_id").primaryKey(),
    userEmail: text("user_email"),
    userEmailLower: text("user_email_lower"),
    userAlias: text("user_alias"),
    userRole: text("user_role"),
    models: json<string[]>("models").notNull().$defaultFn(() => []),
    maxBudgetNano: nano("max_budget_nano"),
    softBudgetNano: nano("soft_budget_nano"),
    budgetDuration: text("budget_duration"),
    budgetResetAt: ts("budget_reset_at"),
    tpmLimit: integer("tpm_limit"),
    rpmLimit: integer("rpm_limit"),
    maxParallelRequests: integer("max_parallel_requests"),
    spendNano: nano("spend_nano").notNull().default(0),
    metadata: json<JsonObject>("metadata").notNull().$defaultFn(() => ({})),
    passwordHash: text("password_hash"),
    createdAt: ts("created_at").notNull().$defaultFn(now),
    updatedAt: ts("updated_at").notNull().$defaultFn(now),
  },
  (u) => [
    uniqueIndex("users_email_lower_uq").on(u.userEmailLower),
    // /user/list pages read (created_at, user_id) from these indexes alone, then load the page.
    index("users_created_id_idx").on(u.createdAt, u.userId),
    index("users_role_created_idx").on(u.userRole, u.createdAt, u.userId),
    // An email "contains" search scans this index, not the table.
    index("users_email_created_idx").on(u.userEmailLower, u.createdAt, u.userId),
  ],
);

export const teams = sqliteTable("teams", {
  teamId: text("team_id").primaryKey(),
  teamAlias: text("team_alias"),
  models: json<string[]>("models").notNull().$defaultFn(() => []),
  maxBudgetNano: nano("max_budget_nano"),
  softBudgetNano: nano("soft_budget_nano"),
  budgetDuration: text("budget_duration"),
  budgetResetAt: ts("budget_reset_at"),
  tpmLimit: integer("tpm_limit"),
  rpmLimit: integer("rpm_limit"),
  maxParallelRequests: integer("max_parallel_requests"),
  modelAliases: json<Record<string, string>>("model_aliases").notNull().$defaultFn(() => ({})),
  modelRpmLimit: json<Record<string, number>>("model_rpm_limit"),
  modelTpmLimit: json<Record<string, number>>("model_tpm_limit"),
  teamMemberPermissions: json<string[]>("team_member_permissions"),
  metadata: json<JsonObject>("metadata").notNull().$defaultFn(() => ({})),
  blocked: flag("blocked").notNull().default(false),
  spendNano: nano("spend_nano").notNull().default(0),
  createdAt: ts("created_at").notNull().$defaultFn(now),
  updatedAt: ts("updated_at").notNull().$defaultFn(now),
});

export const teamMembers = sqliteTable(
  "team_members",
  {
    teamId: text("team_id").notNull(),
    userId: text("user_id").notNull(),
    role: text("role", { enum: ["admin", "user"] }).notNull(),
    maxBudgetInTeamNano: nano("max_budget_in_team_nano"),
    budgetDuration: text("budget_duration"),
    budgetResetAt: ts("budget_reset_at"),
    tpmLimit: integer("tpm_limit"),
    rpmLimit: integer("rpm_limit"),
    spendNano: nano("spend_nano").notNull().default(0),
    createdAt: ts("created_at").notNull().$defaultFn(now),
  },
  (m) => [primaryKey({ columns: [m.teamId, m.userId] }), index("team_members_user_idx").on(m.userId)],
);

export const keys = sqliteTable(
  "keys",
  {
    token: text("token").primaryKey(), // SHA-256 hex of the plaintext key; the plaintext is never stored
    keyName: text("key_name").notNull(), // "sk-...abcd"
    keyAlias: text("key_alias"),
    userId: text("user_id"),
    teamId: text("team_id"),
    models: json<string[]>("models").notNull().$defaultFn(() => []),
    aliases: json<Record<string, string>>("aliases").notNull().$defaultFn(() => ({})),
    config: json<JsonObject>("config").notNull().$defaultFn(() => ({})),
    permissions: json<JsonObject>("permissions").notNull().$defaultFn(() => ({})),
    metadata: json<JsonObject>("metadata").notNull().$defaultFn(() => ({})),
    maxBudgetNano: nano("max_budget_nano"),
    softBudgetNano: nano("soft_budget_nano"),
    budgetDuration: text("budget_duration"),
    budgetResetAt: ts("budget_reset_at"),
    tpmLimit: integer("tpm_limit"),
    rpmLimit: integer("rpm_limit"),
    maxParallelRequests: integer("max_parallel_requests"),
    modelRpmLimit: json<Record<string, number>>("model_rpm_limit"),
    modelTpmLimit: json<Record<string, number>>("model_tpm_limit"),
    allowedRoutes: json<string[]>("allowed_routes").notNull().$defaultFn(() => []),
    blocked: flag("blocked").notNull().default(false),
    expiresAt: ts("expires_at"),
    spendNano: nano("spend_nano").notNull().default(0),
    createdBy: text("created_by"),
    updatedBy: text("updated_by"),
    createdAt: ts("created_at").notNull().$defaultFn(now),
    updatedAt: ts("updated_at").notNull().$defaultFn(now),
  },
  (k) => [
    uniqueIndex("keys_alias_uq").on(k.keyAlias),
    // /key/list pages in (created_at desc, token desc) order, filtered by user or team: each index
    // covers filter + order, so a page is read from the index alone (100k keys, bench/key-list.ts).
    index("keys_user_created_idx").on(k.userId, k.createdAt, k.token),
    index("keys_team_created_idx").on(k.teamId, k.createdAt, k.token),
    index("keys_created_token_idx").on(k.createdAt, k.token),
  ],
);

// Old secrets of regenerated keys that stay valid until a grace period ends.
export const keyGraceTokens = sqliteTable("key_grace_tokens", {
  oldToken: text("old_token").primaryKey(),
  token: text("token").notNull(),
  validUntil: ts("valid_until").notNull(),
});

export const endUsers = sqliteTable("end_users", {
  userId: text("user_id").primaryKey(),
  alias: text("alias"),
  blocked: flag("blocked").notNull().default(false),
  maxBudgetNano: nano("max_budget_nano"),
  budgetDuration: text("budget_duration"),
  budgetResetAt: ts("budget_reset_at"),
  tpmLimit: integer("tpm_limit"),
  rpmLimit: integer("rpm_limit"),
  spendNano: nano("spend_nano").notNull().default(0),
  createdAt: ts("created_at").notNull().$defaultFn(now),
  // A budget tier (budgets table) whose limits were copied into the columns above when attached.
  budgetId: text("budget_id"),
  softBudgetNano: nano("soft_budget_nano"),
  allowedModelRegion: text("allowed_model_region"),
  defaultModel: text("default_model"),
});

export const spendLogs = sqliteTable(
  "spend_logs",
  {
    requestId: text("request_id").primaryKey(),
    callType: text("call_type").notNull(),
    apiKey: text("api_key"), // key hash
    model: text("model").notNull(),
    modelGroup: text("model_group"),
    modelId: text("model_id"),
    provider: text("provider"),
    apiBase: text("api_base"),
    userId: text("user_id"),
    teamId: text("team_id"),
    endUser: text("end_user"),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    totalTokens: integer("total_tokens").notNull().default(0),
    spendNano: nano("spend_nano").notNull().default(0),
    status: text("status", { enum: ["success", "failure"] }).notNull(),
    requestTags: json<string[]>("request_tags").notNull().$defaultFn(() => []),
    metadata: json<JsonObject>("metadata").notNull().$defaultFn(() => ({})),
    startTime: ts("start_time").notNull(),
    endTime: ts("end_time").notNull(),
    // The answer's own id (LiteLLM's request_id: a client looks its call up by response.id); the
    // call id above stays the key, since providers' ids need not be unique. Not indexed: providers'
    // ids are random, and an index of random keys made each row's write 2-5× dearer (a new page
    // per row); src/db/store/spend.ts searches the newest rows for it. Last: journal lines list
    // the columns in order, so lines written before it still read.
    responseId: text("response_id"),
    // general_settings.store_prompts_in_spend_logs: the request's messages (or prompt / input) and
    // the answer (a streamed one assembled); null when the setting is off.
    messages: json<unknown>("messages"),
    response: json<unknown>("response"),
  },
  (s) => [
    index("spend_logs_start_idx").on(s.startTime),
    // Partial: a row without a key, team or user is not in that index at all (a call by a key
    // without a team writes two index entries fewer); the filters are equalities, which imply
    // "is not null", so both databases still use them.
    index("spend_logs_key_idx").on(s.apiKey, s.startTime).where(sql`${s.apiKey} is not null`),
    index("spend_logs_team_idx").on(s.teamId, s.startTime).where(sql`${s.teamId} is not null`),
    index("spend_logs_user_idx").on(s.userId, s.startTime).where(sql`${s.userId} is not null`),
  ],
);

// Deployments added at runtime through /model/new (config-file deployments are never stored).
export const models = sqliteTable("models", {
  modelId: text("model_id").primaryKey(),
  modelName: text("model_name").notNull(),
  litellmParams: json<JsonObject>("litellm_params").notNull(),
  modelInfo: json<JsonObject>("model_info").notNull().$defaultFn(() => ({})),
  createdAt: ts("created_at").notNull().$defaultFn(now),
  updatedAt: ts("updated_at").notNull().$defaultFn(now),
});

// Shared rate-limit buckets: instances lease tokens from these rows (src/ratelimit/lease-pool.ts).
// Only used on Postgres; SQLite runs one instance and keeps its buckets in memory.
export const rateLimitBuckets = sqliteTable("rate_limit_buckets", {
  bucketKey: text("bucket_key").primaryKey(),
  tokens: real("tokens").notNull(),
  capacity: real("capacity").notNull(),
  updatedMs: integer("updated_ms", { mode: "number" }).notNull(),
});

// Budget tiers (LiteLLM's LiteLLM_BudgetTable, /budget/*): named limits attached to end users.
export const budgets = sqliteTable("budgets", {
  budgetId: text("budget_id").primaryKey(),
  maxBudgetNano: nano("max_budget_nano"),
  softBudgetNano: nano("soft_budget_nano"),
  maxParallelRequests: integer("max_parallel_requests"),
  tpmLimit: integer("tpm_limit"),
  rpmLimit: integer("rpm_limit"),
  budgetDuration: text("budget_duration"),
  budgetResetAt: ts("budget_reset_at"),
  modelMaxBudget: json<JsonObject>("model_max_budget"),
  createdBy: text("created_by"),
  updatedBy: text("updated_by"),
  createdAt: ts("created_at").notNull().$defaultFn(now),
  updatedAt: ts("updated_at").notNull().$defaultFn(now),
});

// Daily spend rollups, written in the same transaction as the spend_logs rows they sum
// (src/spend/rollups.ts), so /global/spend/*, the report and the daily-activity views read
// thousands of rows instead of millions. Absent ids are '' (not NULL) because they are part of the
// primary key. `day` is the UTC date of the call's start, "YYYY-MM-DD".
//
// The key's column order is the spend report's order (day, team, key, model, then the rest), so
// /global/spend/report?group_by=team reads it as one ordered range, summing adjacent rows, with no
// sort. On SQLite both rollup tables are WITHOUT ROWID (drizzle cannot say so: the migrations that
// create them do, drizzle/sqlite/0005_*): the rows live in their primary key's b-tree, so a range of
// days is read in key order without a lookup per row. A drizzle-kit migration that recreates
// either table must keep `WITHOUT ROWID`.
export const dailySpend = sqliteTable(
  "daily_spend",
  {
    day: text("day").notNull(),
    apiKey: text("api_key").notNull(),
    userId: text("user_id").notNull(),
    teamId: text("team_id").notNull(),
    modelGroup: text("model_group").notNull(),
    model: text("model").notNull(),
    provider: text("provider").notNull(),
    spendNano: nano("spend_nano").notNull().default(0),
    promptTokens: nano("prompt_tokens").notNull().default(0),
    completionTokens: nano("completion_tokens").notNull().default(0),
    requests: nano("requests").notNull().default(0),
    successfulRequests: nano("successful_requests").notNull().default(0),
    failedRequests: nano("failed_requests").notNull().default(0),
  },
  (d) => [
    primaryKey({ name: "daily_spend_pk", columns: [d.day, d.teamId, d.apiKey, d.model, d.userId, d.modelGroup, d.provider] }),
    index("daily_spend_user_idx").on(d.userId, d.day),
    index("daily_spend_team_idx").on(d.teamId, d.day),
  ],
);

// Per end user (customer) apart: end users can outnumber keys by orders of magnitude, and folding
// them into daily_spend would make it as large as the logs.
export const dailyEndUserSpend = sqliteTable(
  "daily_end_user_spend",
  {
    day: text("day").notNull(),
    endUser: text("end_user").notNull(),
    modelGroup: text("model_group").notNull(),
    spendNano: nano("spend_nano").notNull().default(0),
    promptTokens: nano("prompt_tokens").notNull().default(0),
    completionTokens: nano("completion_tokens").notNull().default(0),
    requests: nano("requests").notNull().default(0),
    successfulRequests: nano("successful_requests").notNull().default(0),
    failedRequests: nano("failed_requests").notNull().default(0),
  },
  (d) => [primaryKey({ columns: [d.day, d.endUser, d.modelGroup] }), index("daily_end_user_spend_user_idx").on(d.endUser, d.day)],
);

// Who changed which key, user, team or model, and how (LiteLLM's LiteLLM_AuditLog, written when
// litellm_settings.store_audit_logs is on). Values are the objects as the admin API shows them.
export const auditLogs = sqliteTable(
  "audit_logs",
  {
    id: text("id").primaryKey(),
    updatedAt: ts("updated_at").notNull().$defaultFn(now),
    changedBy: text("changed_by").notNull().default(""),
    changedByApiKey: text("changed_by_api_key").notNull().default(""),
    action: text("action").notNull(),
    tableName: text("table_name").notNull(),
    objectId: text("object_id").notNull(),
    beforeValue: json<JsonObject>("before_value"),
    updatedValues: json<JsonObject>("updated_values"),
  },
  (a) => [index("audit_logs_updated_idx").on(a.updatedAt, a.id), index("audit_logs_object_idx").on(a.tableName, a.objectId, a.updatedAt)],
);

// Keys deleted through /key/delete, as they were (LiteLLM's LiteLLM_DeletedVerificationToken):
// /key/list?status=deleted lists them. `key` is the whole key row, dates as ISO strings.
export const deletedKeys = sqliteTable(
  "deleted_keys",
  {
    id: text("id").primaryKey(),
    token: text("token").notNull(),
    keyAlias: text("key_alias"),
    userId: text("user_id"),
    teamId: text("team_id"),
    key: json<JsonObject>("key").notNull(),
    deletedAt: ts("deleted_at").notNull().$defaultFn(now),
    deletedBy: text("deleted_by"),
  },
  (d) => [index("deleted_keys_deleted_idx").on(d.deletedAt, d.id), index("deleted_keys_user_idx").on(d.userId, d.deletedAt), index("deleted_keys_team_idx").on(d.teamId, d.deletedAt)],
);
