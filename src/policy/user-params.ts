// LiteLLM's litellm_settings.max_internal_user_budget and internal_user_budget_duration: a user
// created with role internal_user and no max_budget (or budget_duration) gets these. Their
// auto-created key inherits them as it inherits any max_budget. Pure.
export interface InternalUserDefaults {
  max_internal_user_budget?: number;
  internal_user_budget_duration?: string;
}

export function withInternalUserDefaults<T extends { user_role?: string | null; max_budget?: number | null; budget_duration?: string | null }>(
  body: T,
  settings: InternalUserDefaults,
): T {
  if (body.user_role !== "internal_user") return body;
  const out = { ...body };
  if (settings.max_internal_user_budget !== undefined && (out.max_budget === undefined || out.max_budget === null)) {
    out.max_budget = settings.max_internal_user_budget;
  }
  if (settings.internal_user_budget_duration !== undefined && (out.budget_duration === undefined || out.budget_duration === null)) {
    out.budget_duration = settings.internal_user_budget_duration;
  }
  return out;
}
