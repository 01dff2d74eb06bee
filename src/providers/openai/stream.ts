// OpenAI's SSE stream: `data: {chunk}` events ending with `data: [DONE]`. An `error` payload
// in the stream (OpenAI sends one when generation fails mid-way) becomes a thrown error.
import { byteChunks } from "../byte-chunks.ts";
import { readSse, type SseEvent, SseParser } from "../sse.ts";
import { type CallKind, type Chunk, type Json, SseText, type StreamItem, type StreamPassThrough, type Target, type Usage, visibleChunk } from "../types.ts";
import { upstreamError } from "../upstream-error.ts";

export async function* fromOpenAIStream(
  _kind: CallKind,
  body: ReadableStream<Uint8Array>,
  target: Target,
  exceptionName = "OpenAIException",
): AsyncGenerator<Chunk> {
  for await (const event of readSse(body)) {
    if (event.data === "[DONE]") return;
    yield parseChunk(event.data, target, exceptionName);
  }
}

/**
 * The same stream for an OpenAI-format client: the events that arrived together are passed on as
 * one `SseText`, as the upstream wrote them. The usage chunk a client asked for (include_usage)
 * stays in that text, its usage read on the side to settle the call. An event that must change
 * (usage a client did not ask for) or that ends the stream (an error) is parsed as above, so the
 * pipeline handles it exactly as before, and so is an event spread over several `data:` lines. The
 * test is textual and errs towards parsing.
 */
export async function* passThroughOpenAIStream(
  body: ReadableStream<Uint8Array>,
  target: Target,
  options: StreamPassThrough,
  exceptionName = "OpenAIException",
): AsyncGenerator<StreamItem> {
  const decoder = new TextDecoder();
  const scanner = new PassThroughScanner(options.includeUsage);
  let idUnread = true;
  // Pieces become items one at a time: an error after passed-on text must follow that text. The
  // first text carries the chunks' id (a parsed chunk has its own). Text that [DONE] follows in
  // the same read says so: the call can be settled before it goes out, and it goes out with the end.
  const item = (piece: Exclude<Piece, typeof DONE>, ends: boolean) => {
    if (typeof piece !== "string" && !("text" in piece)) return parseChunk(piece.data, target, exceptionName);
    const text = typeof piece === "string" ? piece : piece.text;
    const usage = typeof piece === "string" ? undefined : piece.usage;
    const id = idUnread ? firstIdIn(text) : undefined;
    idUnread = false;
    return new SseText(text, usage, id, ends);
  };
  for await (const bytes of byteChunks(body)) {
    const pieces = foldedEnd(scanner.push(decoder.decode(bytes, { stream: true })), options.includeUsage);
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i]!;
      if (piece === DONE) return;
      yield item(piece, pieces[i + 1] === DONE);
    }
  }
  const pieces = foldedEnd(scanner.end(decoder.decode()), options.includeUsage);
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (piece === DONE) return;
    yield item(piece, pieces[i + 1] === DONE);
  }
}

/**
 * A read that ends with text, one event to parse and [DONE] (the usage chunk a client that did not
 * ask for usage must not see as it came): the event is parsed here and folded into the text, shown
 * as the client may see it, so the stream's end is one text that [DONE] follows. An error event, or
 * one that is not a JSON object, is left to the general path.
 */
function foldedEnd(pieces: Piece[], includeUsage: boolean): Piece[] {
  const n = pieces.length;
  if (n < 3 || pieces[n - 1] !== DONE) return pieces;
  const text = pieces[n - 3]!;
  const last = pieces[n - 2]!;
  if (typeof text === "symbol" || (typeof text === "object" && !("text" in text)) || typeof last !== "object" || !("data" in last)) return pieces;
  let chunk: unknown;
  try {
    chunk = JSON.parse(last.data);
  } catch {
    return pieces;
  }
  if (typeof chunk !== "object" || chunk === null || Array.isArray(chunk) || "error" in chunk) return pieces;
  const visible = visibleChunk(chunk as Chunk, includeUsage);
  const before = typeof text === "string" ? text : text.text;
  const joined = visible ? `${before}data: ${JSON.stringify(visible)}\n\n` : before;
  const usage = usageOf(chunk as Json) ?? (typeof text === "string" ? undefined : text.usage);
  return [...pieces.slice(0, n - 3), usage ? { text: joined, usage } : joined, DONE];
}

const usageOf = (chunk: Json): Usage | undefined =>
  typeof chunk.usage === "object" && chunk.usage !== null && !Array.isArray(chunk.usage) ? (chunk.usage as Usage) : undefined;

/** The value of the first `"id":"..."` member in the text (a chunk's id comes first in OpenAI's). */
export function firstIdIn(text: string): string | undefined {
  const at = text.indexOf('"id":"');
  if (at < 0) return undefined;
  const end = text.indexOf('"', at + 6);
  return end < 0 ? undefined : text.slice(at + 6, end);
}

const DONE = Symbol("[DONE]");
/** Text to pass on as it is (with the usage it carries), an event's data to parse, or the end. */
export type Piece = string | { text: string; usage: Usage } | { data: string } | typeof DONE;

/**
 * Splits the decoded stream into pieces. While every event is one `data: ` line, consecutive plain
 * events stay one slice of the upstream's text and nothing is split into lines; the first other
 * event (a comment, an `event:` field, several data lines, CR line ends) hands the rest of the
 * stream to the general SSE parser, whose events are re-sent as `data: …` lines.
 */
export class PassThroughScanner {
  private pending = "";
  private parser: SseParser | undefined;

  constructor(private readonly includeUsage: boolean) {}

  push(text: string): Piece[] {
    const out: Piece[] = [];
    if (this.parser) return this.parsed(text, out);
    const buf = this.pending + text;
    this.pending = "";
    if (buf.includes("\r")) return this.parsed(buf, out);
    let p = 0; // start of the next event
    let run = 0; // start of the plain events not yet handed on
    let runUsage: Usage | undefined; // usage read from an event of that run
    let rewritten = ""; // text before `run` not yet handed on: slices and events with a member removed
    const handOn = (end: number) => {
      const text = run < end ? rewritten + buf.slice(run, end) : rewritten;
      if (text) out.push(runUsage ? { text, usage: runUsage } : text);
      rewritten = "";
      runUsage = undefined;
    };
    let nextError = member(buf, '"error"', 0);
    let nextUsage = member(buf, '"usage"', 0);
    for (let e = buf.indexOf("\n\n"); e >= 0; p = e + 2, e = buf.indexOf("\n\n", p)) {
      if (!buf.startsWith("data: ", p) || buf.indexOf("\n", p) !== e) {
        handOn(p);
        return this.parsed(buf.slice(p), out);
      }
      const start = p + 6;
      if (e - start === 6 && buf.startsWith("[DONE]", start)) {
        handOn(p);
        out.push(DONE);
        return out;
      }
      if (nextError >= 0 && nextError < start) nextError = member(buf, '"error"', start);
      if (nextUsage >= 0 && nextUsage < start) nextUsage = member(buf, '"usage"', start);
      const hasError = nextError >= 0 && nextError < e;
      if (!hasError && nextUsage >= 0 && nextUsage < e) {
        // Every chunk once usage is asked for upstream: its one "usage" member is null. Told by
        // position, with no slice or parse: it passes as it is to a client that asked for usage,
        // and is cut out of the text for one that did not (as withoutNullUsage would).
        const after = member(buf, '"usage"', nextUsage + 1);
        const span = after >= 0 && after < e ? undefined : nullUsageSpan(buf, nextUsage, start, e);
        if (span && (this.includeUsage || !hasEmptyChoices(buf, start, e))) {
          nextUsage = after;
          if (!this.includeUsage) {
            rewritten += buf.slice(run, span.from);
            run = span.to;
          }
          continue;
        }
      }
      if (hasError || (nextUsage >= 0 && nextUsage < e)) {
        const data = buf.slice(start, e);
        const usage = this.usagePassingOn(data);
        if (usage) runUsage = usage;
        else if (mayCarry(data, "error", false) || mayCarry(data, "usage", this.includeUsage)) {
          // The `"usage": null` that every chunk carries once usage is asked for upstream, hidden
          // from a client that did not ask for it by removing the member from the text: no parse.
          const stripped = this.includeUsage ? undefined : withoutNullUsage(data);
          if (stripped !== undefined) {
            rewritten += `${buf.slice(run, p)}data: ${stripped}\n\n`;
          } else {
            handOn(p);
            out.push({ data });
          }
          run = e + 2;
        }
      }
    }
    handOn(p);
    this.pending = buf.slice(p);
    return out;
  }

  /** The body ended: a last event without its blank line still counts. */
  end(tail: string): Piece[] {
    const out: Piece[] = [];
    const parser = this.parser ?? new SseParser();
    const events: SseEvent[] = [];
    parser.push(this.parser ? tail : this.pending + tail, events);
    parser.end("", events);
    this.pieces(events, out);
    return out;
  }

  /**
   * The usage of a chunk that may pass on as it is: the client asked for usage and the chunk is a
   * valid one-line chunk with usage and no error. Anything else is parsed on the general path.
   */
  private usagePassingOn(data: string): Usage | undefined {
    if (!this.includeUsage || mayCarry(data, "error", false) || !mayCarry(data, "usage", true)) return undefined;
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      return undefined;
    }
    if (typeof chunk !== "object" || chunk === null || "error" in chunk) return undefined;
    return usageOf(chunk as Json);
  }

  private parsed(text: string, out: Piece[]): Piece[] {
    this.parser ??= new SseParser();
    const events: SseEvent[] = [];
    this.parser.push(text, events);
    this.pieces(events, out);
    return out;
  }

  private pieces(events: SseEvent[], out: Piece[]): void {
    let text = "";
    let textUsage: Usage | undefined;
    const handOn = () => {
      if (text) out.push(textUsage ? { text, usage: textUsage } : text);
      text = "";
      textUsage = undefined;
    };
    for (const event of events) {
      const data = event.data;
      if (data === "[DONE]") {
        handOn();
        out.push(DONE);
        return;
      }
      // An event sent as several data: lines holds newlines: re-sent as one line it would break.
      const usage = data.includes("\n") ? undefined : this.usagePassingOn(data);
      if (usage) {
        textUsage = usage;
        text += `data: ${data}\n\n`;
      } else if (data.includes("\n") || mayCarry(data, "error", false) || mayCarry(data, "usage", this.includeUsage)) {
        const stripped = this.includeUsage || data.includes("\n") ? undefined : withoutNullUsage(data);
        if (stripped !== undefined) {
          text += `data: ${stripped}\n\n`;
          continue;
        }
        handOn();
        out.push({ data });
      } else text += `data: ${data}\n\n`;
    }
    handOn();
  }
}

/**
 * Where `quoted` (a quoted member name) next occurs from `from`, or -1. Searched by its tail: a
 * search starting at `"` stops at every key of the JSON, one starting at a rarer letter does not
 * (3.7 KB of chunks: 1.6 → 0.4-0.7 µs).
 */
function member(text: string, quoted: string, from: number): number {
  const tail = quoted.slice(2);
  for (let at = text.indexOf(tail, from + 2); at >= 0; at = text.indexOf(tail, at + 1)) {
    if (text.startsWith(quoted, at - 2)) return at - 2;
  }
  return -1;
}

/**
 * The text to cut for the `"usage": null` member whose name starts at `at`, in the event's data
 * [start, end): the comma before it and the member (`, "usage": null` before `,` or `}`), or the
 * member and the comma after it when it comes first (`{"usage": null,`): what the patterns below
 * remove. Undefined for any other shape (a value that is not null, usage the only member).
 */
function nullUsageSpan(text: string, at: number, start: number, end: number): { from: number; to: number } | undefined {
  let i = skipSpaces(text, at + 7);
  if (text.charCodeAt(i) !== 58 /* : */) return undefined;
  i = skipSpaces(text, i + 1);
  if (!text.startsWith("null", i)) return undefined;
  i += 4;
  const next = skipSpaces(text, i);
  if (next >= end) return undefined;
  const follower = text.charCodeAt(next);
  let before = at - 1;
  while (before > start && isSpace(text.charCodeAt(before))) before--;
  if (text.charCodeAt(before) === 44 /* , */ && (follower === 44 || follower === 125 /* } */)) return { from: before, to: i };
  if (text.charCodeAt(before) === 123 /* { */ && follower === 44) return { from: at, to: next + 1 };
  return undefined;
}

/** Whether the event's data [start, end) has `"choices": []` (such a chunk is dropped for a client, which needs the parse). */
function hasEmptyChoices(text: string, start: number, end: number): boolean {
  for (let at = text.indexOf('"choices"', start); at >= 0 && at < end; at = text.indexOf('"choices"', at + 1)) {
    let i = skipSpaces(text, at + 9);
    if (text.charCodeAt(i) !== 58 /* : */) continue;
    i = skipSpaces(text, i + 1);
    if (text.charCodeAt(i) !== 91 /* [ */) continue;
    if (text.charCodeAt(skipSpaces(text, i + 1)) === 93 /* ] */) return true;
  }
  return false;
}

const skipSpaces = (text: string, i: number) => {
  while (isSpace(text.charCodeAt(i))) i++;
  return i;
};

const NULL_USAGE_AFTER = /,\s*"usage"\s*:\s*null(?=\s*[,}])/g;
const NULL_USAGE_FIRST = /(?<=\{\s*)"usage"\s*:\s*null\s*,/g;

/**
 * A chunk's text without its `"usage": null` members, when that is all that keeps it from passing
 * as it is: no error, no usage with a value, and choices to show (a chunk with none is dropped for
 * such a client, which needs the parse). Undefined otherwise. A quoted name inside a string value
 * has escaped quotes, so the patterns only meet members.
 */
export function withoutNullUsage(data: string): string | undefined {
  if (mayCarry(data, "error", false) || mayCarry(data, "usage", true) || /"choices"\s*:\s*\[\s*\]/.test(data)) return undefined;
  const stripped = data.replace(NULL_USAGE_AFTER, "").replace(NULL_USAGE_FIRST, "");
  return mayCarry(stripped, "usage", false) ? undefined : stripped;
}

function parseChunk(data: string, target: Target, exceptionName: string): Chunk {
  const chunk = JSON.parse(data) as Json;
  if (chunk.error) {
    const e = chunk.error as { message?: string; type?: string; code?: unknown };
    const status = Number(e.code) >= 400 ? Number(e.code) : 500;
    throw upstreamError(target, exceptionName, status, { message: e.message ?? "stream failed" });
  }
  return chunk;
}

/**
 * Whether the JSON text may hold the member `"name"`: any occurrence of the quoted name followed by
 * a colon counts (inside a string value too: a false alarm only costs a parse). With `nullIsAbsent`
 * a member whose value is `null` does not count.
 */
export function mayCarry(data: string, name: string, nullIsAbsent: boolean): boolean {
  const quoted = name === "usage" ? '"usage"' : name === "error" ? '"error"' : `"${name}"`;
  for (let at = data.indexOf(quoted); at >= 0; at = data.indexOf(quoted, at + 1)) {
    let i = at + quoted.length;
    while (isSpace(data.charCodeAt(i))) i++;
    if (data.charCodeAt(i) !== 58 /* : */) continue;
    i++;
    while (isSpace(data.charCodeAt(i))) i++;
    if (!nullIsAbsent || !data.startsWith("null", i)) return true;
  }
  return false;
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
