// RFC 7396 JSON Merge Patch, for PATCH /management/v1/keys/{key_id}'s metadata: a member set to
// null is removed, an object is merged into the object it meets (recursively), anything else
// replaces what was there. Nesting is capped, as LiteLLM's (64 levels).
import { GatewayError } from "../../errors.ts";

export const MAX_PATCH_DEPTH = 64;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function mergePatch(target: unknown, patch: unknown, field: string, depth = 0): unknown {
  if (depth > MAX_PATCH_DEPTH) throw GatewayError.badRequest(`${field} is nested deeper than ${MAX_PATCH_DEPTH} levels`, field);
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v, field, depth + 1);
  }
  return out;
}
