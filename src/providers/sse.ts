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
    // A cursor over the buffer: one slice per line, not a copy of the rest of the buffer per line.
    let start = 0;
    let newline: number;
    while ((newline = pending.indexOf("\n", start)) >= 0) {
      const end = newline > start && pending.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      const line = pending.slice(start, end);
      start = newline + 1;
      if (line === "") {
        if (data.length > 0) yield { event, data: data.length === 1 ? data[0]! : data.join("\n") };
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
    pending = start === 0 ? pending : pending.slice(start);
  }
  pending += decoder.decode();
  if (pending.startsWith("data:")) data.push(pending.slice(5).trimStart());
  if (data.length > 0) yield { event, data: data.join("\n") };
}
