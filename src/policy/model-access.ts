// Which model names a caller may use (contract §4.5). Pure: lists in, decision out. The key's
// list is one input; team and user lists are further inputs of the same kind, and a request must
// pass every one of them (key ∩ team).

const ALL = new Set(["*", "all-proxy-models"]);

/** Glob match where `*` spans any characters, e.g. `openai/*` or `bedrock/anthropic.*`. */
export function matchesPattern(pattern: string, model: string): boolean {
  if (!pattern.includes("*")) return pattern === model;
  return globRegExp(pattern).test(model);
}

// Patterns come from config, keys and route tables: a bounded set, compiled once each. Route
// checks run this on every request.
const compiled = new Map<string, RegExp>();
function globRegExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

const escapeRegExp = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

/** An allow-list permits a model when it is empty, holds a sentinel for "all", or matches it. */
export function listAllows(allowed: readonly string[], model: string, accessGroups: readonly string[] = []): boolean {
  if (allowed.length === 0) return true;
  return allowed.some((entry) => ALL.has(entry) || matchesPattern(entry, model) || accessGroups.includes(entry));
}

export type AccessOwner = "key" | "team" | "user";

export interface AccessList {
  readonly owner: AccessOwner;
  readonly models: readonly string[];
}

/** A name the request may be granted under: the requested one and, for an alias, its target. */
export interface RequestedModel {
  readonly name: string;
  /** model_info.access_groups of the deployments serving the name. */
  readonly accessGroups: readonly string[];
}

export type ModelAccess =
  | { ok: true }
  | { ok: false; owner: AccessOwner; allowed: readonly string[]; type: `${AccessOwner}_model_access_denied`; message: string };

/** Every list must allow the model; an alias passes a list when either the alias or its target does. */
export function decideModelAccess(lists: readonly AccessList[], requested: readonly RequestedModel[]): ModelAccess {
  const tried = requested[0]?.name ?? "";
  for (const list of lists) {
    const allowed = requested.some((r) => listAllows(list.models, r.name, r.accessGroups));
    if (!allowed) {
      return {
        ok: false,
        owner: list.owner,
        allowed: list.models,
        type: `${list.owner}_model_access_denied`,
        message: `${list.owner} not allowed to access model. This ${list.owner} can only access models=${JSON.stringify(list.models)}. Tried to access ${tried}`,
      };
    }
  }
  return { ok: true };
}

/** The lists a caller's key must pass (contract §4.5), from plain facts about the key. */
export function accessListsOf(facts: {
  keyModels: readonly string[];
  teamModels: readonly string[] | undefined;
  userModels: readonly string[] | undefined;
}): AccessList[] {
  const { keyModels, teamModels, userModels } = facts;
  if (teamModels !== undefined) {
    // A team key passes the key's list and the team's; "all-team-models" defers to the team.
    const key = keyModels.includes("all-team-models") ? [] : keyModels;
    return [{ owner: "key", models: key }, { owner: "team", models: teamModels }];
  }
  // A personal key with no list of its own inherits its user's list.
  if (keyModels.length === 0 && userModels !== undefined) return [{ owner: "user", models: userModels }];
  return [{ owner: "key", models: keyModels }];
}
