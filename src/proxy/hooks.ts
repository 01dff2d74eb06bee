// The seam where budgets, rate limits and spend plug into every LLM call. `admit` runs before the
// upstream call (estimate, reserve, or refuse by throwing a GatewayError such as a 429);
// `settle` runs exactly once after the call ends, with the actual usage: after the last chunk of a
// stream, after a failure, and after a client disconnect.
import type { Principal } from "../auth/principal.ts";
import type { CallKind, Deployment, Json, Usage } from "../providers/types.ts";
import type { RequestHeaderOptions } from "./request-headers.ts";

export interface CallContext {
  readonly callId: string;
  readonly kind: CallKind;
  /** The route as called, e.g. "/v1/chat/completions". */
  readonly route: string;
  readonly principal: Principal;
  /** The model name the client sent. */
  readonly requestedModel: string;
  /** The model group served (after key aliases). */
  readonly modelGroup: string;
  readonly stream: boolean;
  readonly body: Readonly<Json>;
  /** The end user named by the customer-id headers or the body's `user` (src/proxy/end-user.ts). */
  readonly endUserId: string | null;
  readonly startedAtMs: number;
  /** What LiteLLM's x-litellm-* request headers asked for (src/proxy/request-headers.ts). */
  readonly headerOptions?: RequestHeaderOptions;
}

export interface Admission {
  /** Extra response headers, e.g. x-ratelimit-* once limits exist. */
  readonly headers?: Record<string, string>;
}

export interface CallOutcome {
  readonly status: "success" | "failure" | "client_disconnected";
  /** HTTP status sent (or that would have been sent) to the client. */
  readonly httpStatus: number;
  /** Known whenever the provider reported it; mock_response reports fixed usage. */
  readonly usage: Usage | undefined;
  /** The answer's own id (`id` of the completion or its chunks), when it had one. */
  readonly responseId?: string;
  /** The answer (JSON body, or a stream's transcript when store_prompts_in_spend_logs is on). */
  readonly responseBody?: unknown;
  readonly deployment: Deployment | undefined;
  readonly provider: string | undefined;
  readonly upstreamModel: string | undefined;
  readonly apiBase: string | undefined;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly error?: Error;
}

export interface Settlement {
  /**
   * Headers for a non-streaming response, e.g. `x-litellm-response-cost` (the spend issue fills
   * it). A stream's headers are already sent when it settles, so they are dropped there.
   */
  readonly headers?: Record<string, string>;
}

export interface CallHooks {
  admit(ctx: CallContext): Promise<Admission>;
  settle(ctx: CallContext, outcome: CallOutcome): Promise<Settlement | void>;
}

export const noCallHooks: CallHooks = {
  admit: async () => ({}),
  settle: async () => {},
};
