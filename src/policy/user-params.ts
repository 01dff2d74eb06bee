// LiteLLM's litellm_settings for users created with /user/new: default_internal_user_params fills
// the fields the request left out (null, or an empty models list); then a user whose role is
// internal_user and has no max_budget (or budget_duration) gets max_internal_user_budget (and
// internal_user_budget_duration). Their auto-created key inherits them as it inherits any
// max_budget. Pure.
import type { InternalUserDefaultParams } from "../config/schema.ts";

export interface InternalUserDefaults {
  default_internal_user_params?: InternalUserDefaultParams;
  max_internal_user_budget?: number;
  internal_user_budget_duration?: string;
}

export function withInternalUserDefaults<T extends { user_role?: string | null; max_budget?: number | null; budget_duration?: string | null }>(
  body: T,
  settings: InternalUserDefaults,
): T {
  const out: T = { ...body };
  for (const [field, value] of Object.entries(settings.default_internal_user_params ?? {})) {
    if (field === "available_teams" || value === undefined) continue;
    const current = (out as Record<string, unknown>)[field];
    if (current === undefined || current === null || (Array.isArray(current) && current.length === 0)) (out as Record<string, unknown>)[field] = structuredClone(value);
  }
  if (out.user_role !== "internal_user") return out;
  if (settings.max_internal_user_budget !== undefined && (out.max_budget === undefined || out.max_budget === null)) {
    out.max_budget = settings.max_internal_user_budget;
  }
  if (settings.internal_user_budget_duration !== undefined && (out.budget_duration === undefined || out.budget_duration === null)) {
    out.budget_duration = settings.internal_user_budget_duration;
  }
  return out;
}
