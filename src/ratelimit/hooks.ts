// Rate limits on the LLM call seam (src/proxy/hooks.ts): admit checks every applicable limit with
// an estimate, settle reconciles with the real usage and frees the in-flight slot.
import type { Config } from "../config/schema.ts";
import type { Store } from "../db/client.ts";
import {
  applicableLimits,
  countedTokens,
  estimateTokens,
  type RateLimitSubject,
  type TokenRateLimitType,
} from "../policy/rate-limit.ts";
import type { CallContext, CallHooks } from "../proxy/hooks.ts";
import { LeaseBank } from "./lease-pool.ts";
import { Limiter, memoryPools } from "./limiter.ts";
import { rateLimitError } from "./refusal.ts";

export interface RateLimitHooks extends CallHooks {
  readonly limiter: Limiter;
  /** Gives leased tokens back to the shared buckets (Postgres); call on shutdown. */
  close(): Promise<void>;
}

/** The master key has no key-level limits (contract §4.4: limits do not apply to proxy admins). */
function subjectOf(ctx: CallContext): RateLimitSubject {
  const p = ctx.principal;
  if (p.kind !== "key") return {};
  return { key: p.key, user: p.user };
}

function promptChars(body: Readonly<Record<string, unknown>>): number {
  const prompt = body.messages ?? body.prompt ?? body.input;
  if (prompt === undefined) return 0;
  return typeof prompt === "string" ? prompt.length : JSON.stringify(prompt).length;
}

function maxTokensOf(body: Readonly<Record<string, unknown>>): number | undefined {
  const n = body.max_completion_tokens ?? body.max_tokens;
  return typeof n === "number" && n >= 0 ? n : undefined;
}

export function createRateLimitHooks(init: { config: Config; store: Store; now: () => number }): RateLimitHooks {
  const bank = "pg" in init.store.raw ? new LeaseBank(init.store.raw.pg) : undefined;
  const limiter = new Limiter(bank ? bank.poolFactory() : memoryPools);
  const tokenType: TokenRateLimitType = init.config.general.token_rate_limit_type ?? "total";
  const open = new Map<string, (actualTokens?: number) => void>();

  return {
    limiter,
    async admit(ctx) {
      const limits = applicableLimits(subjectOf(ctx), ctx.modelGroup);
      if (limits.length === 0) return {};
      // Serialising the prompt costs time, so only calls with a token limit pay for the estimate.
      const estimate = limits.some((l) => l.kind === "tokens")
        ? estimateTokens(promptChars(ctx.body), maxTokensOf(ctx.body), tokenType)
        : 0;
      const decision = await limiter.check(limits, estimate, init.now());
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
