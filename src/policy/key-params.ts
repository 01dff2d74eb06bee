// LiteLLM's litellm_settings for the keys admins and users create (contract §1.4):
// default_key_generate_params fills what a /key/generate request leaves out, and
// upperbound_key_generate_params caps max_budget, max_parallel_requests, tpm_limit, rpm_limit,
// budget_duration and duration: a new key without the field gets the bound, a value over it is
// refused with LiteLLM's "<field> is over max limit set in config - user_value=X; max_value=Y".
// Pure: request bodies in wire form (USD, duration strings), the clock passed in.
import { type KeyDefaults, KeyUpperBounds } from "../config/schema.ts";
import { addDuration, parseDuration } from "./duration.ts";

type Body = Record<string, unknown>;

// Every field the upper bounds may name.
const BOUNDED = Object.keys(KeyUpperBounds.properties) as (keyof KeyUpperBounds)[];

const isEmpty = (field: string, value: unknown) =>
  value === undefined ||
  value === null ||
  (field === "models" && Array.isArray(value) && value.length === 0) ||
  (field === "metadata" && typeof value === "object" && !Array.isArray(value) && Object.keys(value as object).length === 0);

/** A new key's body with each default the request left out (null, or an empty models list or metadata). */
export function withKeyDefaults<T extends Body>(body: T, defaults: KeyDefaults | undefined): T {
  if (!defaults) return body;
  const out: Body = { ...body };
  for (const [field, value] of Object.entries(defaults)) {
    if (value !== undefined && isEmpty(field, out[field])) out[field] = structuredClone(value);
  }
  return out as T;
}

export type BoundsCheck<T> = { ok: true; body: T } | { ok: false; field: string; message: string };

/**
 * The body judged against the upper bounds. A new key (`fill`) gets the bound for each field it
 * leaves out; a change is judged only on the fields it sends, where null (no limit, never
 * expires) is over any bound.
 */
export function withinKeyBounds<T extends Body>(body: T, bounds: KeyUpperBounds | undefined, nowMs: number, fill: boolean): BoundsCheck<T> {
  if (!bounds) return { ok: true, body };
  const out: Body = { ...body };
  for (const field of BOUNDED) {
    const bound = bounds[field];
    if (bound === undefined) continue;
    const value = out[field];
    if (value === undefined || (fill && value === null)) {
      if (fill) out[field] = bound;
      continue;
    }
    if (isOver(value, bound, nowMs)) {
      return { ok: false, field, message: `${field} is over max limit set in config - user_value=${value === null ? "None" : String(value)}; max_value=${bound}` };
    }
  }
  return { ok: true, body: out as T };
}

function isOver(value: unknown, bound: number | string, nowMs: number): boolean {
  if (value === null) return true;
  if (typeof bound === "number") return typeof value === "number" && value > bound;
  if (typeof value !== "string") return false; // the request's own validation reports the type
  const asked = parseDuration(value);
  const limit = parseDuration(bound);
  if (!asked.ok || !limit.ok || limit.duration === null) return false; // a bad duration is refused where it is parsed
  if (asked.duration === null) return true; // never: longer than any bound
  return addDuration(nowMs, asked.duration) > addDuration(nowMs, limit.duration);
}

// litellm_settings.enable_key_alias_format_validation: 2-255 characters, alphanumeric at both ends.
const KEY_ALIAS_FORMAT = /^[A-Za-z0-9][A-Za-z0-9_\-/.@]{0,253}[A-Za-z0-9]$/;

/** Why a key_alias is refused under the format rule, or undefined when it passes (or is not sent). */
export function keyAliasFormatProblem(alias: unknown): string | undefined {
  if (typeof alias !== "string" || KEY_ALIAS_FORMAT.test(alias)) return undefined;
  return `Invalid key_alias format. Must be 2-255 characters, start and end with a letter or digit, and contain only letters, digits, underscores, hyphens, slashes, periods or @. Got: ${alias.slice(0, 300)}`;
}
