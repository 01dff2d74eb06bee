// Token bucket with continuous refill: capacity = the per-minute limit, refilled at capacity/60 s.
// Pure functions of (state, cost, nowMs); the caller owns the clock and the storage.

export const WINDOW_MS = 60_000;

export interface BucketState {
  /** May be negative: a reconciled request that used more than estimated leaves a debt. */
  readonly tokens: number;
  readonly capacity: number;
  readonly updatedMs: number;
}

export type TakeResult =
  | { readonly ok: true; readonly state: BucketState }
  | { readonly ok: false; readonly state: BucketState; readonly retryAfterMs: number };

// Refill accumulates in small float steps; without slack, 30 one-second refills of rpm 2 sum to
// 0.9999999 and the request due at 30 s would wait another second.
const SLACK = 1e-9;

export function fullBucket(capacity: number, nowMs: number): BucketState {
  return { tokens: capacity, capacity, updatedMs: nowMs };
}

/**
 * Tokens accrued since the last update. A clock that went backwards (another instance's skew, an
 * NTP step) accrues nothing and keeps the later timestamp, so the same interval is never counted twice.
 */
export function refill(state: BucketState, nowMs: number): BucketState {
  if (nowMs <= state.updatedMs) return state;
  const tokens = Math.min(state.capacity, state.tokens + ((nowMs - state.updatedMs) * state.capacity) / WINDOW_MS);
  return { tokens, capacity: state.capacity, updatedMs: nowMs };
}

/**
 * A limit changed (e.g. /key/update): the amount already used in the window is kept, so raising
 * rpm from 2 to 5 after two requests leaves three, like LiteLLM's window counter.
 */
export function resize(state: BucketState, capacity: number): BucketState {
  if (capacity === state.capacity) return state;
  const used = state.capacity - state.tokens;
  return { tokens: Math.min(capacity, capacity - used), capacity, updatedMs: state.updatedMs };
}

/**
 * The tokens a request must find in the bucket to be admitted. A cost above capacity only needs a
 * full bucket (otherwise it could never pass); the whole cost is still debited, so one large request
 * overshoots by at most itself and the debt delays the next ones.
 */
export const admissionNeed = (capacity: number, cost: number) => Math.min(cost, capacity);

/** Milliseconds until `need` tokens are available; Infinity for a zero-capacity bucket. */
export function msUntil(state: BucketState, need: number): number {
  if (state.capacity <= 0) return Number.POSITIVE_INFINITY;
  if (state.tokens + SLACK >= need) return 0;
  // Multiplying before dividing keeps whole-millisecond answers exact for integer limits.
  return ((need - state.tokens) * WINDOW_MS) / state.capacity;
}

/** Checks without changing anything: how the bucket looks at nowMs and whether `cost` fits. */
export function peek(state: BucketState, cost: number, nowMs: number): TakeResult {
  const current = refill(state, nowMs);
  const need = admissionNeed(current.capacity, cost);
  if (current.capacity > 0 && current.tokens + SLACK >= need) return { ok: true, state: current };
  return { ok: false, state: current, retryAfterMs: msUntil(current, need) };
}

export function take(state: BucketState, cost: number, nowMs: number): TakeResult {
  const checked = peek(state, cost, nowMs);
  if (!checked.ok) return checked;
  return { ok: true, state: debit(checked.state, cost) };
}

/** Unconditional debit (negative cost credits), capped at capacity. */
export function debit(state: BucketState, cost: number): BucketState {
  return { ...state, tokens: Math.min(state.capacity, state.tokens - cost) };
}

/** Settles an estimate with what the request really used: charges the difference, or gives it back. */
export function reconcile(state: BucketState, estimated: number, actual: number, nowMs: number): BucketState {
  return debit(refill(state, nowMs), actual - estimated);
}

/** Whole tokens left, as shown to clients. */
export const remainingOf = (state: BucketState) => Math.max(0, Math.floor(state.tokens));
