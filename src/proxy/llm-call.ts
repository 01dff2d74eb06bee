// One LLM call from request to settlement: model name → key alias → access decision → model
// group → admission → deployment → provider (or mock_response) → settlement. Routes only parse
// and serialise; the OpenAI and Anthropic ingresses both run this.
import type { Principal } from "../auth/principal.ts";
import type { Config } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { accessListsOf, decideModelAccess, type AccessList, type RequestedModel } from "../policy/model-access.ts";
import type { CallKind, Chunk, Json, Usage } from "../providers/types.ts";
import type { ResolvedGroup } from "../router/model-groups.ts";
import type { Routed, Router } from "../router/router.ts";
import { toChatBody, toTextCompletion, toTextCompletionChunks } from "./completion-via-chat.ts";
import type { CallContext, CallHooks, CallOutcome } from "./hooks.ts";
import { withoutProxyParams } from "./litellm-params.ts";
import { mockResponse, mockStream } from "./mock-response.ts";
import { callUpstream } from "./upstream-call.ts";

// LiteLLM's request_timeout default is far longer; ten minutes bounds a stuck upstream.
export const DEFAULT_TIMEOUT_S = 600;

export interface LlmCallDeps {
  config: Config;
  router: Router;
  hooks: CallHooks;
  log: Logger;
  now: () => number;
}

export interface CallInput {
  kind: CallKind;
  body: Json;
  route: string;
  principal: Principal;
  /** Aborts when the client disconnects. */
  signal: AbortSignal;
  /** The model named in the URL (Azure-style routes) wins over the body's. */
  modelFromPath?: string;
  /** performance.now() when the request arrived, for the overhead header. */
  receivedAt: number;
}

export type CallResult =
  | { kind: "json"; body: Json; headers: Record<string, string> }
  | { kind: "stream"; chunks: AsyncGenerator<Chunk>; includeUsage: boolean; headers: Record<string, string> };

export async function runLlmCall(deps: LlmCallDeps, input: CallInput): Promise<CallResult> {
  const { body, principal } = input;
  const requested = input.modelFromPath ?? body.model;
  if (typeof requested !== "string" || requested === "") {
    throw GatewayError.badRequest("Invalid model name passed in model=None. Call /v1/models to view available models for your key.", "model");
  }
  const aliasTarget = principal.kind === "key" ? principal.key.aliases[requested] : undefined;
  const modelName = aliasTarget ?? requested;
  const group = deps.router.resolve(modelName);
  checkAccess(deps, principal, requested, aliasTarget, group);
  if (!group) {
    throw GatewayError.badRequest(`Invalid model name passed in model=${requested}. Call /v1/models to view available models for your key.`, "model");
  }

  const stream = input.kind !== "embedding" && body.stream === true;
  const ctx: CallContext = {
    callId: crypto.randomUUID(),
    kind: input.kind,
    route: input.route,
    principal,
    requestedModel: requested,
    modelGroup: group.name,
    stream,
    body,
    startedAtMs: deps.now(),
  };
  const admission = await deps.hooks.admit(ctx);

  let routed: Routed | undefined;
  let upstreamMs = 0;
  // A failing settlement is logged, never turned into a failed call: the answer already exists.
  const settle = (status: CallOutcome["status"], httpStatus: number, usage: Usage | undefined, error?: Error) =>
    deps.hooks.settle(ctx, {
      status, httpStatus, usage, error,
      deployment: routed?.target.deployment,
      provider: routed?.target.provider,
      upstreamModel: routed?.target.upstreamModel,
      apiBase: routed?.target.apiBase,
      startedAtMs: ctx.startedAtMs,
      endedAtMs: deps.now(),
    }).catch((err) => {
      deps.log.error("settling a call failed", { call_id: ctx.callId, error: String(err) });
      return undefined;
    });
  const headers = () => {
    const durationMs = performance.now() - input.receivedAt;
    const out: Record<string, string> = {
      "x-litellm-call-id": ctx.callId,
      "x-litellm-model-group": group.name,
      "x-litellm-response-duration-ms": durationMs.toFixed(3),
      "x-litellm-overhead-duration-ms": Math.max(0, durationMs - upstreamMs).toFixed(3),
      ...admission.headers,
    };
    if (routed) {
      out["x-litellm-model-id"] = routed.target.deployment.id;
      out["x-litellm-model-api-base"] = routed.target.apiBase;
    }
    return out;
  };

  let produced: { kind: "json"; body: Json } | { kind: "stream"; chunks: AsyncGenerator<Chunk> };
  try {
    routed = deps.router.pick(group);
    const started = performance.now();
    produced = await produce(deps, input, group, routed, stream);
    upstreamMs = performance.now() - started;
  } catch (err) {
    const error = err instanceof GatewayError ? err : GatewayError.internal();
    if (!(err instanceof GatewayError)) deps.log.error("llm call failed", { call_id: ctx.callId, error: String(err) });
    await settle(error.status === 499 ? "client_disconnected" : "failure", error.status, undefined, error);
    throw err;
  }

  if (produced.kind === "json") {
    const settlement = await settle("success", 200, produced.body.usage as Usage | undefined);
    return { kind: "json", body: produced.body, headers: { ...headers(), ...settlement?.headers } };
  }
  const includeUsage = (body.stream_options as Json | undefined)?.include_usage === true;
  return { kind: "stream", includeUsage, headers: headers(), chunks: settled(produced.chunks, settle) };
}

/**
 * Passes chunks on and settles exactly once: at the end, on failure, or when the consumer stops.
 * Awaited before the stream ends, so spend is recorded by the time the client reads [DONE].
 */
async function* settled(
  chunks: AsyncGenerator<Chunk>,
  settle: (status: CallOutcome["status"], httpStatus: number, usage: Usage | undefined, error?: Error) => Promise<unknown>,
): AsyncGenerator<Chunk> {
  let usage: Usage | undefined;
  let done = false;
  try {
    for await (const chunk of chunks) {
      if (chunk.usage) usage = chunk.usage as Usage;
      yield chunk;
    }
    done = true;
    await settle("success", 200, usage);
  } catch (err) {
    done = true;
    const status = err instanceof GatewayError ? err.status : 500;
    await settle(status === 499 ? "client_disconnected" : "failure", status, usage, err as Error);
    throw err;
  } finally {
    if (!done) await settle("client_disconnected", 200, usage);
  }
}

function checkAccess(deps: LlmCallDeps, principal: Principal, requested: string, aliasTarget: string | undefined, group: ResolvedGroup | undefined) {
  if (principal.kind !== "key") return;
  const groupsOf = (name: string): string[] => {
    const g = name === group?.name ? group : deps.router.resolve(name);
    return g ? [...new Set(g.candidates.flatMap((c) => c.deployment.info.access_groups ?? []))] : [];
  };
  const names: RequestedModel[] = [{ name: requested, accessGroups: groupsOf(requested) }];
  if (aliasTarget) names.push({ name: aliasTarget, accessGroups: groupsOf(aliasTarget) });
  const lists: AccessList[] = accessListsOf({
    keyModels: principal.key.models,
    teamModels: principal.team?.models,
    userModels: principal.user?.models,
  });
  const decision = decideModelAccess(lists, names);
  if (!decision.ok) throw new GatewayError({ status: 401, type: decision.type, message: decision.message, param: "model" });
}

async function produce(
  deps: LlmCallDeps,
  input: CallInput,
  group: ResolvedGroup,
  routed: Routed,
  stream: boolean,
): Promise<{ kind: "json"; body: Json } | { kind: "stream"; chunks: AsyncGenerator<Chunk> }> {
  const { body, kind } = input;
  const mock = body.mock_response;
  if (mock !== undefined && mock !== null) {
    const text = typeof mock === "string" ? mock : JSON.stringify(mock);
    return stream ? { kind: "stream", chunks: mockStream(kind, text, group.name) } : { kind: "json", body: mockResponse(kind, text, group.name) };
  }

  const { adapter, target } = routed;
  const caps = adapter.capabilities;
  if (kind === "embedding" && !caps.embeddings) {
    throw GatewayError.badRequest(`${target.provider} does not support embeddings. Received Model Group=${group.name}`, "model");
  }
  const viaChat = kind === "completion" && caps.completions === "chat";
  if (kind === "completion" && !caps.completions) {
    throw GatewayError.badRequest(`${target.provider} does not support text completions. Received Model Group=${group.name}`, "model");
  }
  const params = target.deployment.params;
  const timeoutS = params.timeout ?? (typeof body.timeout === "number" ? body.timeout : DEFAULT_TIMEOUT_S);
  const forwarded = withoutProxyParams(viaChat ? toChatBody(body) : body);
  const result = await callUpstream(routed, viaChat ? "chat" : kind, forwarded, {
    stream,
    dropParams: deps.config.litellm.drop_params === true || body.drop_params === true,
    signal: input.signal,
    timeoutMs: timeoutS * 1000,
    streamTimeoutMs: (params.stream_timeout ?? timeoutS) * 1000,
    now: deps.now,
  });
  if (!viaChat) return result;
  return result.kind === "json"
    ? { kind: "json", body: toTextCompletion(result.body) }
    : { kind: "stream", chunks: toTextCompletionChunks(result.chunks) };
}
