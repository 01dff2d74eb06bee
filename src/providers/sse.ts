// Server-sent events (the WHATWG event-stream format) read from a byte stream one event at a
// time, so each event is handed on as soon as its blank line arrives: no buffering beyond it.
import { byteChunks } from "./byte-chunks.ts";

export interface SseEvent {
  event: string | undefined;
  data: string;
}

export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let pending = "";
  let event: string | undefined;
  let data: string[] = [];
  for await (const bytes of byteChunks(body)) {
    pending += decoder.decode(bytes, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      let line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (line === "") {
        if (data.length > 0) yield { event, data: data.join("\n") };
        event = undefined;
        data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "data") data.push(value);
      else if (field === "event") event = value;
    }
  }
  pending += decoder.decode();
  if (pending.startsWith("data:")) data.push(pending.slice(5).trimStart());
  if (data.length > 0) yield { event, data: data.join("\n") };
}
