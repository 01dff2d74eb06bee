// The simple-shuffle pick on its own, for callers that only need a weighted choice.
import type { Candidate } from "./model-groups.ts";
import { simpleShuffle } from "./strategies.ts";

export type PickStrategy = (candidates: readonly Candidate[]) => Candidate;

export function weightedRandom(random: () => number = Math.random): PickStrategy {
  return (candidates) => simpleShuffle(candidates, { random, statsOf: () => undefined, stream: false, nowMs: 0 });
}
