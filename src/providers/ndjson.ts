// Newline-delimited JSON (Ollama's streaming format), one object per line as it arrives.
import { byteChunks } from "./byte-chunks.ts";
import type { Json } from "./types.ts";

export async function* readNdjson(body: ReadableStream<Uint8Array>): AsyncGenerator<Json> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const bytes of byteChunks(body)) {
    pending += decoder.decode(bytes, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line) yield JSON.parse(line) as Json;
    }
  }
  const rest = (pending + decoder.decode()).trim();
  if (rest) yield JSON.parse(rest) as Json;
}
