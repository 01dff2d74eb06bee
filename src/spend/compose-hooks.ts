// Runs several CallHooks as one (budgets first, like LiteLLM's auth-time budget check, then rate
// limits). When a later admit refuses, the earlier ones are abandoned so their reservations do not
// leak: llm-call.ts never settles a call whose admission threw.
import type { Admission, CallContext, CallHooks, CallOutcome, Settlement } from "../proxy/hooks.ts";

/** A CallHooks that can drop an admission without a settlement (nothing was called, nothing logged). */
export interface AbandonableHooks extends CallHooks {
  /** `refusal`: what the later part that refused the call threw. */
  abandon?(ctx: CallContext, refusal?: unknown): void;
}

export function composeCallHooks(...parts: AbandonableHooks[]): CallHooks {
  return {
    // The first part's headers object (made for this call) takes the others': no copy per call.
    async admit(ctx: CallContext): Promise<Admission> {
      let headers: Record<string, string> | undefined;
      for (let i = 0; i < parts.length; i++) {
        try {
          headers = merged(headers, (await parts[i]!.admit(ctx)).headers);
        } catch (err) {
          for (let j = 0; j < i; j++) parts[j]!.abandon?.(ctx, err);
          throw err;
        }
      }
      return { headers };
    },
    // Every part settles, whichever fails; the first failure is thrown once all are done.
    async settle(ctx: CallContext, outcome: CallOutcome): Promise<Settlement> {
      const settling = parts.map((p) => p.settle(ctx, outcome));
      let headers: Record<string, string> | undefined;
      let failure: { reason: unknown } | undefined;
      for (const s of settling) {
        try {
          headers = merged(headers, (await s)?.headers);
        } catch (reason) {
          failure ??= { reason };
        }
      }
      if (failure) throw failure.reason;
      return { headers };
    },
  };
}

const merged = (into: Record<string, string> | undefined, from: Record<string, string> | undefined) =>
  into && from ? Object.assign(into, from) : (into ?? from);
