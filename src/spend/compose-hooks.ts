// Runs several CallHooks as one (budgets first, like LiteLLM's auth-time budget check, then rate
// limits). When a later admit refuses, the earlier ones are abandoned so their reservations do not
// leak: llm-call.ts never settles a call whose admission threw.
import type { Admission, CallContext, CallHooks, CallOutcome, Settlement } from "../proxy/hooks.ts";

/** A CallHooks that can drop an admission without a settlement (nothing was called, nothing logged). */
export interface AbandonableHooks extends CallHooks {
  abandon?(ctx: CallContext): void;
}

export function composeCallHooks(...parts: AbandonableHooks[]): CallHooks {
  return {
    async admit(ctx: CallContext): Promise<Admission> {
      const headers: Record<string, string> = {};
      for (let i = 0; i < parts.length; i++) {
        try {
          Object.assign(headers, (await parts[i]!.admit(ctx)).headers);
        } catch (err) {
          for (let j = 0; j < i; j++) parts[j]!.abandon?.(ctx);
          throw err;
        }
      }
      return { headers };
    },
    async settle(ctx: CallContext, outcome: CallOutcome): Promise<Settlement> {
      const headers: Record<string, string> = {};
      const results = await Promise.allSettled(parts.map((p) => p.settle(ctx, outcome)));
      for (const r of results) {
        if (r.status === "rejected") throw r.reason;
        if (r.value?.headers) Object.assign(headers, r.value.headers);
      }
      return { headers };
    },
  };
}
