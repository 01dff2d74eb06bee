// Which model groups to fall back to after a group failed (pure). Client-side `fallbacks` in the
// body replace the configured lists; context-window and content-policy failures use their own
// lists and fall back to the generic ones only when those are absent; `*` is the default for every group.
import type { FallbackList } from "../config/schema.ts";
import type { FailureKind } from "./failure-kind.ts";

export interface FallbackSettings {
  fallbacks: FallbackList;
  contextWindow: FallbackList;
  contentPolicy: FallbackList;
  defaults: readonly string[];
}

export function fallbackGroups(settings: FallbackSettings, group: string, kind: FailureKind, clientSide: readonly string[] | undefined): string[] {
  if (kind === "client_gone" || kind === "bad_request") return [];
  if (clientSide !== undefined) return [...clientSide];
  const generic = lookup(settings.fallbacks, group) ?? [...settings.defaults];
  if (kind === "context_window") return lookup(settings.contextWindow, group) ?? generic;
  if (kind === "content_policy") return lookup(settings.contentPolicy, group) ?? generic;
  return generic;
}

function lookup(list: FallbackList, group: string): string[] | undefined {
  const exact = list.find((entry) => entry[group] !== undefined)?.[group];
  if (exact) return [...exact];
  const star = list.find((entry) => entry["*"] !== undefined)?.["*"];
  return star ? [...star] : undefined;
}
