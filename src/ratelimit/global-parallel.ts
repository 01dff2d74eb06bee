// general_settings.global_max_parallel_requests: at most this many LLM calls in flight on this
// instance, whoever makes them (the master key too); the next one is LiteLLM's 429. A call counts
// from its admission until it settles (a stream: until its last chunk) or is abandoned. Each
// instance counts its own calls.
import { GatewayError } from "../errors.ts";
import type { CallContext } from "../proxy/hooks.ts";
import type { AbandonableHooks } from "../spend/compose-hooks.ts";

export function globalParallelHooks(max: number): AbandonableHooks {
  const open = new Set<string>();
  const release = (ctx: CallContext) => {
    open.delete(ctx.callId);
  };
  return {
    async admit(ctx) {
      if (open.size >= max) {
        throw new GatewayError({
          status: 429,
          type: "throttling_error",
          message: `Max parallel request limit reached: this proxy serves at most ${max} LLM calls at once (general_settings.global_max_parallel_requests).`,
          retryAfterS: 1,
        });
      }
      open.add(ctx.callId);
      return {};
    },
    async settle(ctx) {
      release(ctx);
    },
    abandon: release,
  };
}
