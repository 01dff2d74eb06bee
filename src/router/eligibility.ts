// Which deployments of a group may take the next attempt: not cooling down, under their rpm/tpm
// for this minute, and (when another one is left) not already tried by this call. Pure.
import type { DeploymentStats } from "./deployment-stats.ts";
import type { Candidate } from "./model-groups.ts";

export type Eligibility =
  | { ok: true; candidates: readonly Candidate[] }
  | { ok: false; reason: "cooldown" | "capacity"; retryAfterS: number };

const NONE_TRIED: ReadonlySet<string> = new Set();
// The answer when every candidate may take the call, made once per candidates array.
const allEligible = new WeakMap<readonly Candidate[], Eligibility>();

export function eligibleCandidates(
  candidates: readonly Candidate[],
  statsOf: (id: string) => DeploymentStats | undefined,
  nowMs: number,
  tried: ReadonlySet<string> = NONE_TRIED,
): Eligibility {
  const minuteStart = nowMs - (nowMs % 60_000);
  // An empty group falls through to the refusal below, as before.
  let allOpen = candidates.length > 0;
  for (const c of candidates) {
    if (tried.has(c.deployment.id) || !isOpen(c, statsOf(c.deployment.id), nowMs, minuteStart)) {
      allOpen = false;
      break;
    }
  }
  if (allOpen) {
    let all = allEligible.get(candidates);
    if (!all) allEligible.set(candidates, (all = { ok: true, candidates }));
    return all;
  }
  let soonestCooldownEndMs = Infinity;
  let cooling = 0;
  const open = candidates.filter((c) => {
    const s = statsOf(c.deployment.id);
    if (s && s.cooldownUntilMs > nowMs) {
      cooling++;
      soonestCooldownEndMs = Math.min(soonestCooldownEndMs, s.cooldownUntilMs);
      return false;
    }
    return isOpen(c, s, nowMs, minuteStart);
  });
  if (open.length === 0) {
    if (cooling === candidates.length) return { ok: false, reason: "cooldown", retryAfterS: Math.max(0, (soonestCooldownEndMs - nowMs) / 1000) };
    return { ok: false, reason: "capacity", retryAfterS: (minuteStart + 60_000 - nowMs) / 1000 };
  }
  const untried = open.filter((c) => !tried.has(c.deployment.id));
  return { ok: true, candidates: untried.length > 0 ? untried : open };
}

function isOpen(c: Candidate, s: DeploymentStats | undefined, nowMs: number, minuteStart: number): boolean {
  if (!s) return true;
  if (s.cooldownUntilMs > nowMs) return false;
  if (s.minuteStartMs !== minuteStart) return true;
  const { rpm, tpm } = c.deployment.params;
  return !(rpm !== undefined && s.requestsThisMinute >= rpm) && !(tpm !== undefined && s.tokensThisMinute >= tpm);
}
