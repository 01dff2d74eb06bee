// When a failing deployment leaves the rotation (allowed_fails / cooldown_time) and for how long.
// Pure: the deployment's stats after the failure in, a decision out. As in LiteLLM, the only
// deployment of a group is never cooled down (there would be nothing left to route to), a 429
// cools down at once for at least its retry-after, and other failures only once more than
// allowed_fails happened within the minute.

export const DEFAULT_ALLOWED_FAILS = 3;
export const DEFAULT_COOLDOWN_S = 5;

export interface CooldownPolicy {
  allowedFails: number;
  cooldownS: number;
}

export type CooldownDecision = { cool: false } | { cool: true; untilMs: number; reason: string };

export function decideCooldown(input: {
  policy: CooldownPolicy;
  groupSize: number;
  status: number;
  retryAfterS: number | undefined;
  failuresThisMinute: number;
  nowMs: number;
}): CooldownDecision {
  const { policy, status, nowMs } = input;
  if (input.groupSize <= 1) return { cool: false };
  if (status === 429) {
    const s = Math.max(policy.cooldownS, input.retryAfterS ?? 0);
    return { cool: true, untilMs: nowMs + s * 1000, reason: "rate limited by the provider (429)" };
  }
  if (input.failuresThisMinute > policy.allowedFails) {
    return {
      cool: true,
      untilMs: nowMs + policy.cooldownS * 1000,
      reason: `${input.failuresThisMinute} failures this minute (allowed_fails ${policy.allowedFails}), last status ${status}`,
    };
  }
  return { cool: false };
}
