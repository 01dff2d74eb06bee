// OpenAI chunks → an SSE response, one event per chunk as it is produced. Usage was always asked
// for upstream; a client that did not ask for it (stream_options.include_usage) does not see it.
// Once the stream has started, a failure is one `data: {"error":...}` event and the end.
import { errorBody, GatewayError } from "../errors.ts";
import type { Chunk } from "../providers/types.ts";

const encoder = new TextEncoder();
const event = (data: unknown) => encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);

export const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" };

export function visibleChunk(chunk: Chunk, includeUsage: boolean): Chunk | undefined {
  if (includeUsage || !("usage" in chunk)) return chunk;
  const choices = chunk.choices as unknown[] | undefined;
  if (!choices || choices.length === 0) return undefined;
  const { usage: _usage, ...rest } = chunk;
  return rest;
}

/** Serialises chunks as they come; `onCancel` runs when the client goes away. */
export function eventStream(
  source: AsyncGenerator<unknown>,
  serialise: (item: unknown) => Uint8Array | undefined,
  end: Uint8Array | undefined,
  onError: (err: unknown) => Uint8Array,
  onCancel: () => void,
): ReadableStream<Uint8Array> {
  let finished = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (finished) return;
      try {
        for (;;) {
          const next = await source.next();
          if (next.done) {
            finished = true;
            if (end) controller.enqueue(end);
            controller.close();
            return;
          }
          const bytes = serialise(next.value);
          if (bytes) {
            controller.enqueue(bytes);
            return;
          }
        }
      } catch (err) {
        if (finished) return; // cancelled by the client: nobody left to tell
        finished = true;
        controller.enqueue(onError(err));
        controller.close();
      }
    },
    cancel() {
      finished = true;
      onCancel();
      void source.return(undefined).catch(() => {});
    },
  });
}

export function errorEvent(err: unknown): Uint8Array {
  return event(errorBody(err instanceof GatewayError ? err : GatewayError.internal()));
}

export function sseResponse(chunks: AsyncGenerator<Chunk>, includeUsage: boolean, headers: Record<string, string>, onCancel: () => void): Response {
  const body = eventStream(
    chunks,
    (chunk) => {
      const visible = visibleChunk(chunk as Chunk, includeUsage);
      return visible ? event(visible) : undefined;
    },
    event("[DONE]"),
    errorEvent,
    onCancel,
  );
  return new Response(body, { status: 200, headers: { ...SSE_HEADERS, ...headers } });
}
