// Rate limits on the LLM call seam (src/proxy/hooks.ts): admit checks every applicable limit with
// an estimate, settle reconciles with the real usage and frees the in-flight slot.
import type { Config } from "../config/schema.ts";
import type { Store } from "../db/client.ts";
import { applicableLimits, countedTokens, estimateTokens, type Limit, type TokenRateLimitType } from "../policy/rate-limit.ts";
import type { Logger } from "../log.ts";
import { promptChars } from "../policy/prompt-size.ts";
import type { CallContext, CallHooks } from "../proxy/hooks.ts";
import { LeaseBank } from "./lease-pool.ts";
import { type Decision, Limiter, memoryPools } from "./limiter.ts";
import { LimitRows } from "./limit-rows.ts";
import { rateLimitError } from "./refusal.ts";

export interface RateLimitHooks extends CallHooks {
  readonly limiter: Limiter;
  /** Membership and end-user limit rows; admin changes to a team drop its members here. */
  readonly rows: LimitRows;
  /** Gives leased tokens back to the shared buckets (Postgres); call on shutdown. */
  close(): Promise<void>;
}

/**
 * Every row whose limits apply: the key, its user, its team (per-model team limits included) and
 * the key's membership in that team. The master key has none (contract §4.4: limits do not apply
 * to proxy admins). End users' limits are applied by src/spend/end-user-hooks.ts, on this limiter.
 */
async function limitsOf(ctx: CallContext, rows: LimitRows, memo: LimitMemo): Promise<readonly Limit[]> {
  const p = ctx.principal;
  if (p.kind !== "key") return [];
  const member = p.team && p.key.userId ? await rows.member(p.team.teamId, p.key.userId) : undefined;
  return memo.limits(p.key, p.user, p.team, member, ctx.modelGroup, () =>
    applicableLimits(
      {
        key: p.key,
        user: p.user,
        team: p.team,
        teamMember: member && p.team && p.key.userId ? { ...member, teamId: p.team.teamId, userId: p.key.userId } : undefined,
      },
      ctx.modelGroup,
    ),
  );
}

function limitsOfKeyOnly(ctx: CallContext): readonly Limit[] {
  const p = ctx.principal;
  return p.kind === "key" ? applicableLimits({ key: p.key, user: p.user, team: p.team }, ctx.modelGroup) : [];
}

/**
 * The limits of a call, kept per key row and model while the key, user, team and membership rows
 * are the very objects they were made from (the caches hand out a new object after any change):
 * the same limits, bucket keys and all, are not built again on every call.
 */
class LimitMemo {
  private readonly byKey = new WeakMap<object, Map<string, { user?: object; team?: object; member?: object; limits: readonly Limit[] }>>();

  limits(key: object, user: object | undefined, team: object | undefined, member: object | undefined, model: string, make: () => readonly Limit[]) {
    let byModel = this.byKey.get(key);
    if (!byModel) this.byKey.set(key, (byModel = new Map()));
    const kept = byModel.get(model);
    if (kept && kept.user === user && kept.team === team && kept.member === member) return kept.limits;
    const limits = make();
    byModel.set(model, { user, team, member, limits });
    return limits;
  }
}

function maxTokensOf(body: Readonly<Record<string, unknown>>): number | undefined {
  const n = body.max_completion_tokens ?? body.max_tokens;
  return typeof n === "number" && n >= 0 ? n : undefined;
}

export function createRateLimitHooks(init: { config: Config; store: Store; now: () => number; log?: Logger }): RateLimitHooks {
  const bank = "pg" in init.store.raw ? new LeaseBank(init.store.raw.pg) : undefined;
  const limiter = new Limiter(bank ? bank.poolFactory() : memoryPools);
  // When Postgres does not answer a lease, this instance limits on its own (limit per instance)
  // until it does: a degraded limit beats failing every call with a 500.
  const fallback = bank ? new Limiter(memoryPools) : undefined;
  const rows = new LimitRows(init.store, init.now);
  const tokenType: TokenRateLimitType = init.config.general.token_rate_limit_type ?? "total";
  const open = new Map<string, (actualTokens?: number) => void>();
  const memo = new LimitMemo();

  const check = async (limits: Parameters<Limiter["check"]>[0], estimate: number, nowMs: number): Promise<Decision> => {
    try {
      return await limiter.check(limits, estimate, nowMs);
    } catch (err) {
      if (!fallback) throw err;
      init.log?.warn("rate-limit lease failed: limiting on this instance alone", { error: String(err) });
      return fallback.check(limits, estimate, nowMs);
    }
  };

  return {
    limiter,
    rows,
    async admit(ctx) {
      const limits = await limitsOf(ctx, rows, memo).catch(() => limitsOfKeyOnly(ctx));
      if (limits.length === 0) return {};
      // Serialising the prompt costs time, so only calls with a token limit pay for the estimate.
      const estimate = limits.some((l) => l.kind === "tokens")
        ? estimateTokens(promptChars(ctx.body), maxTokensOf(ctx.body), tokenType)
        : 0;
      const decision = await check(limits, estimate, init.now());
      if (!decision.ok) throw rateLimitError(decision);
      open.set(ctx.callId, decision.release);
      return { headers: decision.headers };
    },
    async settle(ctx, outcome) {
      const release = open.get(ctx.callId);
      if (!release) return;
      open.delete(ctx.callId);
      if (outcome.usage) {
        release(countedTokens({ promptTokens: outcome.usage.prompt_tokens ?? 0, completionTokens: outcome.usage.completion_tokens ?? 0 }, tokenType));
      } else if (outcome.status === "failure") {
        release(0); // refused upstream before doing work: the estimate comes back
      } else {
        release(); // a disconnect without usage: keep the estimate, the provider may have billed it
      }
    },
    close: async () => {
      await bank?.returnAll(init.now());
    },
  };
}
