// Budget decisions with LiteLLM's semantics (contract §3.2, §4.3), as pure functions of the budget
// state. Which budgets apply to a call, and whether the call may start given what is already spent
// and what calls in flight have reserved.
import { promptChars } from "./prompt-size.ts";

export type BudgetScope = "key" | "user" | "team" | "team_member" | "end_user";

/** One budget a call is charged against, as this instance currently knows it. */
export interface BudgetState {
  readonly scope: BudgetScope;
  /** key hash, user_id, team_id, `${team_id}:${user_id}`, end-user id. */
  readonly id: string;
  /** What the refusal message names: key alias or key_name; the id otherwise. */
  readonly label: string;
  readonly spendNano: number;
  /** Estimated cost of calls admitted but not settled yet. */
  readonly reservedNano: number;
  /** null = no budget. soft_budget is not here: it only alerts, never blocks. */
  readonly maxBudgetNano: number | null;
}

export type BudgetDecision =
  | { ok: true }
  | { ok: false; scope: BudgetScope; id: string; message: string };

// LiteLLM blocks keys, users and team members at spend >= max_budget, but teams and end users only
// at spend > max_budget (auth_checks.py); kept as is for compatibility.
const BLOCKS_AT_EQUAL: Record<BudgetScope, boolean> = {
  key: true,
  user: true,
  team_member: true,
  team: false,
  end_user: false,
};

// The order LiteLLM names them in when several are exhausted: the key's own budget first.
const ORDER: readonly BudgetScope[] = ["key", "team_member", "team", "user", "end_user"];

/**
 * Whether a call may start. Reservations of calls in flight count as spent: that is what keeps
 * 1,000 concurrent calls from all passing a check that sees the same committed spend. A call is
 * admitted while committed + reserved is below the budget, so the call that crosses it succeeds
 * (LiteLLM's semantics) and the total overshoots by at most that one call's cost.
 */
export function decideBudgets(budgets: readonly BudgetState[]): BudgetDecision {
  for (const scope of ORDER) {
    for (const b of budgets) {
      if (b.scope !== scope) continue;
      if (isExhausted(scope, b.spendNano + b.reservedNano, b.maxBudgetNano)) return { ok: false, scope, id: b.id, message: budgetExceededMessage(b) };
    }
  }
  return { ok: true };
}

/** Whether committed + in-flight spend leaves a budget no room for another call (null: no budget). */
export function isExhausted(scope: BudgetScope, committedAndInFlightNano: number, maxBudgetNano: number | null): boolean {
  if (maxBudgetNano === null) return false;
  return BLOCKS_AT_EQUAL[scope] ? committedAndInFlightNano >= maxBudgetNano : committedAndInFlightNano > maxBudgetNano;
}

// Python prints floats; JavaScript's shortest round-trip form matches it for these values.
const usd = (nano: number) => String(nano / 1e9);

export function budgetExceededMessage(b: BudgetState): string {
  const spend = usd(b.spendNano);
  const max = usd(b.maxBudgetNano ?? 0);
  switch (b.scope) {
    case "key":
      return `Budget has been exceeded! Key=${b.label} Current cost: ${spend}, Max budget: ${max}`;
    case "team":
      return `Budget has been exceeded! Team=${b.label} Current cost: ${spend}, Max budget: ${max}`;
    case "team_member":
      return `Budget has been exceeded! Team Member=${b.label} Current cost: ${spend}, Max budget: ${max}`;
    case "user":
      return `ExceededBudget: User=${b.label} over budget. Spend=${spend}, Budget=${max}`;
    case "end_user":
      return `ExceededBudget: End User=${b.label} over budget. Spend=${spend}, Budget=${max}`;
  }
}

/** The owners of a call whose budgets apply. */
export interface BudgetOwners {
  readonly keyToken: string | null;
  readonly userId: string | null;
  readonly teamId: string | null;
  readonly endUserId: string | null;
}

export interface BudgetRef {
  readonly scope: BudgetScope;
  readonly id: string;
}

/**
 * Which budgets a call is checked against. A team key is checked against the key, the team and the
 * membership, never against its user's personal budget ("if a key belongs to a team, the team
 * budget is applied", contract §4.3); a personal key against the key and the user.
 */
export function applicableBudgets(o: BudgetOwners): BudgetRef[] {
  const refs: BudgetRef[] = [];
  if (o.keyToken) refs.push({ scope: "key", id: o.keyToken });
  if (o.teamId) {
    refs.push({ scope: "team", id: o.teamId });
    if (o.userId) refs.push({ scope: "team_member", id: teamMemberId(o.teamId, o.userId) });
  } else if (o.userId) {
    refs.push({ scope: "user", id: o.userId });
  }
  if (o.endUserId) refs.push({ scope: "end_user", id: o.endUserId });
  return refs;
}

/**
 * Where a call's spend is added. Unlike budgets, spend goes to the user of a team key too
 * (LiteLLM adds it to LiteLLM_UserTable.spend whatever the key's team).
 */
export function spendTargets(o: BudgetOwners): BudgetRef[] {
  const refs: BudgetRef[] = [];
  if (o.keyToken) refs.push({ scope: "key", id: o.keyToken });
  if (o.userId) refs.push({ scope: "user", id: o.userId });
  if (o.teamId) {
    refs.push({ scope: "team", id: o.teamId });
    if (o.userId) refs.push({ scope: "team_member", id: teamMemberId(o.teamId, o.userId) });
  }
  if (o.endUserId) refs.push({ scope: "end_user", id: o.endUserId });
  return refs;
}

// Joined with NUL rather than ":" because user ids are often e-mail-like strings that may hold ":";
// the ledger splits at the first NUL.
export const teamMemberId = (teamId: string, userId: string) => `${teamId}\u0000${userId}`;

/** Default output estimate when a request sets no max_tokens: a typical chat answer. */
export const DEFAULT_OUTPUT_TOKENS_ESTIMATE = 1024;

/**
 * Tokens a request may use, for its reservation: prompt tokens from the size of the messages (about
 * 4 characters per token for English; JSON punctuation makes this err high), output from
 * max_tokens / max_completion_tokens when set.
 */
const outputLimit = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined);

export function estimateTokens(body: Readonly<Record<string, unknown>>): { promptTokens: number; completionTokens: number } {
  const chars = promptChars(body);
  const maxOut = outputLimit(body.max_completion_tokens) ?? outputLimit(body.max_tokens);
  const n = typeof body.n === "number" && body.n > 1 ? Math.floor(body.n) : 1;
  return { promptTokens: Math.ceil(chars / 4) + 8, completionTokens: (maxOut ?? DEFAULT_OUTPUT_TOKENS_ESTIMATE) * n };
}
