// model_list → model groups. Entries sharing a model_name form one group (load-balanced
// deployments). A model_name with `*` is a wildcard group: `anthropic/*` serves any
// `anthropic/<x>`, `*` serves every name, and the `*` in litellm_params.model takes the matched text.
import type { ModelEntry } from "../config/schema.ts";
import type { Deployment } from "../providers/types.ts";

export interface Candidate {
  readonly deployment: Deployment;
  /** litellm_params.model after wildcard expansion, still with its provider prefix. */
  readonly litellmModel: string;
}

export interface ResolvedGroup {
  /** The name the caller used (LiteLLM's "model group"). */
  readonly name: string;
  readonly candidates: readonly Candidate[];
  readonly wildcard: boolean;
}

interface WildcardGroup {
  pattern: string;
  regex: RegExp;
  /** Literal characters before the first `*`: longer = more specific, tried first. */
  specificity: number;
  deployments: Deployment[];
}

export class ModelGroups {
  private readonly exact = new Map<string, Deployment[]>();
  private readonly resolvedExact = new Map<string, ResolvedGroup>();
  private readonly wildcards: WildcardGroup[] = [];
  readonly deployments: readonly Deployment[];

  constructor(entries: readonly ModelEntry[]) {
    this.deployments = entries.map(toDeployment);
    const byWildcard = new Map<string, Deployment[]>();
    for (const d of this.deployments) {
      const target = d.modelName.includes("*") ? byWildcard : this.exact;
      const list = target.get(d.modelName) ?? [];
      list.push(d);
      target.set(d.modelName, list);
    }
    for (const [pattern, deployments] of byWildcard) {
      const regex = new RegExp(`^${pattern.split("*").map(escapeRegExp).join("(.*)")}$`);
      this.wildcards.push({ pattern, regex, specificity: pattern.indexOf("*"), deployments });
    }
    this.wildcards.sort((a, b) => b.specificity - a.specificity);
  }

  /** Public names of the exact (non-wildcard) groups, in config order. */
  names(): string[] {
    return [...this.exact.keys()];
  }

  /** Wildcard patterns (`openai/*`, `*`), most specific first. */
  patterns(): string[] {
    return this.wildcards.map((w) => w.pattern);
  }

  resolve(model: string): ResolvedGroup | undefined {
    const exact = this.exact.get(model);
    if (exact) {
      // Made once per name: the groups never change (a reload builds new ModelGroups).
      let group = this.resolvedExact.get(model);
      if (!group) {
        group = { name: model, wildcard: false, candidates: exact.map((d) => ({ deployment: d, litellmModel: d.params.model })) };
        this.resolvedExact.set(model, group);
      }
      return group;
    }
    for (const w of this.wildcards) {
      const m = w.regex.exec(model);
      if (!m) continue;
      const captured = m.slice(1);
      return {
        name: model,
        wildcard: true,
        candidates: w.deployments.map((d) => ({ deployment: d, litellmModel: expand(d.params.model, captured) })),
      };
    }
    return undefined;
  }
}

/** Each `*` of the target takes the next captured piece; with a single capture all take it. */
function expand(target: string, captured: string[]): string {
  if (!target.includes("*")) return target;
  let i = 0;
  return target.replace(/\*/g, () => captured[Math.min(i++, captured.length - 1)] ?? "");
}

function toDeployment(entry: ModelEntry): Deployment {
  const info = { ...entry.model_info };
  // LiteLLM derives an id from the entry when the config gives none; stable across restarts.
  const id = info.id ?? (Bun.SHA256.hash(JSON.stringify([entry.model_name, entry.litellm_params]), "hex") as string);
  return { id, modelName: entry.model_name, params: entry.litellm_params, info };
}

const escapeRegExp = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&");

const accessGroupsByGroup = new WeakMap<ResolvedGroup, readonly string[]>();

/** The access groups (model_info.access_groups) of a group's deployments, each once. */
export function accessGroupsOf(group: ResolvedGroup): readonly string[] {
  let groups = accessGroupsByGroup.get(group);
  if (!groups) {
    groups = [...new Set(group.candidates.flatMap((c) => c.deployment.info.access_groups ?? []))];
    accessGroupsByGroup.set(group, groups);
  }
  return groups;
}
