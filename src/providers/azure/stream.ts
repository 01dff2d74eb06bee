// Azure streams OpenAI chunks; its first chunk may have no choices (prompt filter results).
import type { CallKind, Chunk, Target } from "../types.ts";
import { fromOpenAIStream } from "../openai/stream.ts";

export function fromAzureStream(kind: CallKind, body: ReadableStream<Uint8Array>, target: Target): AsyncGenerator<Chunk> {
  return fromOpenAIStream(kind, body, target, "AzureException");
}
