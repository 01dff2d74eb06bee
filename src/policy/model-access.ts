// Which model names a caller may use (contract §4.5). Pure: lists in, decision out.

const ALL = new Set(["*", "all-proxy-models"]);

/** Glob match where `*` spans any characters, e.g. `openai/*` or `bedrock/anthropic.*`. */
export function matchesPattern(pattern: string, model: string): boolean {
  if (!pattern.includes("*")) return pattern === model;
  const re = new RegExp(`^${pattern.split("*").map(escapeRegExp).join(".*")}$`);
  return re.test(model);
}

const escapeRegExp = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

/** An allow-list permits a model when it is empty, holds a sentinel for "all", or matches it. */
export function listAllows(allowed: readonly string[], model: string): boolean {
  if (allowed.length === 0) return true;
  return allowed.some((entry) => ALL.has(entry) || matchesPattern(entry, model));
}
