// One HTTP call to a provider: translate, fetch, map failures. The fetch is aborted when the
// client goes away (noticed from LISTEN_AFTER_MS into the call on), when the deployment's timeout
// passes before the response starts, and when a stream stays silent longer than stream_timeout.
// Bun's fetch keeps connections alive and reuses them per origin; the requests of one event-loop
// turn leave together (fetch-in-turn.ts).
import { GatewayError } from "../errors.ts";
import type { Routed } from "../router/router.ts";
import type { CallKind, Json, StreamItem, StreamPassThrough } from "../providers/types.ts";
import { retryAfterSeconds, upstreamError } from "../providers/upstream-error.ts";
import { fetchInTurn } from "./fetch-in-turn.ts";
import { takeRequestText } from "./request-text.ts";

export interface UpstreamCallOptions {
  stream: boolean;
  dropParams: boolean;
  /** Aborts when the client disconnects. */
  signal: AbortSignal;
  timeoutMs: number;
  /** For streams: the longest wait for the response to start and between two chunks. */
  streamTimeoutMs: number;
  /**
   * The client takes OpenAI's format as text: an OpenAI-format upstream's chunks may pass unparsed,
   * and its JSON answer is kept as the text it came in.
   */
  passThrough?: StreamPassThrough;
  now: () => number;
}

/** `upstreamHeaders`: the provider's response headers, passed on to the client as llm_provider-*. */
export type UpstreamResult =
  | { kind: "json"; body: Json; text?: string; upstreamHeaders?: Headers }
  | { kind: "stream"; chunks: AsyncGenerator<StreamItem>; upstreamHeaders?: Headers };

// A client that goes away is listened for only once a call has run this long (or at its timeout,
// if sooner): most calls end well within it and skip an event listener each (2% of the gateway's
// CPU under load); a client that leaves sooner has its upstream call stopped by then.
const LISTEN_AFTER_MS = 1_000;

export async function callUpstream(routed: Routed, kind: CallKind, body: Json, options: UpstreamCallOptions): Promise<UpstreamResult> {
  const { adapter, target } = routed;
  const request = adapter.toRequest(kind, body, target, { stream: options.stream, dropParams: options.dropParams });
  const controller = new AbortController();
  let timedOutAfterMs: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onClientGone = () => controller.abort();
  let listening = false;
  const listen = () => {
    if (listening) return;
    listening = true;
    if (options.signal.aborted) controller.abort();
    else options.signal.addEventListener("abort", onClientGone, { once: true });
  };
  // One timer: it starts listening for the client after LISTEN_AFTER_MS, then waits out the timeout.
  const arm = (ms: number) => {
    clearTimeout(timer);
    const deadline = performance.now() + ms;
    const wait = (delayMs: number) => {
      timer = setTimeout(() => {
        listen();
        const leftMs = deadline - performance.now();
        if (leftMs > 0) return wait(leftMs);
        timedOutAfterMs = ms;
        controller.abort();
      }, listening ? delayMs : Math.min(delayMs, LISTEN_AFTER_MS));
    };
    wait(ms);
  };
  if (options.signal.aborted) controller.abort();
  const cleanup = () => {
    clearTimeout(timer);
    if (listening) options.signal.removeEventListener("abort", onClientGone);
  };
  const toError = (err: unknown): GatewayError => {
    if (err instanceof GatewayError) return err;
    if (timedOutAfterMs !== undefined) {
      return upstreamError(target, adapter.exceptionName, 408, { message: `Request timed out after ${timedOutAfterMs / 1000}s` });
    }
    if (options.signal.aborted) return new GatewayError({ status: 499, type: "client_closed_request", message: "Client closed the request." });
    // Only the error code: fetch's own messages can carry the URL, and some URLs carry a key.
    const code = (err as { code?: unknown })?.code;
    if (typeof code === "string") {
      return upstreamError(target, adapter.exceptionName, 500, { message: `Connection error (${code})` }, undefined, "APIConnectionError");
    }
    return upstreamError(target, adapter.exceptionName, 502, { message: `Invalid or interrupted response (${(err as Error)?.name ?? "Error"})` });
  };

  arm(options.stream ? options.streamTimeoutMs : options.timeoutMs);
  let res: Response;
  try {
    res = await fetchInTurn(request.url, {
      method: "POST",
      headers: request.headers,
      // A body the adapter left as it was goes out as the text the client sent.
      body: (request.body === body && takeRequestText(body)) || JSON.stringify(request.body),
      signal: controller.signal,
    });
  } catch (err) {
    cleanup();
    throw toError(err);
  }
  if (!res.ok) {
    const text = await res.text().catch(() => "");
    cleanup();
    throw upstreamError(target, adapter.exceptionName, res.status, adapter.fromError(res.status, text), retryAfterSeconds(res.headers, options.now()));
  }
  if (!options.stream) {
    try {
      const text = await res.text();
      const json = JSON.parse(text) as Json;
      const body = adapter.fromResponse(kind, json, target);
      // Unchanged by the adapter (an OpenAI-format upstream): the client gets the upstream's own text.
      return { kind: "json", body, text: options.passThrough && body === json ? text : undefined, upstreamHeaders: res.headers };
    } catch (err) {
      throw toError(err);
    } finally {
      cleanup();
    }
  }
  if (!res.body) {
    cleanup();
    throw toError(new Error("no body"));
  }
  const upstream = adapter.fromStream(kind, res.body, target, options.passThrough)[Symbol.asyncIterator]();
  // The silence limit counts only time spent waiting on the provider, not a slow client's reading.
  // One timer per stream, not one per chunk: each chunk only moves the start of the wait.
  clearTimeout(timer);
  const silenceMs = options.streamTimeoutMs;
  let waitingSince: number | undefined;
  const watch = (delayMs: number) => {
    timer = setTimeout(() => {
      listen();
      const waitedMs = waitingSince === undefined ? 0 : performance.now() - waitingSince;
      if (waitedMs >= silenceMs) {
        timedOutAfterMs = silenceMs;
        controller.abort();
      } else watch(silenceMs - waitedMs);
    }, listening ? delayMs : Math.min(delayMs, LISTEN_AFTER_MS));
  };
  const chunks = async function* (): AsyncGenerator<StreamItem> {
    watch(silenceMs);
    let ended = false;
    try {
      for (;;) {
        waitingSince = performance.now();
        const next = await upstream.next();
        waitingSince = undefined;
        if (next.done) break;
        yield next.value;
      }
      ended = true;
    } catch (err) {
      throw toError(err);
    } finally {
      cleanup();
      // Stopped early (the client left, an error): the upstream must stop too. A body read to
      // its end has nothing left to abort.
      if (!ended) {
        controller.abort();
        await upstream.return?.(undefined).catch(() => {});
      }
    }
  };
  return { kind: "stream", chunks: chunks(), upstreamHeaders: res.headers };
}
