// Anthropic's Messages API (POST /v1/messages) as an ingress for clients such as the official
// Anthropic SDK, served by any configured model through the same pipeline as the OpenAI routes.
import { Elysia, t } from "elysia";
import type { Principal } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { chunksOnly, type Json } from "../providers/types.ts";
import { noCallHooks } from "../proxy/hooks.ts";
import { type LlmCallDeps, runLlmCall } from "../proxy/llm-call.ts";
import { fromMessagesRequest, toMessagesEvents, toMessagesResponse } from "../proxy/messages-ingress.ts";
import { eventStream, SSE_HEADERS } from "../proxy/sse-response.ts";
import { errorBody, GatewayError } from "../errors.ts";
import { routerFor } from "../router/router.ts";
import { authGuard } from "./auth-guard.ts";

const MessagesBody = t.Object(
  {
    model: t.String({ minLength: 1 }),
    messages: t.Array(t.Any(), { error: "messages must be an array of Anthropic messages" }),
    max_tokens: t.Number({ minimum: 1, error: "max_tokens is required (a positive integer)" }),
  },
  { additionalProperties: true },
);

const anthropicEvent = (e: { type: string }) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;

/** The item already in hand, then the rest. */
async function* withFirst<T>(first: T | undefined, rest: AsyncGenerator<T>): AsyncGenerator<T> {
  if (first !== undefined) yield first;
  yield* rest;
}

export function anthropicRoutes(deps: AppDeps) {
  const callDeps: LlmCallDeps = { config: deps.config, router: routerFor(deps.config), hooks: deps.callHooks ?? noCallHooks, log: deps.log, now: deps.now };
  type Ctx = { body: Json; request: Request; path: string; principal: Principal; server: { timeout(r: Request, s: number): void } | null };
  const messages = async (ctx: Ctx) => {
    const receivedAt = performance.now();
    ctx.server?.timeout(ctx.request, 0);
    const model = String(ctx.body.model);
    const result = await runLlmCall(callDeps, {
      kind: "chat",
      body: fromMessagesRequest(ctx.body),
      route: ctx.path,
      principal: ctx.principal,
      // Aborted by Bun when the client goes away, streaming or not.
      signal: ctx.request.signal,
      receivedAt,
      headers: ctx.request.headers,
    });
    if (result.kind === "json") {
      return new Response(JSON.stringify(toMessagesResponse(result.body, model)), {
        headers: { "content-type": "application/json", ...result.headers },
      });
    }
    const body = eventStream(
      toMessagesEvents(chunksOnly(withFirst(result.first, result.chunks)), model),
      (e) => anthropicEvent(e as { type: string }),
      undefined,
      (err) => {
        const gw = err instanceof GatewayError ? err : GatewayError.internal();
        return anthropicEvent({ type: "error", error: { type: gw.type, message: errorBody(gw).error.message } } as { type: string });
      },
      // Settles the call if the client left before the events began (their generator never started).
      () => void result.chunks.return(undefined).catch(() => {}),
    );
    return new Response(body, { headers: { ...SSE_HEADERS, ...result.headers } });
  };
  return new Elysia({ name: "anthropic" })
    .use(authGuard(deps))
    .post("/v1/messages", messages, {
      body: MessagesBody,
      detail: { tags: ["anthropic"], summary: "Anthropic Messages API (JSON, or SSE events when stream=true), served by any configured model" },
    });
}
