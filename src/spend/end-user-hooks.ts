// End users (customers) on the LLM call seam: a blocked end user is refused, and the end user's
// rpm/tpm limits apply, whoever calls (the master key included: contract §4.4, LiteLLM's
// test_enduser_tpm_limits_with_master_key). Their budget is checked by the spend hooks (policy/budget.ts).
import type { Store } from "../db/client.ts";
import { type EndUserRow, findEndUser } from "../db/store/customers.ts";
import { GatewayError } from "../errors.ts";
import { promptChars } from "../policy/prompt-size.ts";
import { applicableLimits, countedTokens, estimateTokens, type TokenRateLimitType } from "../policy/rate-limit.ts";
import type { CallContext } from "../proxy/hooks.ts";
import type { Limiter } from "../ratelimit/limiter.ts";
import { rateLimitError } from "../ratelimit/refusal.ts";
import type { AbandonableHooks } from "./compose-hooks.ts";


// How long an end user's row is trusted before it is read again: admin changes on this instance
// invalidate at once; another instance's change is seen within this interval.
const ROW_TTL_MS = 5_000;

/** End-user rows in memory, for the per-call block and limit checks. */
export class EndUserDirectory {
  private readonly rows = new Map<string, { row: EndUserRow | undefined; loadedAtMs: number }>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number,
  ) {}

  async get(userId: string): Promise<EndUserRow | undefined> {
    const hit = this.rows.get(userId);
    if (hit && this.now() - hit.loadedAtMs < ROW_TTL_MS) return hit.row;
    const row = await findEndUser(this.store, userId);
    this.rows.set(userId, { row, loadedAtMs: this.now() });
    return row;
  }

  invalidate(userId: string): void {
    this.rows.delete(userId);
  }
}

export function createEndUserHooks(init: {
  directory: EndUserDirectory;
  limiter: Limiter | undefined;
  tokenType: TokenRateLimitType;
  now: () => number;
}): AbandonableHooks {
  const open = new Map<string, (actualTokens?: number) => void>();
  const release = (ctx: CallContext, tokens?: number) => {
    const r = open.get(ctx.callId);
    open.delete(ctx.callId);
    r?.(tokens);
  };
  return {
    async admit(ctx) {
      const id = ctx.endUserId;
      if (!id) return {};
      const row = await init.directory.get(id);
      if (!row) return {};
      if (row.blocked) {
        throw new GatewayError({ status: 403, type: "auth_error", message: `End User=${id} is blocked. Update via \`/customer/unblock\` if you're an admin.`, param: "user" });
      }
      const limits = applicableLimits({ endUser: { userId: id, rpmLimit: row.rpmLimit, tpmLimit: row.tpmLimit } }, ctx.modelGroup);
      if (!init.limiter || limits.length === 0) return {};
      // Measured as the key's own limits measure it (serialised once per call, a large body by its text).
      const chars = promptChars(ctx.body);
      const maxTokens = [ctx.body.max_completion_tokens, ctx.body.max_tokens].find((n) => typeof n === "number" && n >= 0) as number | undefined;
      const decision = await init.limiter.check(limits, estimateTokens(chars, maxTokens, init.tokenType), init.now());
      if (!decision.ok) throw rateLimitError(decision);
      open.set(ctx.callId, decision.release);
      return { headers: decision.headers };
    },
    async settle(ctx, outcome) {
      if (!open.has(ctx.callId)) return;
      if (outcome.usage) {
        release(ctx, countedTokens({ promptTokens: outcome.usage.prompt_tokens ?? 0, completionTokens: outcome.usage.completion_tokens ?? 0 }, init.tokenType));
      } else {
        release(ctx, outcome.status === "failure" ? 0 : undefined);
      }
    },
    abandon(ctx) {
      release(ctx, 0);
    },
  };
}
