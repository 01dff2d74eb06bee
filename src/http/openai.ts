// The OpenAI-compatible routes, each with and without the /v1 prefix, plus LiteLLM's Azure-style
// aliases (/openai/deployments/{model}/..., /engines/{model}/...). Handlers parse and serialise;
// src/proxy/llm-call.ts does the work.
import { Elysia, t, type TSchema } from "elysia";
import type { Principal } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { GatewayError } from "../errors.ts";
import { accessListsOf, decideModelAccess } from "../policy/model-access.ts";
import type { CallKind, Json } from "../providers/types.ts";
import { noCallHooks } from "../proxy/hooks.ts";
import { type CallResult, type LlmCallDeps, runLlmCall, visibleTo } from "../proxy/llm-call.ts";
import { batchModels, runBatchCall } from "../proxy/batch-call.ts";
import { sseResponse } from "../proxy/sse-response.ts";
import { modelInfoList } from "../proxy/model-info.ts";
import { accessGroupsOf } from "../router/model-groups.ts";
import { routerFor } from "../router/router.ts";
import { authGuard } from "./auth-guard.ts";
import { llmBodyOf } from "./llm-body.ts";

// LiteLLM's DEFAULT_MODEL_CREATED_AT_TIME; clients compare the listing byte for byte.
const MODEL_CREATED_AT = 1677610602;

const ModelObject = t.Object({ id: t.String(), object: t.Literal("model"), created: t.Number(), owned_by: t.String() });
const ModelList = t.Object({ object: t.Literal("list"), data: t.Array(ModelObject) });

// Only `model` is read here; every other field is forwarded as the client sent it. The schemas
// document the routes; llmBodyOf checks them in the handler, so the parsed body stays the object
// its text came from (Elysia's validation would copy it) and can go upstream as that text.
const LlmBody = t.Object({ model: t.Optional(t.String()) }, { additionalProperties: true });
const ChatBody = t.Object({ model: t.Optional(t.String()), messages: t.Array(t.Any()) }, { additionalProperties: true });
const documented = (schema: TSchema) => ({ content: { "application/json": { schema } } }) as never;

const modelObject = (id: string) => ({ id, object: "model" as const, created: MODEL_CREATED_AT, owned_by: "openai" });

export function openaiRoutes(deps: AppDeps) {
  const router = routerFor(deps.config);
  const callDeps: LlmCallDeps = { config: deps.config, router, hooks: deps.callHooks ?? noCallHooks, log: deps.log, now: deps.now };

  // Groups (config and runtime models) and visible router aliases, each only when the caller may
  // use it: team-scoped deployments for their team, and the caller's model lists.
  const visibleModels = (principal: Principal): string[] => {
    const lists = principal.kind === "master" ? [] : accessListsOf({ keyModels: principal.key.models, teamModels: principal.team?.models, userModels: principal.user?.models });
    const usable = (name: string, alsoAs?: string): boolean => {
      const resolved = router.resolve(name);
      const group = resolved && visibleTo(resolved, principal);
      if (!group) return false;
      const accessGroups = accessGroupsOf(group);
      const requested = [{ name, accessGroups }, ...(alsoAs ? [{ name: alsoAs, accessGroups }] : [])];
      return decideModelAccess(lists, requested).ok;
    };
    const groups = router.names().filter((name) => usable(name));
    const aliases = [...router.aliases].filter(([name, a]) => !a.hidden && usable(name, a.target)).map(([name]) => name);
    return [...new Set([...groups, ...aliases])];
  };

  type Ctx = {
    body: unknown;
    request: Request;
    principal: Principal;
    path: string;
    server: { timeout(request: Request, seconds: number): void } | null;
    params?: Record<string, string>;
  };
  const call = (kind: CallKind) => async (ctx: Ctx) => {
    const receivedAt = performance.now();
    // The upstream may think for minutes before its first byte; the idle timer must not cut it.
    ctx.server?.timeout(ctx.request, 0);
    const body = llmBodyOf(kind, ctx.body);
    const input = {
      kind,
      body,
      route: ctx.path,
      principal: ctx.principal,
      // Aborted by Bun when the client goes away, streaming or not.
      signal: ctx.request.signal,
      modelFromPath: ctx.params?.model,
      receivedAt,
      headers: ctx.request.headers,
      passThrough: true,
    };
    // A group or alias named with commas is one model; a wildcard group ("*") does not count.
    const batch = kind === "chat" && !ctx.params?.model ? batchModels(body.model, (name) => router.aliases.has(name) || router.names().includes(name)) : undefined;
    if (batch) return Response.json(await runBatchCall(callDeps, input, batch));
    return toResponse(await runLlmCall(callDeps, input));
  };
  const chat = call("chat");
  const completion = call("completion");
  const embedding = call("embedding");

  const list = ({ principal }: { principal: Principal }) => ({ object: "list" as const, data: visibleModels(principal).map(modelObject) });
  const one = ({ principal, params }: { principal: Principal; params: Record<string, string> }) => {
    const id = decodeURIComponent(params["*"] ?? "");
    if (!visibleModels(principal).includes(id)) {
      throw GatewayError.notFound(`The model '${id}' does not exist or you do not have access to it.`, "model");
    }
    return modelObject(id);
  };
  const info = ({ principal }: { principal: Principal }) => ({ data: modelInfoList(router, principal) });

  const chatDoc = { detail: { tags: ["openai"], summary: "Chat completion (OpenAI format, SSE when stream=true)", requestBody: documented(ChatBody) } };
  const completionDoc = { detail: { tags: ["openai"], summary: "Text completion", requestBody: documented(LlmBody) } };
  const embeddingDoc = { detail: { tags: ["openai"], summary: "Embeddings", requestBody: documented(LlmBody) } };
  const listDetail = { tags: ["openai"], summary: "Models the caller may use" };
  const infoDetail = { tags: ["models"], summary: "Deployments the caller may use, secrets removed" };

  return new Elysia({ name: "openai" })
    .use(authGuard(deps))
    .get("/models", list, { response: ModelList, detail: listDetail })
    .get("/v1/models", list, { response: ModelList, detail: listDetail })
    .get("/models/*", one, { response: ModelObject, detail: { tags: ["openai"], summary: "One model the caller may use" } })
    .get("/v1/models/*", one, { response: ModelObject, detail: { tags: ["openai"], summary: "One model the caller may use" } })
    .get("/model/info", info, { detail: infoDetail })
    .get("/v1/model/info", info, { detail: infoDetail })
    .get("/v2/model/info", info, { detail: infoDetail })
    .post("/chat/completions", chat, chatDoc)
    .post("/v1/chat/completions", chat, chatDoc)
    .post("/openai/deployments/:model/chat/completions", chat, chatDoc)
    .post("/engines/:model/chat/completions", chat, chatDoc)
    .post("/completions", completion, completionDoc)
    .post("/v1/completions", completion, completionDoc)
    .post("/openai/deployments/:model/completions", completion, completionDoc)
    .post("/engines/:model/completions", completion, completionDoc)
    .post("/embeddings", embedding, embeddingDoc)
    .post("/v1/embeddings", embedding, embeddingDoc)
    .post("/openai/deployments/:model/embeddings", embedding, embeddingDoc)
    .post("/engines/:model/embeddings", embedding, embeddingDoc);
}

// A client that goes away aborts the request's signal, and with it the upstream call: the stream's
// own cancel has nothing left to do.
const noop = () => {};

function toResponse(result: CallResult): Response {
  if (result.kind === "stream") return sseResponse(result.first, result.chunks, result.includeUsage, result.headers, noop);
  result.headers["content-type"] = "application/json";
  return new Response(result.text ?? JSON.stringify(result.body), { status: 200, headers: result.headers });
}
