// Routing strategies (router_settings.routing_strategy) as pure pick functions: eligible
// candidates + what traffic taught us + a random source in, one candidate out. Eligibility
// (cooldowns, rpm/tpm capacity, already tried) is decided before a strategy runs (eligibility.ts).
import type { RoutingStrategy } from "../config/schema.ts";
import type { DeploymentStats } from "./deployment-stats.ts";
import type { Candidate } from "./model-groups.ts";

export interface PickContext {
  readonly statsOf: (deploymentId: string) => DeploymentStats | undefined;
  readonly random: () => number;
  /** Streams are routed on time to first token, other calls on total latency. */
  readonly stream: boolean;
  readonly nowMs: number;
}

export type Strategy = (candidates: readonly Candidate[], ctx: PickContext) => Candidate;

/** LiteLLM's simple-shuffle: `weight` wins, else `rpm`, else `tpm` as the relative share; equal when none is set. */
export const simpleShuffle: Strategy = (candidates, { random }) => {
  if (candidates.length === 1) return candidates[0]!;
  const weights = candidates.map(({ deployment: { params } }) => params.weight ?? params.rpm ?? params.tpm ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return candidates[Math.floor(random() * candidates.length)]!;
  let roll = random() * total;
  for (let i = 0; i < candidates.length; i++) {
    roll -= weights[i]!;
    if (roll < 0) return candidates[i]!;
  }
  return candidates[candidates.length - 1]!;
};

/** Fewest calls in flight; ties broken at random so equal deployments share the load. */
export const leastBusy: Strategy = (candidates, ctx) =>
  lowest(candidates, ctx, (c) => ctx.statsOf(c.deployment.id)?.inFlight ?? 0);

/**
 * Lowest EWMA latency (time to first token for streams). A deployment never measured scores 0, so
 * each one is tried once before the fastest takes over, as in LiteLLM.
 */
export const latencyBased: Strategy = (candidates, ctx) =>
  lowest(candidates, ctx, (c) => {
    const s = ctx.statsOf(c.deployment.id);
    return (ctx.stream ? (s?.ttftEwmaMs ?? s?.latencyEwmaMs) : s?.latencyEwmaMs) ?? 0;
  });

/**
 * Most remaining rpm/tpm headroom this minute, as a share of the deployment's limits (the tighter
 * of the two). A deployment without limits has full headroom.
 */
export const usageBased: Strategy = (candidates, ctx) =>
  lowest(candidates, ctx, (c) => -headroomShare(c, ctx.statsOf(c.deployment.id), ctx.nowMs));

export function headroomShare(c: Candidate, s: DeploymentStats | undefined, nowMs: number): number {
  const { rpm, tpm } = c.deployment.params;
  const current = s !== undefined && s.minuteStartMs === nowMs - (nowMs % 60_000);
  const shares: number[] = [];
  if (rpm !== undefined && rpm > 0) shares.push(1 - (current ? s.requestsThisMinute : 0) / rpm);
  if (tpm !== undefined && tpm > 0) shares.push(1 - (current ? s.tokensThisMinute : 0) / tpm);
  return shares.length === 0 ? 1 : Math.min(...shares);
}

function lowest(candidates: readonly Candidate[], ctx: PickContext, score: (c: Candidate) => number): Candidate {
  let best: Candidate[] = [];
  let bestScore = Infinity;
  for (const c of candidates) {
    const s = score(c);
    if (s < bestScore) {
      bestScore = s;
      best = [c];
    } else if (s === bestScore) best.push(c);
  }
  return best.length === 1 ? best[0]! : best[Math.floor(ctx.random() * best.length)]!;
}

export function strategyFor(name: RoutingStrategy | undefined): Strategy {
  switch (name) {
    case "least-busy":
      return leastBusy;
    case "latency-based-routing":
      return latencyBased;
    case "usage-based-routing":
    case "usage-based-routing-v2":
      return usageBased;
    default:
      return simpleShuffle;
  }
}
