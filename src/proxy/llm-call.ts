// One LLM call from request to settlement: model name → key alias → access decision → model
// group → admission → attempts (deployment → provider, with retries and fallbacks) or
// mock_response → settlement. Routes only parse and serialise; both ingresses run this.
import type { Principal } from "../auth/principal.ts";
import type { Config } from "../config/schema.ts";
import { GatewayError } from "../errors.ts";
import { VERSION } from "../version.ts";
import type { Logger } from "../log.ts";
import { endUserOf } from "./end-user.ts";
import { accessListsOf, decideModelAccess, type AccessList, type RequestedModel } from "../policy/model-access.ts";
import { type CallKind, chunksOnly, endsStream, type Json, responseIdOfItem, type StreamItem, type Usage, usageOfItem } from "../providers/types.ts";
import { StreamTranscript } from "./stream-transcript.ts";
import { isProxyAdmin } from "../policy/roles.ts";
import { backoffMs } from "../router/backoff.ts";
import { recordAbandoned, recordStart, recordSuccess } from "../router/deployment-stats.ts";
import { parallelLimitOf } from "../router/parallel-slots.ts";
import { failureKind } from "../router/failure-kind.ts";
import { fallbackGroups } from "../router/fallbacks.ts";
import { accessGroupsOf, type Candidate, type ResolvedGroup } from "../router/model-groups.ts";
import { type Routed, type Router, toRouted } from "../router/router.ts";
import { toChatBody, toTextCompletion, toTextCompletionChunks } from "./completion-via-chat.ts";
import type { CallContext, CallHooks, CallOutcome } from "./hooks.ts";
import { withoutProxyParams } from "./litellm-params.ts";
import { mockResponse, mockStream } from "./mock-response.ts";
import { addProviderHeaders } from "./provider-headers.ts";
import { type RequestHeaderOptions, requestHeaderOptions } from "./request-headers.ts";
import { callUpstream, type UpstreamResult } from "./upstream-call.ts";

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
  /** The request's headers (the end-user headers are read from them). */
  headers?: Headers;
  /** The client reads OpenAI chunks as SSE text (the OpenAI routes): an OpenAI upstream's may pass unparsed. */
  passThrough?: boolean;
}

export type CallResult =
  /** `text`, when set, is `body` as the upstream wrote it: sent as it is instead of serialised again. */
  | { kind: "json"; body: Json; text?: string; headers: Record<string, string> }
  /**
   * `chunks` has started and `first` is its first item: a consumer sends `first`, then reads
   * `chunks`, and returns `chunks` if it stops early (that settles the call).
   */
  | { kind: "stream"; first: StreamItem | undefined; chunks: AsyncGenerator<StreamItem>; includeUsage: boolean; headers: Record<string, string> };

export async function runLlmCall(deps: LlmCallDeps, input: CallInput): Promise<CallResult> {
  const { body, principal } = input;
  await deps.router.ready;
  const requested = input.modelFromPath ?? body.model;
  if (typeof requested !== "string" || requested === "") {
    throw GatewayError.badRequest("Invalid model name passed in model=None. Call /v1/models to view available models for your key.", "model");
  }
  const aliasTarget = principal.kind === "key" ? principal.key.aliases[requested] : undefined;
  const modelName = aliasTarget ?? requested;
  const resolved = deps.router.resolve(modelName);
  checkAccess(deps, principal, requested, aliasTarget ?? deps.router.aliasTarget(requested), resolved);
  const group = resolved && visibleTo(resolved, principal);
  if (!group) {
    throw GatewayError.badRequest(`Invalid model name passed in model=${requested}. Call /v1/models to view available models for your key.`, "model");
  }
  const clientFallbacks = clientFallbacksOf(body);
  // A key may only fall back to models it may call itself; checked up front so nothing runs on a refusal.
  for (const name of clientFallbacks ?? []) checkAccess(deps, principal, name, deps.router.aliasTarget(name), deps.router.resolve(name), "fallbacks");

  const stream = input.kind !== "embedding" && body.stream === true;
  const headerOptions = requestHeaderOptions(input.headers);
  const ctx: CallContext = {
    // Time-ordered (UUIDv7): the call id is the spend log's primary key, and ids that arrive in
    // order are appended to its index instead of landing on a random page each (half the cost of
    // the spend write under load, bench/README.md).
    callId: Bun.randomUUIDv7(),
    kind: input.kind,
    route: input.route,
    principal,
    requestedModel: requested,
    modelGroup: group.name,
    stream,
    body,
    endUserId: endUserOf(input.headers, body),
    startedAtMs: deps.now(),
    headerOptions,
  };
  if (deps.config.general.reject_clientside_metadata_tags === true && (sendsTags(body) || headerOptions.tags !== undefined)) {
    throw GatewayError.badRequest(
      "Client-side 'metadata.tags' not allowed in request. 'reject_clientside_metadata_tags'=True. Tags can only be set via API key metadata.",
      "metadata.tags",
    );
  }
  if (ctx.endUserId === null && deps.config.general.enforce_user_param === true) {
    throw GatewayError.badRequest("'user' param not passed in. 'enforce_user_param'=True: name the end user in `user` (or the x-litellm-customer-id header).", "user");
  }
  const admission = await deps.hooks.admit(ctx);

  const run: AttemptState = { routed: undefined, retries: 0, fallbacks: 0, upstreamMs: 0 };
  // A failing settlement is logged, never turned into a failed call: the answer already exists.
  const settle = (status: CallOutcome["status"], httpStatus: number, answer: Answered | undefined, error?: Error) =>
    deps.hooks.settle(ctx, {
      status, httpStatus, error,
      usage: answer?.usage,
      responseId: answer?.responseId,
      responseBody: answer?.body,
      deployment: run.routed?.target.deployment,
      provider: run.routed?.target.provider,
      upstreamModel: run.routed?.target.upstreamModel,
      apiBase: run.routed?.target.apiBase,
      startedAtMs: ctx.startedAtMs,
      endedAtMs: deps.now(),
    }).catch((err) => {
      deps.log.error("settling a call failed", { call_id: ctx.callId, error: String(err) });
      return undefined;
    });
  const withAttemptHeaders = (out: Record<string, string>): Record<string, string> => {
    out["x-litellm-attempted-retries"] = String(run.retries);
    out["x-litellm-attempted-fallbacks"] = String(run.fallbacks);
    return out;
  };
  // One object per answer, filled in place: it becomes the response's headers.
  const headers = (upstreamHeaders: Headers | undefined, settlement?: Record<string, string>) => {
    const durationMs = performance.now() - input.receivedAt;
    const out = withAttemptHeaders({
      "x-litellm-version": VERSION,
      "x-litellm-call-id": ctx.callId,
      "x-litellm-model-group": group.name,
      "x-litellm-response-duration-ms": durationMs.toFixed(3),
      "x-litellm-overhead-duration-ms": Math.max(0, durationMs - run.upstreamMs).toFixed(3),
    });
    if (admission.headers) Object.assign(out, admission.headers);
    if (run.routed) {
      out["x-litellm-model-id"] = run.routed.target.deployment.id;
      out["x-litellm-model-api-base"] = run.routed.target.apiBase;
    }
    if (settlement) Object.assign(out, settlement);
    // Last: the provider's headers never replace the gateway's own (its rate limits included).
    if (upstreamHeaders) addProviderHeaders(out, upstreamHeaders);
    return out;
  };

  let produced: Produced;
  try {
    produced = await withRetriesAndFallbacks(deps, input, headerOptions, group, stream, clientFallbacks, run);
  } catch (err) {
    const error = err instanceof GatewayError ? err : GatewayError.internal();
    if (!(err instanceof GatewayError)) deps.log.error("llm call failed", { call_id: ctx.callId, error: String(err) });
    await settle(error.status === 499 ? "client_disconnected" : "failure", error.status, undefined, error);
    throw withHeaders(error, withAttemptHeaders({}));
  }

  if (produced.kind === "json") {
    const id = produced.body.id;
    const settlement = await settle("success", 200, { usage: produced.body.usage as Usage | undefined, responseId: typeof id === "string" ? id : undefined, body: produced.body });
    return { kind: "json", body: produced.body, text: produced.text, headers: headers(produced.upstreamHeaders, settlement?.headers) };
  }
  const transcript = deps.config.general.store_prompts_in_spend_logs === true ? new StreamTranscript() : undefined;
  const chunks = settled(produced.chunks, settle, transcript);
  // Started here, not when the response is first read: Bun cancels the body of a client that left
  // before it was sent, and cancelling a generator that never started skips its settlement (the
  // call went unlogged, its reservation and slots held). The first item is in hand already
  // (attemptOne waited for it), so this waits only when it ends the stream: the call is then
  // settled first, as a JSON answer is, and the response goes out in one piece.
  const first = await chunks.next();
  return { kind: "stream", includeUsage: includesUsage(body), headers: headers(produced.upstreamHeaders), first: first.done ? undefined : first.value, chunks };
}

const sendsTags = (body: Json) => body.tags !== undefined || (typeof body.metadata === "object" && body.metadata !== null && "tags" in body.metadata);

/** What the answer said of itself, as far as it got: its usage and its id. */
interface Answered {
  readonly usage?: Usage;
  readonly responseId?: string;
  /** The answer itself (the JSON body, or a stream's transcript), for store_prompts_in_spend_logs. */
  readonly body?: Json;
}

const includesUsage = (body: Json) => (body.stream_options as Json | undefined)?.include_usage === true;

type Produced = UpstreamResult;

interface AttemptState {
  /** The deployment of the latest attempt: the one that answered, or the last one that failed. */
  routed: Routed | undefined;
  /** Retries within the group that answered (or the last group tried). */
  retries: number;
  /** Fallback groups tried. */
  fallbacks: number;
  upstreamMs: number;
}

/**
 * Attempts across deployments and groups: up to num_retries retries inside a group (another
 * deployment first, backoff only when the same one must be retried), then the fallback groups,
 * each with the same retries. A stream counts as answered once its first chunk arrived: after
 * that, nothing is retried.
 */
async function withRetriesAndFallbacks(
  deps: LlmCallDeps,
  input: CallInput,
  options: RequestHeaderOptions,
  first: ResolvedGroup,
  stream: boolean,
  clientFallbacks: string[] | undefined,
  run: AttemptState,
): Promise<Produced> {
  const { router } = deps;
  if (isMock(input.body)) {
    run.routed = toRouted(first.name, router.pick(first, { nowMs: deps.now(), stream }));
    return produce(deps, input, options, first, run.routed, stream);
  }
  const numRetries =
    options.numRetries ?? (typeof input.body.num_retries === "number" && input.body.num_retries >= 0 ? Math.floor(input.body.num_retries) : router.numRetries);
  let group = first;
  let fallbackNames: string[] | undefined;
  let lastError: GatewayError | undefined;
  for (let step = 0; ; step++) {
    const tried = new Set<string>();
    for (let attempt = 0; attempt <= numRetries; attempt++) {
      if (attempt > 0) {
        const wait = backoffMs({ retry: attempt, sameDeployment: !router.hasUntried(group, tried, deps.now()), retryAfterS: lastError?.retryAfterS });
        if (wait > 0) await sleepUnlessAborted(wait, input.signal);
        run.retries = attempt;
      }
      let candidate: Candidate;
      try {
        candidate = router.pick(group, { nowMs: deps.now(), stream, tried });
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        // Everything is cooling down or at capacity: keep the provider's own error when there is one.
        lastError ??= err;
        break;
      }
      tried.add(candidate.deployment.id);
      run.routed = toRouted(group.name, candidate);
      const started = performance.now();
      try {
        const produced = await attemptOne(deps, input, options, group, run.routed, stream);
        run.upstreamMs = performance.now() - started;
        return produced;
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        lastError = err;
        const kind = failureKind(err.status, err.message);
        if (kind === "client_gone") throw err;
        if (kind !== "retryable") break;
      }
    }
    if (!lastError) throw GatewayError.internal();
    fallbackNames ??= fallbackGroups(router.fallbackSettings, first.name, failureKind(lastError.status, lastError.message), clientFallbacks)
      .slice(0, router.maxFallbacks);
    let next: ResolvedGroup | undefined;
    while (!next && step < fallbackNames.length) {
      const name = fallbackNames[step]!;
      const resolved = router.resolve(name);
      if (resolved) next = { ...resolved, name };
      else {
        deps.log.warn("fallback model group not found", { model_group: name });
        step++;
      }
    }
    if (!next) throw lastError;
    group = next;
    run.fallbacks = step + 1;
    run.retries = 0;
  }
}

/**
 * One attempt on one deployment, recorded in its stats. For a stream the first chunk is awaited
 * here, so a stream that fails before sending anything can still be retried elsewhere.
 */
async function attemptOne(deps: LlmCallDeps, input: CallInput, options: RequestHeaderOptions, group: ResolvedGroup, routed: Routed, stream: boolean): Promise<Produced> {
  const { router } = deps;
  const id = routed.target.deployment.id;
  const stats = router.statsOf(id);
  // The deployment's max_parallel_requests: wait for a slot (only when it has a cap and it is full).
  const limit = parallelLimitOf(routed.target.deployment.params, router.defaultMaxParallel);
  if (limit !== undefined) await router.slots.take(id, limit, input.signal, clientGone);
  let holding = limit !== undefined;
  const release = () => {
    if (!holding) return;
    holding = false;
    router.slots.release(id);
  };
  const started = performance.now();
  recordStart(stats, deps.now());
  const fail = (err: unknown) => {
    release();
    if (err instanceof GatewayError && err.status !== 499) router.failed(group, id, err, deps.now());
    else recordAbandoned(stats);
  };
  let produced: Produced;
  let firstChunk: IteratorResult<StreamItem>;
  try {
    produced = await produce(deps, input, options, group, routed, stream);
    if (produced.kind === "json") {
      release();
      const usage = produced.body.usage as Usage | undefined;
      recordSuccess(stats, { nowMs: deps.now(), latencyMs: performance.now() - started, tokens: usage?.total_tokens ?? 0 });
      return produced;
    }
    firstChunk = await produced.chunks.next();
  } catch (err) {
    fail(err);
    throw err;
  }
  const ttftMs = performance.now() - started;
  const rest = produced.chunks;
  // A stream holds its slot until it ends, however it ends (runLlmCall starts reading it at once, so
  // even a client gone before the first piece ends it through Bun's cancel). The signal gives the
  // slot back too, should the stream never be started.
  if (holding) input.signal.addEventListener("abort", release, { once: true });
  async function* tracked(): AsyncGenerator<StreamItem> {
    let usage: Usage | undefined;
    let ended = false;
    try {
      let next = firstChunk;
      while (!next.done) {
        usage = usageOfItem(next.value) ?? usage;
        yield next.value;
        next = await rest.next();
      }
      ended = true;
      release();
      recordSuccess(stats, { nowMs: deps.now(), latencyMs: performance.now() - started, ttftMs, tokens: usage?.total_tokens ?? 0 });
    } catch (err) {
      ended = true;
      fail(err);
      throw err;
    } finally {
      release();
      if (!ended) {
        recordAbandoned(stats);
        await rest.return(undefined).catch(() => {});
      }
    }
  }
  return { kind: "stream", chunks: tracked(), upstreamHeaders: produced.upstreamHeaders };
}

const isMock = (body: Json) => body.mock_response !== undefined && body.mock_response !== null;

/** Client-side `fallbacks`: model names, or `{model: ...}` objects (their other fields are not applied). */
function clientFallbacksOf(body: Json): string[] | undefined {
  const raw = body.fallbacks;
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) throw GatewayError.badRequest("fallbacks must be a list of model names", "fallbacks");
  return raw.map((f) => {
    const name = typeof f === "string" ? f : (f as Json | null)?.model;
    if (typeof name !== "string" || name === "") throw GatewayError.badRequest("fallbacks must be a list of model names", "fallbacks");
    return name;
  });
}

/** Team-scoped deployments (model_info.team_id) serve only that team's keys; admins see every one. */
export function visibleTo(group: ResolvedGroup, principal: Principal): ResolvedGroup | undefined {
  if (principal.kind === "master" || isProxyAdmin(principal.role)) return group;
  const teamId = principal.team?.teamId;
  const servesCaller = (c: Candidate) => {
    const owner = c.deployment.info.team_id;
    return owner === undefined || owner === null || owner === teamId;
  };
  let all = true;
  for (const c of group.candidates) if (!servesCaller(c)) all = false;
  if (all) return group;
  const candidates = group.candidates.filter(servesCaller);
  if (candidates.length === 0) return undefined;
  return candidates.length === group.candidates.length ? group : { ...group, candidates };
}

function withHeaders(err: GatewayError, headers: Record<string, string>): GatewayError {
  return new GatewayError({
    status: err.status,
    type: err.type,
    message: err.message,
    param: err.param,
    retryAfterS: err.retryAfterS,
    headers: { ...err.headers, ...headers },
  });
}

const clientGone = () => new GatewayError({ status: 499, type: "client_closed_request", message: "Client closed the request." });

function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  const gone = clientGone;
  if (signal.aborted) return Promise.reject(gone());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(gone());
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Passes chunks on and settles exactly once: at the end, on failure, or when the consumer stops.
 * Awaited before the stream ends, so spend is journaled by the time the client reads [DONE]. Text
 * the upstream's end came with is settled before it is passed on, so it can go out with [DONE] in
 * one write.
 */
async function* settled(
  chunks: AsyncGenerator<StreamItem>,
  settle: (status: CallOutcome["status"], httpStatus: number, answer: Answered, error?: Error) => Promise<unknown>,
  transcript?: StreamTranscript,
): AsyncGenerator<StreamItem> {
  const answer: { usage?: Usage; responseId?: string; readonly body?: Json } = transcript ? { get body() { return transcript.result(); } } : {};
  let done = false;
  const once = (status: CallOutcome["status"], httpStatus: number, error?: Error) => {
    if (done) return undefined;
    done = true;
    return settle(status, httpStatus, answer, error);
  };
  try {
    for await (const chunk of chunks) {
      answer.usage = usageOfItem(chunk) ?? answer.usage;
      answer.responseId ??= responseIdOfItem(chunk);
      transcript?.add(chunk);
      if (endsStream(chunk)) await once("success", 200);
      yield chunk;
    }
    await once("success", 200);
  } catch (err) {
    const status = err instanceof GatewayError ? err.status : 500;
    await once(status === 499 ? "client_disconnected" : "failure", status, err as Error);
    throw err;
  } finally {
    await once("client_disconnected", 200);
  }
}

function checkAccess(
  deps: LlmCallDeps,
  principal: Principal,
  requested: string,
  aliasTarget: string | undefined,
  group: ResolvedGroup | undefined,
  param = "model",
) {
  if (principal.kind !== "key") return;
  const groupsOf = (name: string): readonly string[] => {
    const g = name === group?.name ? group : deps.router.resolve(name);
    return g ? accessGroupsOf(g) : [];
  };
  const names: RequestedModel[] = [{ name: requested, accessGroups: groupsOf(requested) }];
  if (aliasTarget) names.push({ name: aliasTarget, accessGroups: groupsOf(aliasTarget) });
  const lists: AccessList[] = accessListsOf({
    keyModels: principal.key.models,
    teamModels: principal.team?.models,
    userModels: principal.user?.models,
  });
  const decision = decideModelAccess(lists, names);
  if (!decision.ok) throw new GatewayError({ status: 401, type: decision.type, message: decision.message, param });
}

async function produce(
  deps: LlmCallDeps,
  input: CallInput,
  options: RequestHeaderOptions,
  group: ResolvedGroup,
  routed: Routed,
  stream: boolean,
): Promise<Produced> {
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
  const timeoutS =
    params.timeout ??
    options.timeoutS ??
    (typeof body.timeout === "number" ? body.timeout : undefined) ??
    deps.config.router.timeout ??
    deps.config.litellm.request_timeout ??
    DEFAULT_TIMEOUT_S;
  const forwarded = withoutProxyParams(viaChat ? toChatBody(body) : body);
  const result = await callUpstream(routed, viaChat ? "chat" : kind, forwarded, {
    stream,
    dropParams: deps.config.litellm.drop_params === true || body.drop_params === true,
    signal: input.signal,
    timeoutMs: timeoutS * 1000,
    streamTimeoutMs: (params.stream_timeout ?? options.streamTimeoutS ?? timeoutS) * 1000,
    passThrough: input.passThrough && !viaChat ? { includeUsage: includesUsage(body) } : undefined,
    now: deps.now,
  });
  if (!viaChat) return result;
  return result.kind === "json"
    ? { kind: "json", body: toTextCompletion(result.body), upstreamHeaders: result.upstreamHeaders }
    : { kind: "stream", chunks: toTextCompletionChunks(chunksOnly(result.chunks)), upstreamHeaders: result.upstreamHeaders };
}
