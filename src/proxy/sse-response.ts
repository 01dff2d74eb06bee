// OpenAI chunks → an SSE response, one event per chunk as it is produced (chunks passed through
// as the upstream's text go out as they came, several events in one piece). Usage was always asked
// for upstream; a client that did not ask for it (stream_options.include_usage) does not see it.
// Once the stream has started, a failure is one `data: {"error":...}` event and the end.
import { errorBody, GatewayError } from "../errors.ts";
import { type Chunk, endsStream, SseText, type StreamItem, visibleChunk } from "../providers/types.ts";

// Text goes to the socket as it is: Bun's direct stream encodes it on write, without a copy.
const event = (data: unknown) => `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;

export const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" };

/**
 * Serialises items as they come and writes each straight to the response (Bun's direct stream: no
 * queue between this loop and the socket); `onCancel` runs when the client goes away. `first`, an
 * item already in hand, is written before anything is awaited: Bun then sends it with the status
 * line and headers (an await first would send those on their own).
 */
export function eventStream(
  source: AsyncGenerator<unknown>,
  serialise: (item: unknown) => string | undefined,
  end: string | undefined,
  onError: (err: unknown) => string,
  onCancel: () => void,
  isLast?: (item: unknown) => boolean,
  first?: unknown,
): ReadableStream<Uint8Array> {
  let cancelled = false;
  const direct: Bun.DirectUnderlyingSource<Uint8Array> = {
    type: "direct",
    async pull(controller) {
      let closed = false;
      const close = () => {
        if (closed || cancelled) return;
        closed = true;
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      // The last piece goes out with the end and the stream closes at once, in one send; the
      // source is still read to its own end, so everything behind it finishes as it would have.
      const put = async (item: unknown) => {
        const piece = serialise(item);
        if (cancelled) return;
        if (isLast?.(item)) {
          // Written and closed without an await between them: the end of the chunked body leaves in
          // the same send. (A write to a client gone throws here; the caller's catch has it.)
          const last = (piece ?? "") + (end ?? "");
          if (last) unawaited(controller.write(last));
          return close();
        }
        if (!piece) return;
        await controller.write(piece); // awaited: a slow client holds the upstream back
        await controller.flush();
      };
      try {
        if (first !== undefined) await put(first);
        for (;;) {
          const next = await source.next();
          if (next.done) break;
          if (!closed) await put(next.value);
        }
        // Not awaited: the close below then sends the end of the chunked body with it.
        if (end && !closed && !cancelled) unawaited(controller.write(end));
      } catch (err) {
        // Cancelled by the client: nobody left to tell.
        if (!cancelled && !closed) {
          try {
            await controller.write(onError(err));
          } catch {
            // the client went away meanwhile
          }
        }
      } finally {
        // A write to a client that is gone throws before cancel() may run: the source is ended
        // here too, so its own cleanup (settling the call, aborting the upstream) always runs.
        void source.return(undefined).catch(() => {});
      }
      close();
    },
    cancel() {
      cancelled = true;
      onCancel();
      void source.return(undefined).catch(() => {});
    },
  };
  // The DOM typings in use lack Bun's direct-source constructor.
  return new ReadableStream<Uint8Array>(direct as unknown as UnderlyingDefaultSource<Uint8Array>);
}

/** A write left to finish on its own (a client that left meanwhile is no error here). */
const unawaited = (written: unknown) => {
  if (written instanceof Promise) written.catch(() => {});
};

export function errorEvent(err: unknown): string {
  return event(errorBody(err instanceof GatewayError ? err : GatewayError.internal()));
}

/**
 * `first` (in hand) and then `chunks`, as SSE. `headers` (the call's own object) receives the SSE
 * headers: no copy per stream.
 */
export function sseResponse(
  first: StreamItem | undefined,
  chunks: AsyncGenerator<StreamItem>,
  includeUsage: boolean,
  headers: Record<string, string>,
  onCancel: () => void,
): Response {
  const body = eventStream(
    chunks,
    (item) => {
      if (item instanceof SseText) return item.text;
      const visible = visibleChunk(item as Chunk, includeUsage);
      return visible ? event(visible) : undefined;
    },
    event("[DONE]"),
    errorEvent,
    onCancel,
    endsStream,
    first,
  );
  for (const name in SSE_HEADERS) headers[name] ??= SSE_HEADERS[name as keyof typeof SSE_HEADERS];
  return new Response(body, { status: 200, headers });
}
