// Choosing one deployment of a group. Weighted random (LiteLLM's simple-shuffle) for now; the
// routing-strategy issue replaces `PickStrategy` (least-busy, latency, usage) without touching callers.
import type { Candidate } from "./model-groups.ts";

export type PickStrategy = (candidates: readonly Candidate[]) => Candidate;

/** `weight` wins, else `rpm`, else `tpm` as the relative share; all equal when none is set. */
export function weightedRandom(random: () => number = Math.random): PickStrategy {
  return (candidates) => {
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
}
