// Which rate limits apply to a request, and how a decision reads to the client: pure functions.
// Dimensions, messages and headers follow LiteLLM's parallel_request_limiter_v3 (contract §3.2, §3.3, §4.4).

export type Descriptor =
  | "api_key"
  | "user"
  | "team"
  | "team_member"
  | "end_user"
  | "model_per_key"
  | "model_per_team";

export type LimitKind = "requests" | "tokens" | "max_parallel_requests";

export type TokenRateLimitType = "total" | "input" | "output";

export interface Limit {
  readonly descriptor: Descriptor;
  /** The descriptor's value as LiteLLM names it: the key hash, a user id, `<team>:<user>`, ... */
  readonly value: string;
  readonly kind: LimitKind;
  readonly limit: number;
  /** Identifies the counter; one per descriptor, value, kind (and model for per-model limits). */
  readonly bucketKey: string;
  /** Set for per-model limits: the model whose header carries this limit. */
  readonly model?: string;
}

interface RpmTpm {
  readonly rpmLimit: number | null;
  readonly tpmLimit: number | null;
}
interface PerModel {
  readonly modelRpmLimit: Record<string, number> | null;
  readonly modelTpmLimit: Record<string, number> | null;
}

/** The rows behind a request; a missing row contributes no limits. */
export interface RateLimitSubject {
  readonly key?: RpmTpm & PerModel & { readonly token: string; readonly maxParallelRequests: number | null };
  readonly user?: RpmTpm & { readonly userId: string };
  readonly team?: RpmTpm & PerModel & { readonly teamId: string };
  readonly teamMember?: RpmTpm & { readonly teamId: string; readonly userId: string };
  readonly endUser?: RpmTpm & { readonly userId: string };
}

const isSet = (n: number | null | undefined): n is number => typeof n === "number" && Number.isFinite(n);

function rpmTpm(out: Limit[], descriptor: Descriptor, value: string, row: RpmTpm, model?: string) {
  if (!isSet(row.rpmLimit) && !isSet(row.tpmLimit)) return;
  const scope = model === undefined ? `${descriptor}:${value}` : `${descriptor}:${value}:${model}`;
  const extra = model === undefined ? {} : { model };
  if (isSet(row.rpmLimit)) out.push({ descriptor, value, kind: "requests", limit: row.rpmLimit, bucketKey: `${scope}:requests`, ...extra });
  if (isSet(row.tpmLimit)) out.push({ descriptor, value, kind: "tokens", limit: row.tpmLimit, bucketKey: `${scope}:tokens`, ...extra });
}

const perModel = (row: PerModel, model: string): RpmTpm => ({
  rpmLimit: row.modelRpmLimit?.[model] ?? null,
  tpmLimit: row.modelTpmLimit?.[model] ?? null,
});

/** Every limit that applies to a call of `model` by `subject`. Per-model key limits override the team's. */
export function applicableLimits(subject: RateLimitSubject, model: string): Limit[] {
  const out: Limit[] = [];
  const { key, user, team, teamMember, endUser } = subject;
  if (key) {
    rpmTpm(out, "api_key", key.token, key);
    if (isSet(key.maxParallelRequests)) {
      out.push({
        descriptor: "api_key",
        value: key.token,
        kind: "max_parallel_requests",
        limit: key.maxParallelRequests,
        bucketKey: `api_key:${key.token}:max_parallel_requests`,
      });
    }
  }
  if (user) rpmTpm(out, "user", user.userId, user);
  if (team) rpmTpm(out, "team", team.teamId, team);
  if (teamMember) rpmTpm(out, "team_member", `${teamMember.teamId}:${teamMember.userId}`, teamMember);
  if (endUser) rpmTpm(out, "end_user", endUser.userId, endUser);
  const keyModel = key ? perModel(key, model) : { rpmLimit: null, tpmLimit: null };
  if (key) rpmTpm(out, "model_per_key", key.token, keyModel, model);
  if (team) {
    const teamModel = perModel(team, model);
    rpmTpm(out, "model_per_team", team.teamId, {
      rpmLimit: isSet(keyModel.rpmLimit) ? null : teamModel.rpmLimit,
      tpmLimit: isSet(keyModel.tpmLimit) ? null : teamModel.tpmLimit,
    }, model);
  }
  return out;
}

export interface Usage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/** The tokens a call counts against tpm limits (general_settings.token_rate_limit_type, default total). */
export function countedTokens(usage: Usage, type: TokenRateLimitType = "total"): number {
  if (type === "input") return usage.promptTokens;
  if (type === "output") return usage.completionTokens;
  return usage.promptTokens + usage.completionTokens;
}

// Four characters per token is the usual rough ratio for English text; the estimate only has to be
// in the right range because every admitted call is settled with its real usage afterwards.
const CHARS_PER_TOKEN = 4;

/** Pre-call estimate: prompt size plus max_tokens, counted the same way as actual usage. */
export function estimateTokens(promptChars: number, maxTokens: number | undefined, type: TokenRateLimitType = "total"): number {
  return countedTokens({ promptTokens: Math.ceil(promptChars / CHARS_PER_TOKEN), completionTokens: maxTokens ?? 0 }, type);
}

/** `YYYY-MM-DD HH:MM:SS UTC`, LiteLLM's reset_at format. */
export function formatResetAt(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

// LiteLLM answers a refused call with its window size; we know better for buckets, but a limit of
// zero or an in-flight cap has no refill time, so the window is the honest hint there.
export const DEFAULT_RETRY_AFTER_S = 60;

export function retryAfterSeconds(limit: Limit, retryAfterMs: number): number {
  if (limit.kind === "max_parallel_requests") return limit.limit <= 0 ? DEFAULT_RETRY_AFTER_S : 1;
  if (!Number.isFinite(retryAfterMs)) return DEFAULT_RETRY_AFTER_S;
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

export function refusalMessage(limit: Limit, resetAtMs: number): string {
  return (
    `Rate limit exceeded for ${limit.descriptor}: ${limit.value}. Limit type: ${limit.kind}. ` +
    `Current limit: ${limit.limit}, Remaining: 0. Limit resets at: ${formatResetAt(resetAtMs)}`
  );
}

export interface LimitReading {
  readonly limit: Limit;
  readonly remaining: number;
}

// The header names of each descriptor and kind, made once rather than concatenated on every call.
const every = <T extends string>(members: Record<T, true>) => Object.keys(members) as T[];
const DESCRIPTORS = every<Descriptor>({ api_key: true, user: true, team: true, team_member: true, end_user: true, model_per_key: true, model_per_team: true });
const KINDS = every<LimitKind>({ requests: true, tokens: true, max_parallel_requests: true });
const HEADER_NAMES = Object.fromEntries(
  DESCRIPTORS.map((d) => [d, Object.fromEntries(KINDS.map((k) => [k, { remaining: `x-ratelimit-${d}-remaining-${k}`, limit: `x-ratelimit-${d}-limit-${k}` }]))]),
) as Record<Descriptor, Record<LimitKind, { remaining: string; limit: string }>>;

const OPENAI_HEADER_NAMES = Object.fromEntries(KINDS.map((k) => [k, { remaining: `x-ratelimit-remaining-${k}`, limit: `x-ratelimit-limit-${k}` }])) as Record<
  LimitKind,
  { remaining: string; limit: string }
>;

/** x-ratelimit-* headers for the limits a call was checked against (contract §3.3). */
export function rateLimitHeaders(readings: readonly LimitReading[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { limit, remaining } of readings) {
    if (limit.kind === "max_parallel_requests") continue;
    const left = String(Math.max(0, Math.floor(remaining)));
    if (limit.model !== undefined) {
      if (limit.descriptor === "model_per_key") headers[`x-litellm-key-remaining-${limit.kind}-${limit.model}`] = left;
      continue;
    }
    const names = HEADER_NAMES[limit.descriptor][limit.kind];
    const max = String(limit.limit);
    headers[names.remaining] = left;
    headers[names.limit] = max;
    // The OpenAI-compatible names carry the key's own limits when it has them.
    if (limit.descriptor === "api_key") {
      const openai = OPENAI_HEADER_NAMES[limit.kind];
      headers[openai.remaining] = left;
      headers[openai.limit] = max;
    }
  }
  return headers;
}

export function refusalHeaders(limit: Limit, resetAtMs: number, readings: readonly LimitReading[]): Record<string, string> {
  return {
    ...rateLimitHeaders(readings),
    rate_limit_type: limit.kind,
    reset_at: formatResetAt(resetAtMs),
  };
}
