// general_settings.allow_requests_on_db_unavailable (LiteLLM's, for a gateway inside a private
// network): while the database cannot be reached, a key that is not in memory cannot be checked.
// Without the setting that call is a 503; with it, the call is served under a fallback identity,
// as LiteLLM does: an internal user, never an admin, on the LLM routes only, with every model, no
// budget or limit of its own, and its spend journaled under the fallback's token until the
// database is back. Keys in memory keep their own identity, limits and budgets throughout.
import type { KeyRow } from "../db/store/keys.ts";
import type { Principal } from "./principal.ts";

/** The token (and user id) the fallback's calls are logged under. */
export const DB_UNAVAILABLE_FALLBACK_ID = "litellm-db-unavailable-fallback";

const epoch = new Date(0);

const FALLBACK_KEY: KeyRow = {
  token: DB_UNAVAILABLE_FALLBACK_ID,
  keyName: "db-unavailable-fallback",
  keyAlias: null,
  userId: null,
  teamId: null,
  models: [],
  aliases: {},
  config: {},
  permissions: {},
  metadata: {},
  maxBudgetNano: null,
  softBudgetNano: null,
  budgetDuration: null,
  budgetResetAt: null,
  tpmLimit: null,
  rpmLimit: null,
  maxParallelRequests: null,
  modelRpmLimit: null,
  modelTpmLimit: null,
  // The route-access check holds it to the LLM routes.
  allowedRoutes: ["llm_api_routes"],
  blocked: false,
  expiresAt: null,
  spendNano: 0,
  createdBy: null,
  updatedBy: null,
  createdAt: epoch,
  updatedAt: epoch,
};

export const DB_UNAVAILABLE_FALLBACK: Principal = Object.freeze({
  kind: "key",
  token: DB_UNAVAILABLE_FALLBACK_ID,
  key: FALLBACK_KEY,
  user: undefined,
  team: undefined,
  role: "internal_user",
});
