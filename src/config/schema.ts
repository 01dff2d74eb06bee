// The config.yaml shape Tollgate reads: LiteLLM's sections, with the keys Tollgate implements typed.
// Keys outside these schemas are not errors: each one produces a single "ignored" warning, so a
// LiteLLM user's existing file loads as it is (see load.ts).
import { USER_ROLES } from "../policy/roles.ts";
import { type Static, Type as t } from "@sinclair/typebox";

export const LitellmParams = t.Object(
  {
    model: t.String({ minLength: 1 }),
    api_key: t.Optional(t.Union([t.String(), t.Null()])),
    api_base: t.Optional(t.Union([t.String(), t.Null()])),
    api_version: t.Optional(t.Union([t.String(), t.Null()])),
    rpm: t.Optional(t.Integer({ minimum: 0 })),
    tpm: t.Optional(t.Integer({ minimum: 0 })),
    timeout: t.Optional(t.Number({ exclusiveMinimum: 0 })),
    stream_timeout: t.Optional(t.Number({ exclusiveMinimum: 0 })),
    weight: t.Optional(t.Number({ minimum: 0 })),
    /** Calls in flight to this deployment at most (per instance); the next waits for a slot. 0: no cap. */
    max_parallel_requests: t.Optional(t.Integer({ minimum: 0 })),
  },
  { additionalProperties: true }, // everything else is passed to the provider as-is
);
export type LitellmParams = Static<typeof LitellmParams>;

export const ModelInfo = t.Object(
  {
    id: t.Optional(t.String({ minLength: 1 })),
    mode: t.Optional(t.String()),
    base_model: t.Optional(t.String()),
    access_groups: t.Optional(t.Array(t.String())),
    /** A team-scoped model: only that team's keys may call it. */
    team_id: t.Optional(t.Union([t.String(), t.Null()])),
    input_cost_per_token: t.Optional(t.Number({ minimum: 0 })),
    output_cost_per_token: t.Optional(t.Number({ minimum: 0 })),
  },
  { additionalProperties: true }, // custom model_info keys are returned by /model/info
);
export type ModelInfo = Static<typeof ModelInfo>;

export const ModelEntry = t.Object({
  model_name: t.String({ minLength: 1 }),
  litellm_params: LitellmParams,
  model_info: t.Optional(ModelInfo),
});
export type ModelEntry = Static<typeof ModelEntry>;

// Spend, budget-reset and retention settings (general_settings), kept apart so the spend API owns them.
const SpendGeneralSettings = {
  /** The budget reset job runs every min..max seconds (a random pick spreads instances; LiteLLM 597–605). */
  proxy_budget_rescheduler_min_time: t.Optional(t.Number({ exclusiveMinimum: 0 })),
  proxy_budget_rescheduler_max_time: t.Optional(t.Number({ exclusiveMinimum: 0 })),
  /** Spend-log rows older than this duration ("7d", "30d") are deleted; unset keeps them for ever. */
  maximum_spend_logs_retention_period: t.Optional(t.Union([t.String(), t.Null()])),
  /** How often the retention delete runs, as a duration (LiteLLM's default: "1d"). */
  maximum_spend_logs_retention_interval: t.Optional(t.Union([t.String(), t.Null()])),
};

// Runtime models, health checks and the api_base SSRF policy (general_settings), owned by the router.
const RouterGeneralSettings = {
  /** Runtime models (/model/new) are always on in Tollgate; the key is accepted for LiteLLM files. */
  store_model_in_db: t.Optional(t.Boolean()),
  /** GET /health probes a deployment with no recent traffic at most this often (seconds). */
  health_check_interval: t.Optional(t.Number({ minimum: 0 })),
  /** Hosts, IPs or CIDRs an admin-supplied api_base may point at even though they are private. */
  api_base_allowed_hosts: t.Optional(t.Array(t.String({ minLength: 1 }))),
  /** Hosts, IPs or CIDRs an admin-supplied api_base may never point at (wins over the allow list). */
  api_base_denied_hosts: t.Optional(t.Array(t.String({ minLength: 1 }))),
  /** Let admin-supplied api_base values reach private, loopback and link-local addresses. */
  api_base_allow_private_networks: t.Optional(t.Boolean()),
};

export const GeneralSettings = t.Object({
  ...SpendGeneralSettings,
  ...RouterGeneralSettings,
  master_key: t.Optional(t.Union([t.String(), t.Null()])),
  database_url: t.Optional(t.Union([t.String(), t.Null()])),
  litellm_key_header_name: t.Optional(t.String({ minLength: 1 })),
  /** While the database cannot be reached, a key not in memory is served under a fallback identity (LLM routes only). */
  allow_requests_on_db_unavailable: t.Optional(t.Boolean()),
  /** LLM calls in flight on this instance at most (0 or absent: no cap). */
  global_max_parallel_requests: t.Optional(t.Integer({ minimum: 0 })),
  /** Every LLM call must name its end user (body `user`, or the customer-id headers). */
  enforce_user_param: t.Optional(t.Boolean()),
  /** Each spend log keeps the request's messages and the answer. */
  store_prompts_in_spend_logs: t.Optional(t.Boolean()),
  /** Spend tags come from keys only: a call sending metadata.tags (or tags) is refused. */
  reject_clientside_metadata_tags: t.Optional(t.Boolean()),
  max_request_size_mb: t.Optional(t.Number({ exclusiveMinimum: 0 })),
  shutdown_grace_period_s: t.Optional(t.Number({ minimum: 0 })),
  /** Which tokens count against tpm limits; LiteLLM's docs say total by default. */
  token_rate_limit_type: t.Optional(t.Union([t.Literal("total"), t.Literal("input"), t.Literal("output")])),
  /**
   * Where spend is journaled while Postgres cannot take it (replayed on reconnect and at start).
   * Default: ./tollgate-spend-journal for Postgres, none for SQLite. One directory per instance.
   */
  spend_journal_dir: t.Optional(t.String({ minLength: 1 })),
  /** Admin UI sign-in (LiteLLM's UI_USERNAME / UI_PASSWORD; defaults: "admin" / the master key). */
  ui_username: t.Optional(t.String({ minLength: 1 })),
  ui_password: t.Optional(t.String({ minLength: 1 })),
  /** Signs UI session cookies; generated and stored in the database when unset. */
  ui_session_secret: t.Optional(t.String({ minLength: 16 })),
  /** Accepted for LiteLLM files: Tollgate never returns the master key (LiteLLM's UI login may). */
  disable_master_key_return: t.Optional(t.Boolean()),
  /** Accepted for LiteLLM files: spend is committed within 20 ms of a call, whatever this says (LiteLLM: every N s). */
  proxy_batch_write_at: t.Optional(t.Number({ minimum: 0 })),
  /** "admin_only": only proxy admins and admin viewers may sign in to the admin UI ("all": anyone with a key). */
  ui_access_mode: t.Optional(t.Union([t.Literal("all"), t.Literal("admin_only"), t.Literal("none")])),
  /** The only routes any caller (the master key too) may call once authenticated; exact, or a prefix ending in *. */
  allowed_routes: t.Optional(t.Array(t.String({ minLength: 1 }))),
  /** Routes only the master key and proxy admins may call; exact, or a prefix ending in *. */
  admin_only_routes: t.Optional(t.Array(t.String({ minLength: 1 }))),
});
export type GeneralSettings = Static<typeof GeneralSettings>;

/** `[{"gpt-4o": ["gpt-4o-mini", "claude"]}]`: model group → groups to try, in order. */
export const FallbackList = t.Array(t.Record(t.String(), t.Array(t.String())));
export type FallbackList = Static<typeof FallbackList>;

// Failure-handling keys LiteLLM accepts in both litellm_settings and router_settings; router_settings wins.
const FailureSettings = {
  num_retries: t.Optional(t.Integer({ minimum: 0 })),
  fallbacks: t.Optional(FallbackList),
  context_window_fallbacks: t.Optional(FallbackList),
  content_policy_fallbacks: t.Optional(FallbackList),
  default_fallbacks: t.Optional(t.Array(t.String())),
  allowed_fails: t.Optional(t.Integer({ minimum: 0 })),
  cooldown_time: t.Optional(t.Number({ minimum: 0 })),
  max_fallbacks: t.Optional(t.Integer({ minimum: 0 })),
};

// The key settings litellm_settings may bound or default for /key/generate (src/policy/key-params.ts).
const KeyLimitParams = {
  max_budget: t.Optional(t.Number({ minimum: 0 })),
  max_parallel_requests: t.Optional(t.Integer({ minimum: 0 })),
  tpm_limit: t.Optional(t.Integer({ minimum: 0 })),
  rpm_limit: t.Optional(t.Integer({ minimum: 0 })),
  budget_duration: t.Optional(t.String()),
  duration: t.Optional(t.String()),
};
export const KeyUpperBounds = t.Object(KeyLimitParams);
export type KeyUpperBounds = Static<typeof KeyUpperBounds>;
export const KeyDefaults = t.Object({
  ...KeyLimitParams,
  models: t.Optional(t.Array(t.String())),
  metadata: t.Optional(t.Record(t.String(), t.Unknown())),
  team_id: t.Optional(t.String()),
  user_id: t.Optional(t.String()),
});
export type KeyDefaults = Static<typeof KeyDefaults>;

/** Fields a new user takes when /user/new leaves them out (LiteLLM's default_internal_user_params). */
export const InternalUserDefaultParams = t.Object({
  user_role: t.Optional(t.Union(USER_ROLES.map((r) => t.Literal(r)))),
  models: t.Optional(t.Array(t.String())),
  max_budget: t.Optional(t.Number({ minimum: 0 })),
  budget_duration: t.Optional(t.String()),
  tpm_limit: t.Optional(t.Integer({ minimum: 0 })),
  rpm_limit: t.Optional(t.Integer({ minimum: 0 })),
  max_parallel_requests: t.Optional(t.Integer({ minimum: 0 })),
  teams: t.Optional(t.Array(t.String())),
  /** Teams a user may join on their own: /team/available lists them, /team/member_add lets a user add themselves. */
  available_teams: t.Optional(t.Array(t.String())),
});
export type InternalUserDefaultParams = Static<typeof InternalUserDefaultParams>;

/** Who may create which keys, beyond the roles (LiteLLM's key_generation_settings). */
export const KeyGenerationSettings = t.Object({
  team_key_generation: t.Optional(t.Object({ allowed_team_member_roles: t.Optional(t.Array(t.String())), required_params: t.Optional(t.Array(t.String())) })),
  personal_key_generation: t.Optional(t.Object({ allowed_user_roles: t.Optional(t.Array(t.String())), required_params: t.Optional(t.Array(t.String())) })),
});
export type KeyGenerationSettings = Static<typeof KeyGenerationSettings>;

/** LiteLLM's logging callbacks: only "prometheus" does something here (GET /metrics); others are warned about. */
export const CALLBACK_LISTS = ["callbacks", "success_callback", "failure_callback"] as const;
export const SUPPORTED_CALLBACKS = ["prometheus"];

export const LitellmSettings = t.Object({
  drop_params: t.Optional(t.Boolean()),
  callbacks: t.Optional(t.Array(t.Unknown())),
  success_callback: t.Optional(t.Array(t.Unknown())),
  failure_callback: t.Optional(t.Array(t.Unknown())),
  /** The zone budget resets align to (midnight, Monday, the 1st): an IANA name; UTC by default. */
  timezone: t.Optional(t.String({ minLength: 1 })),
  /** GET /metrics takes a key (any valid one) instead of being public. */
  require_auth_for_metrics_endpoint: t.Optional(t.Boolean()),
  /** Record every change of a key, user, team or model in the audit log (GET /audit). */
  store_audit_logs: t.Optional(t.Boolean()),
  request_timeout: t.Optional(t.Number({ exclusiveMinimum: 0 })),
  default_key_generate_params: t.Optional(KeyDefaults),
  upperbound_key_generate_params: t.Optional(KeyUpperBounds),
  key_generation_settings: t.Optional(KeyGenerationSettings),
  /** The max_budget (USD) of an internal user created without one, and its budget_duration. */
  max_internal_user_budget: t.Optional(t.Number({ minimum: 0 })),
  default_internal_user_params: t.Optional(InternalUserDefaultParams),
  /** key_alias must be 2-255 characters of [A-Za-z0-9_-/.@], alphanumeric at both ends. */
  enable_key_alias_format_validation: t.Optional(t.Boolean()),
  internal_user_budget_duration: t.Optional(t.String()),
  /** The proxy-wide budget (USD) every LLM call counts against, reset every budget_duration. */
  max_budget: t.Optional(t.Number({ minimum: 0 })),
  budget_duration: t.Optional(t.String()),
  /** The max_budget (USD) of every end user (customer) that has none of its own. */
  max_end_user_budget: t.Optional(t.Number({ minimum: 0 })),
  /** The same from a budget tier (/budget/new), read as it is now; wins over max_end_user_budget. */
  max_end_user_budget_id: t.Optional(t.String({ minLength: 1 })),
  ...FailureSettings,
});

export const RoutingStrategy = t.Union([
  t.Literal("simple-shuffle"),
  t.Literal("least-busy"),
  t.Literal("latency-based-routing"),
  t.Literal("usage-based-routing"),
  t.Literal("usage-based-routing-v2"),
]);
export type RoutingStrategy = Static<typeof RoutingStrategy>;

export const RouterSettings = t.Object({
  routing_strategy: t.Optional(RoutingStrategy),
  /** The max_parallel_requests of a deployment that sets none (nor rpm / tpm). */
  default_max_parallel_requests: t.Optional(t.Integer({ minimum: 0 })),
  timeout: t.Optional(t.Number({ exclusiveMinimum: 0 })),
  /** `{"gpt-4": "gpt-4o"}` or `{"gpt-4": {model: "gpt-4o", hidden: true}}`. */
  model_group_alias: t.Optional(
    t.Record(t.String(), t.Union([t.String(), t.Object({ model: t.String(), hidden: t.Optional(t.Boolean()) })])),
  ),
  ...FailureSettings,
});

export const ConfigFile = t.Object({
  // A section left empty in YAML (`general_settings:`) is null; the loader drops it before checking.
  model_list: t.Optional(t.Array(ModelEntry)),
  general_settings: t.Optional(GeneralSettings),
  litellm_settings: t.Optional(LitellmSettings),
  router_settings: t.Optional(RouterSettings),
  environment_variables: t.Optional(t.Record(t.String(), t.Union([t.String(), t.Number(), t.Boolean(), t.Null()]))),
});
export type ConfigFile = Static<typeof ConfigFile>;

/** The effective, frozen configuration every module receives. */
export interface Config {
  readonly modelList: readonly ModelEntry[];
  readonly general: Readonly<GeneralSettings>;
  readonly litellm: Readonly<Static<typeof LitellmSettings>>;
  readonly router: Readonly<Static<typeof RouterSettings>>;
  /** Where the file was read from, or null when Tollgate started without one. */
  readonly source: string | null;
}
