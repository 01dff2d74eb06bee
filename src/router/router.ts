// Model name → group → one deployment → everything an adapter needs to call it. Retries,
// fallbacks and cooldowns (a later issue) wrap `pick` + the call; this module stays the lookup.
import type { Config } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import { adapterFor, splitModel } from "../providers/registry.ts";
import type { ProviderAdapter, Target } from "../providers/types.ts";
import { type Candidate, ModelGroups, type ResolvedGroup } from "./model-groups.ts";
import { type PickStrategy, weightedRandom } from "./pick.ts";

export interface Routed {
  target: Target;
  adapter: ProviderAdapter;
}

export class Router {
  readonly groups: ModelGroups;

  constructor(
    config: Config,
    private readonly strategy: PickStrategy = weightedRandom(),
  ) {
    this.groups = new ModelGroups(config.modelList);
  }

  resolve(model: string): ResolvedGroup | undefined {
    return this.groups.resolve(model);
  }

  pick(group: ResolvedGroup): Routed {
    return toRouted(group.name, this.strategy(group.candidates));
  }
}

export function toRouted(modelGroup: string, candidate: Candidate): Routed {
  const { provider, name } = splitModel(candidate.litellmModel);
  const adapter = adapterFor(provider);
  if (!adapter) throw GatewayError.badRequest(`Unsupported provider '${provider}' for model group ${modelGroup}.`);
  const params = candidate.deployment.params;
  const apiBase = params.api_base ?? adapter.defaultApiBase;
  if (!apiBase) {
    throw new GatewayError({
      status: 500,
      type: "api_error",
      message: `Deployment ${candidate.deployment.id} of model group ${modelGroup} needs litellm_params.api_base for provider ${provider}.`,
    });
  }
  return {
    adapter,
    target: {
      deployment: candidate.deployment,
      modelGroup,
      provider,
      upstreamModel: name,
      apiBase,
      apiKey: params.api_key ?? undefined,
    },
  };
}

// One router per config, shared by every route plugin, so a stateful strategy sees all traffic.
const routers = new WeakMap<Config, Router>();

export function routerFor(config: Config): Router {
  let router = routers.get(config);
  if (!router) {
    router = new Router(config);
    routers.set(config, router);
  }
  return router;
}
