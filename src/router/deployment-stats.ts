// What real traffic taught us about each deployment: calls in flight, latency and time to first
// token (EWMA), this minute's requests, tokens and failures, and a cooldown. Routing strategies,
// cooldowns and GET /health all read it; nothing here keeps a timer, every change takes `nowMs`.

// Weight of the newest observation; 0.3 forgets a slow spell within about ten calls.
const EWMA_ALPHA = 0.3;
const MINUTE_MS = 60_000;

export interface DeploymentStats {
  inFlight: number;
  latencyEwmaMs: number | undefined;
  ttftEwmaMs: number | undefined;
  /** Start of the minute the counters below belong to (LiteLLM's rpm/tpm windows are per minute). */
  minuteStartMs: number;
  requestsThisMinute: number;
  tokensThisMinute: number;
  failuresThisMinute: number;
  /** Out of rotation until then; 0 = in rotation. */
  cooldownUntilMs: number;
  cooldownReason: string | undefined;
  /** Last time a call started or a probe ran: /health probes only deployments idle since. */
  lastTrafficMs: number | undefined;
  lastOutcome: { ok: true; atMs: number } | { ok: false; atMs: number; status: number; message: string } | undefined;
  successes: number;
  failures: number;
}

export const freshStats = (): DeploymentStats => ({
  inFlight: 0,
  latencyEwmaMs: undefined,
  ttftEwmaMs: undefined,
  minuteStartMs: 0,
  requestsThisMinute: 0,
  tokensThisMinute: 0,
  failuresThisMinute: 0,
  cooldownUntilMs: 0,
  cooldownReason: undefined,
  lastTrafficMs: undefined,
  lastOutcome: undefined,
  successes: 0,
  failures: 0,
});

/** Rolls the per-minute counters over when `nowMs` is in a later minute. */
export function rollMinute(s: DeploymentStats, nowMs: number): void {
  const minute = nowMs - (nowMs % MINUTE_MS);
  if (minute === s.minuteStartMs) return;
  s.minuteStartMs = minute;
  s.requestsThisMinute = 0;
  s.tokensThisMinute = 0;
  s.failuresThisMinute = 0;
}

export function recordStart(s: DeploymentStats, nowMs: number): void {
  rollMinute(s, nowMs);
  s.inFlight++;
  s.requestsThisMinute++;
  s.lastTrafficMs = nowMs;
}

export function recordSuccess(s: DeploymentStats, o: { nowMs: number; latencyMs: number; ttftMs?: number; tokens: number }): void {
  rollMinute(s, o.nowMs);
  s.inFlight = Math.max(0, s.inFlight - 1);
  s.tokensThisMinute += o.tokens;
  s.latencyEwmaMs = ewma(s.latencyEwmaMs, o.latencyMs);
  if (o.ttftMs !== undefined) s.ttftEwmaMs = ewma(s.ttftEwmaMs, o.ttftMs);
  s.successes++;
  s.lastOutcome = { ok: true, atMs: o.nowMs };
}

/** Ends a call that failed. Whether it cools the deployment down is decided by cooldown.ts. */
export function recordFailure(s: DeploymentStats, o: { nowMs: number; status: number; message: string; counts: boolean }): void {
  rollMinute(s, o.nowMs);
  s.inFlight = Math.max(0, s.inFlight - 1);
  if (!o.counts) return;
  s.failuresThisMinute++;
  s.failures++;
  s.lastOutcome = { ok: false, atMs: o.nowMs, status: o.status, message: o.message };
}

/** A call that ended without an outcome about the deployment (client went away). */
export function recordAbandoned(s: DeploymentStats): void {
  s.inFlight = Math.max(0, s.inFlight - 1);
}

export const isCoolingDown = (s: DeploymentStats | undefined, nowMs: number) => s !== undefined && s.cooldownUntilMs > nowMs;

const ewma = (prev: number | undefined, sample: number) => (prev === undefined ? sample : prev + EWMA_ALPHA * (sample - prev));
