// Azure streams OpenAI chunks; its first chunk may have no choices (prompt filter results).
import type { CallKind, StreamItem, StreamPassThrough, Target } from "../types.ts";
import { fromOpenAIStream, passThroughOpenAIStream } from "../openai/stream.ts";

export function fromAzureStream(kind: CallKind, body: ReadableStream<Uint8Array>, target: Target, passThrough?: StreamPassThrough): AsyncGenerator<StreamItem> {
  return passThrough ? passThroughOpenAIStream(body, target, passThrough, "AzureException") : fromOpenAIStream(kind, body, target, "AzureException");
}
