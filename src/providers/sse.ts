// Server-sent events (the WHATWG event-stream format) read from a byte stream. Each event is handed
// on as soon as its blank line arrives: no buffering beyond it. `readSse` yields one event at a
// time; `SseParser` is also the fallback of the OpenAI pass-through (openai/stream.ts).
import { byteChunks } from "./byte-chunks.ts";

export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** Splits decoded text into events; keeps an unfinished line and event for the next push. */
export class SseParser {
  private pending = "";
  private event: string | undefined;
  private data: string[] = [];

  push(text: string, out: SseEvent[]): void {
    const pending = this.pending + text;
    // A cursor over the buffer: one slice per line, not a copy of the rest of the buffer per line.
    let start = 0;
    let newline: number;
    while ((newline = pending.indexOf("\n", start)) >= 0) {
      const end = newline > start && pending.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      const line = pending.slice(start, end);
      start = newline + 1;
      if (line === "") {
        if (this.data.length > 0) out.push({ event: this.event, data: this.data.length === 1 ? this.data[0]! : this.data.join("\n") });
        this.event = undefined;
        this.data = [];
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "data") this.data.push(value);
      else if (field === "event") this.event = value;
    }
    this.pending = start === 0 ? pending : pending.slice(start);
  }

  /** The body ended: a last event without its blank line still counts. */
  end(tail: string, out: SseEvent[]): void {
    const pending = this.pending + tail;
    if (pending.startsWith("data:")) this.data.push(pending.slice(5).trimStart());
    if (this.data.length > 0) out.push({ event: this.event, data: this.data.join("\n") });
  }
}

export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for await (const bytes of byteChunks(body)) {
    parser.push(decoder.decode(bytes, { stream: true }), events);
    yield* events.splice(0);
  }
  parser.end(decoder.decode(), events);
  yield* events;
}
