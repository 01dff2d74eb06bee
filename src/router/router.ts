// Model name → group → one deployment → everything an adapter needs to call it. The router owns
// the deployments (config model_list + runtime models from the database), what traffic taught us
// about each (deployment-stats.ts), and the pick: eligibility, then the configured strategy.
// Retries and fallbacks live in src/proxy/llm-call.ts, which calls `pick` once per attempt.
import type { Config, ModelEntry } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import { adapterFor, splitModel } from "../providers/registry.ts";
import type { ProviderAdapter, Target } from "../providers/types.ts";
import { type CooldownPolicy, DEFAULT_ALLOWED_FAILS, DEFAULT_COOLDOWN_S, decideCooldown } from "./cooldown.ts";
import { type DeploymentStats, freshStats, recordFailure } from "./deployment-stats.ts";
import { ParallelSlots } from "./parallel-slots.ts";
import { eligibleCandidates } from "./eligibility.ts";
import { countsAgainstDeployment, failureKind } from "./failure-kind.ts";
import { type FallbackSettings } from "./fallbacks.ts";
import { type Candidate, ModelGroups, type ResolvedGroup } from "./model-groups.ts";
import { type Strategy, strategyFor } from "./strategies.ts";

export interface Routed {
  target: Target;
  adapter: ProviderAdapter;
}

export interface GroupAlias {
  readonly target: string;
  readonly hidden: boolean;
}

export class Router {
  private groups: ModelGroups;
  private runtimeIds = new Set<string>();
  private readonly stats = new Map<string, DeploymentStats>();
  private readonly strategy: Strategy;
  readonly aliases: ReadonlyMap<string, GroupAlias>;
  readonly cooldown: CooldownPolicy;
  readonly numRetries: number;
  readonly maxFallbacks: number;
  readonly fallbackSettings: FallbackSettings;
  /** Each deployment's max_parallel_requests slots on this instance. */
  readonly slots = new ParallelSlots();
  /** router_settings.default_max_parallel_requests. */
  readonly defaultMaxParallel: number | undefined;
  /** Resolves once runtime models were loaded from the database the first time. */
  ready: Promise<void> = Promise.resolve();

  constructor(
    private readonly config: Config,
    private readonly random: () => number = Math.random,
  ) {
    this.groups = new ModelGroups(config.modelList);
    const r = config.router;
    const l = config.litellm;
    this.strategy = strategyFor(r.routing_strategy);
    this.aliases = new Map(
      Object.entries(r.model_group_alias ?? {}).map(([name, v]) => [
        name,
        typeof v === "string" ? { target: v, hidden: false } : { target: v.model, hidden: v.hidden === true },
      ]),
    );
    this.cooldown = {
      allowedFails: r.allowed_fails ?? l.allowed_fails ?? DEFAULT_ALLOWED_FAILS,
      cooldownS: r.cooldown_time ?? l.cooldown_time ?? DEFAULT_COOLDOWN_S,
    };
    this.defaultMaxParallel = r.default_max_parallel_requests;
    this.numRetries = r.num_retries ?? l.num_retries ?? 0;
    this.maxFallbacks = r.max_fallbacks ?? l.max_fallbacks ?? 5;
    this.fallbackSettings = {
      fallbacks: r.fallbacks ?? l.fallbacks ?? [],
      contextWindow: r.context_window_fallbacks ?? l.context_window_fallbacks ?? [],
      contentPolicy: r.content_policy_fallbacks ?? l.content_policy_fallbacks ?? [],
      defaults: r.default_fallbacks ?? l.default_fallbacks ?? [],
    };
  }

  /** Config deployments first, then runtime ones; a runtime id equal to a config id is skipped. */
  setRuntimeModels(entries: readonly ModelEntry[]): void {
    const configIds = new Set(new ModelGroups(this.config.modelList).deployments.map((d) => d.id));
    const runtime = entries.filter((e) => e.model_info?.id !== undefined && !configIds.has(e.model_info.id));
    this.groups = new ModelGroups([...this.config.modelList, ...runtime]);
    this.runtimeIds = new Set(runtime.map((e) => e.model_info!.id!));
    for (const id of this.stats.keys()) if (!this.groups.deployments.some((d) => d.id === id)) this.stats.delete(id);
  }

  get deployments() {
    return this.groups.deployments;
  }

  isRuntime(deploymentId: string): boolean {
    return this.runtimeIds.has(deploymentId);
  }

  /** Exact group names, with visible router aliases. */
  names(): string[] {
    return this.groups.names();
  }

  /** router_settings.model_group_alias is followed once; the group keeps the name the caller used. */
  resolve(model: string): ResolvedGroup | undefined {
    const alias = this.aliases.get(model);
    const group = this.groups.resolve(alias?.target ?? model);
    return group && alias ? { ...group, name: model } : group;
  }

  /** The group a router alias points at, for access checks on the target name. */
  aliasTarget(model: string): string | undefined {
    return this.aliases.get(model)?.target;
  }

  private readonly statsIfAny = (deploymentId: string): DeploymentStats | undefined => this.stats.get(deploymentId);

  statsOf(deploymentId: string): DeploymentStats {
    let s = this.stats.get(deploymentId);
    if (!s) {
      s = freshStats();
      this.stats.set(deploymentId, s);
    }
    return s;
  }

  /** One deployment for the next attempt, or a 429 when every deployment is cooling down or at capacity. */
  pick(group: ResolvedGroup, options: { nowMs: number; stream: boolean; tried?: ReadonlySet<string> }): Candidate {
    const eligible = eligibleCandidates(group.candidates, this.statsIfAny, options.nowMs, options.tried);
    if (!eligible.ok) {
      throw new GatewayError({
        status: 429,
        type: "rate_limit_error",
        message:
          eligible.reason === "cooldown"
            ? `No deployments available for selected model, all deployments are cooling down. Try again in ${Math.ceil(eligible.retryAfterS)} seconds. Received Model Group=${group.name}`
            : `No deployments available for selected model, every deployment is at its rpm/tpm limit. Received Model Group=${group.name}`,
        retryAfterS: eligible.retryAfterS,
      });
    }
    if (eligible.candidates.length === 1) return eligible.candidates[0]!;
    return this.strategy(eligible.candidates, {
      statsOf: (id) => this.stats.get(id),
      random: this.random,
      stream: options.stream,
      nowMs: options.nowMs,
    });
  }

  /** Whether an eligible deployment this call has not tried yet remains (then a retry needs no wait). */
  hasUntried(group: ResolvedGroup, tried: ReadonlySet<string>, nowMs: number): boolean {
    const eligible = eligibleCandidates(group.candidates, (id) => this.stats.get(id), nowMs, tried);
    return eligible.ok && eligible.candidates.some((c) => !tried.has(c.deployment.id));
  }

  /** Ends a failed attempt: records it and takes the deployment out of rotation when the policy says so. */
  failed(group: ResolvedGroup, deploymentId: string, err: GatewayError, nowMs: number): void {
    const s = this.statsOf(deploymentId);
    const counts = countsAgainstDeployment(failureKind(err.status, err.message));
    recordFailure(s, { nowMs, status: err.status, message: err.message, counts });
    if (!counts) return;
    const decision = decideCooldown({
      policy: this.cooldown,
      groupSize: group.candidates.length,
      status: err.status,
      retryAfterS: err.retryAfterS,
      failuresThisMinute: s.failuresThisMinute,
      nowMs,
    });
    if (decision.cool) {
      s.cooldownUntilMs = decision.untilMs;
      s.cooldownReason = decision.reason;
    }
  }
}

// The last Routed made for each candidate (the cached groups' candidates live as long as their config).
const routedByCandidate = new WeakMap<Candidate, Routed>();

/** The deployment's adapter and target, for a call to model group modelGroup. */
export function toRouted(modelGroup: string, candidate: Candidate): Routed {
  const kept = routedByCandidate.get(candidate);
  if (kept && kept.target.modelGroup === modelGroup) return kept;
  const routed = makeRouted(modelGroup, candidate);
  routedByCandidate.set(candidate, routed);
  return routed;
}

function makeRouted(modelGroup: string, candidate: Candidate): Routed {
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

// One router per config, shared by every route plugin, so strategies and cooldowns see all traffic.
const routers = new WeakMap<Config, Router>();

export function routerFor(config: Config): Router {
  let router = routers.get(config);
  if (!router) {
    router = new Router(config);
    routers.set(config, router);
  }
  return router;
}
