// The pass-through's scanner: plain `data: ` events stay the upstream's own text, in as few pieces as
// the reads allow; events that matter are handed out to be parsed; anything unusual falls back to the
// general SSE parser with the same result as before the fast path existed.
import { describe, expect, test } from "bun:test";
import { passThroughOpenAIStream, PassThroughScanner, type Piece, withoutNullUsage } from "../../src/providers/openai/stream.ts";
import { type SseEvent, SseParser } from "../../src/providers/sse.ts";
import { SseText, type Target, type Usage } from "../../src/providers/types.ts";

const chunk = (i: number, usage = "") => `{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"tok${i}"}}]${usage}}`;
const USAGE = `{"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}`;
const ERROR = `{"error":{"message":"overloaded","type":"server_error"}}`;
const sse = (events: string[]) => events.map((e) => `data: ${e}\n\n`).join("");

function scan(parts: string[], includeUsage = false): Piece[] {
  const scanner = new PassThroughScanner(includeUsage);
  const out: Piece[] = [];
  for (const part of parts) out.push(...scanner.push(part));
  out.push(...scanner.end(""));
  return out;
}

/**
 * What the pieces say, independent of how the text was cut: the text passed on, the data parsed,
 * and (last) the usage read on the side from text that passed on.
 */
function meaning(pieces: Piece[]): string[] {
  const out: string[] = [];
  const usages: string[] = [];
  for (const p of pieces) {
    const text = typeof p === "string" ? p : typeof p === "object" && "text" in p ? p.text : undefined;
    if (typeof p === "object" && "usage" in p) usages.push(`usage:${JSON.stringify(p.usage)}`);
    if (text !== undefined) {
      if (typeof out.at(-1) === "string" && out.at(-1)!.startsWith("text:")) out[out.length - 1] += text;
      else out.push(`text:${text}`);
    } else out.push(typeof p === "symbol" ? "DONE" : `parse:${(p as { data: string }).data}`);
  }
  return [...out, ...usages];
}

/** The general parser's reading of the same stream: the behaviour before the scanner. */
function reference(text: string, includeUsage = false): string[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  parser.push(text, events);
  parser.end("", events);
  const pieces: Piece[] = [];
  for (const { data } of events) {
    if (data === "[DONE]") {
      pieces.push(Symbol("done") as never);
      break;
    }
    const oneLine = !data.includes("\n");
    const error = /"error"\s*:/.test(data);
    // With include_usage, a valid chunk with usage passes on as text, its usage read on the side.
    if (includeUsage && oneLine && !error && /"usage"\s*:\s*[^n\s]/.test(data)) {
      pieces.push({ text: `data: ${data}\n\n`, usage: (JSON.parse(data) as { usage: Usage }).usage });
      continue;
    }
    // Without include_usage, a chunk whose only usage is null passes with that member removed.
    if (!includeUsage && oneLine && !error && /"usage"\s*:\s*null/.test(data) && !/"usage"\s*:\s*[^n\s]/.test(data)) {
      pieces.push(`data: ${data.replace(/,\s*"usage"\s*:\s*null/g, "")}\n\n`);
      continue;
    }
    const special = !oneLine || error || (includeUsage ? /"usage"\s*:\s*[^n\s]/ : /"usage"\s*:/).test(data);
    pieces.push(special ? { data } : `data: ${data}\n\n`);
  }
  return meaning(pieces);
}

describe("PassThroughScanner", () => {
  test("plain events read together pass as one piece, byte for byte", () => {
    const text = sse([chunk(1), chunk(2), chunk(3)]);
    expect(scan([text])).toEqual([text]);
  });

  test("a read that ends mid-event keeps the rest for the next read; no piece splits an event", () => {
    const text = sse([chunk(1), chunk(2), chunk(3)]);
    const cut = text.indexOf("tok2");
    const pieces = scan([text.slice(0, cut), text.slice(cut)]);
    expect(pieces).toEqual([sse([chunk(1)]), sse([chunk(2), chunk(3)])]);
  });

  test("with include_usage the usage chunk stays in the text as the upstream wrote it, its usage read on the side", () => {
    const text = sse([chunk(1), chunk(2), USAGE]);
    expect(scan([`${text}data: [DONE]\n\n`], true)).toEqual([{ text, usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }, expect.any(Symbol)]);
    // Not valid JSON: parsed on the general path, which reports it.
    const broken = `{"choices":[],"usage":{"prompt_tokens":3}`;
    expect(scan([sse([chunk(1), broken])], true)).toEqual([sse([chunk(1)]), { data: broken }]);
  });

  test("without include_usage, usage and errors are handed out to be parsed, [DONE] ends the stream and nothing after it counts", () => {
    expect(scan([sse([chunk(1), chunk(2), USAGE, "[DONE]", chunk(9)])])).toEqual([sse([chunk(1), chunk(2)]), { data: USAGE }, expect.any(Symbol)]);
    expect(scan([sse([chunk(1), ERROR])])).toEqual([sse([chunk(1)]), { data: ERROR }]);
  });

  test('a "usage": null chunk passes as text: as it came with include_usage, without the member otherwise (no parse)', () => {
    const nullUsage = chunk(1, `,"usage": null`);
    expect(scan([sse([nullUsage])], true)).toEqual([sse([nullUsage])]);
    expect(scan([sse([nullUsage, chunk(2, `, "usage" : null`), chunk(3)])], false)).toEqual([sse([chunk(1), chunk(2), chunk(3)])]);
    // First member, or a chunk without choices (dropped for such a client), or with a real usage: parsed.
    expect(scan([sse([`{"usage":null,"choices":[{"delta":{}}]}`])], false)).toEqual([sse([`{"choices":[{"delta":{}}]}`])]);
    expect(scan([sse([`{"choices":[],"usage":null}`])], false)).toEqual([{ data: `{"choices":[],"usage":null}` }]);
    expect(scan([sse([USAGE])], false)).toEqual([{ data: USAGE }]);
  });

  test('a "usage": null member is told by its position as withoutNullUsage tells it by pattern: the same text passes, or the same chunk is parsed', () => {
    const shapes = [
      `{"id":"c","choices":[{"delta":{}}],"usage":null}`,
      `{"id":"c","choices":[{"delta":{}}] , "usage" :  null }`,
      `{"id":"c","usage":null,"choices":[{"delta":{}}]}`,
      `{ "usage" : null , "choices":[{"delta":{}}]}`,
      `{"usage":null}`,
      `{"id":"c","choices":[ ],"usage":null}`,
      `{"id":"c","choices":[{"delta":{}}],"usage":null,"usage":null}`,
      `{"id":"c","choices":[{"delta":{"content":"say \\"usage\\": null"}}],"usage":null}`,
      `{"id":"c","choices":[{"delta":{}}],"usage":nullish}`,
      `{"id":"c","choices":[{"delta":{}}],"x":{"usage":null},"usage":null}`,
    ];
    for (const data of shapes) {
      const stripped = withoutNullUsage(data);
      const expected = stripped === undefined ? [{ data }] : [sse([stripped])];
      expect([data, scan([sse([data])], false)]).toEqual([data, expected]);
      // With include_usage a null usage is no usage: the chunk passes as the upstream wrote it.
      if (stripped !== undefined) expect(scan([sse([data])], true)).toEqual([sse([data])]);
    }
  });

  test("a word in the content is not a member: the chunk still passes as text", () => {
    const wordy = `{"choices":[{"delta":{"content":"the \\"usage\\" of an \\"error\\""}}]}`;
    expect(scan([sse([wordy])])).toEqual([sse([wordy])]);
  });

  const unusual: [string, string][] = [
    ["a comment line", `: keep-alive\n\n${sse([chunk(1), chunk(2)])}`],
    ["an event: field", `event: message\n${sse([chunk(1)])}${sse([chunk(2)])}`],
    ["an event over two data: lines", `${sse([chunk(1)])}data: {"a":\ndata: 1}\n\n${sse([chunk(2)])}`],
    ["CRLF line ends", sse([chunk(1), chunk(2)]).replaceAll("\n", "\r\n")],
    ["data: without a space", `data:${chunk(1)}\n\n${sse([chunk(2)])}`],
    ["a last event without its blank line", `${sse([chunk(1)])}data: ${chunk(2)}`],
  ];
  test.each(unusual)("%s: read as the general parser reads it", (_name, text) => {
    expect(meaning(scan([text]))).toEqual(reference(text));
  });

  test("any cut of a realistic stream means the same as the general parser's reading", () => {
    const streams = [
      sse([chunk(1), chunk(2, `,"usage":null`), chunk(3), USAGE, "[DONE]"]),
      sse([chunk(1), `{"choices":[{"delta":{"content":"an \\"error\\": quoted"}}]}`, chunk(2), ERROR]),
      ...unusual.map(([, t]) => t),
    ];
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (const text of streams) {
      for (const includeUsage of [false, true]) {
        for (let round = 0; round < 50; round++) {
          const parts: string[] = [];
          for (let at = 0; at < text.length; ) {
            const next = Math.min(text.length, at + 1 + Math.floor(random() * 40));
            parts.push(text.slice(at, next));
            at = next;
          }
          expect(meaning(scan(parts, includeUsage))).toEqual(reference(text, includeUsage));
        }
      }
    }
  });
});

describe("passThroughOpenAIStream: the end of a stream", () => {
  const items = async (text: string, includeUsage: boolean) => {
    const body = new Response(text).body!;
    const out: unknown[] = [];
    for await (const item of passThroughOpenAIStream(body, {} as Target, { includeUsage })) out.push(item);
    return out;
  };
  const USAGE_FINISH = `{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}`;

  test("without include_usage, the usage chunk that came with [DONE] is folded into the text before it: one item that ends the stream", async () => {
    const got = await items(sse([chunk(1, `,"usage":null`), chunk(2, `,"usage":null`), USAGE_FINISH, "[DONE]"]), false);
    expect(got).toHaveLength(1);
    const only = got[0] as SseText;
    expect(only).toBeInstanceOf(SseText);
    expect(only.ends).toBe(true);
    expect(only.usage).toEqual({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    // What the client reads: no usage anywhere, the finish chunk kept.
    const events = only.text.split("\n\n").filter(Boolean).map((e) => JSON.parse(e.slice(6)) as Record<string, unknown>);
    expect(events.map((e) => "usage" in e)).toEqual([false, false, false]);
    expect((events[2]!.choices as { finish_reason: string }[])[0]!.finish_reason).toBe("stop");
  });

  test("a usage chunk without choices is dropped from the text; its usage still counts", async () => {
    const got = await items(sse([chunk(1), USAGE, "[DONE]"]), false);
    expect(got).toHaveLength(1);
    expect((got[0] as SseText).text).toBe(sse([chunk(1)]));
    expect((got[0] as SseText).usage).toEqual({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
  });

  test("an error event before [DONE] is not folded: it still ends the stream as an error after the text", async () => {
    const got: unknown[] = [];
    let failure: unknown;
    try {
      for await (const item of passThroughOpenAIStream(new Response(sse([chunk(1), ERROR, "[DONE]"])).body!, { provider: "openai", deployment: { id: "d" } } as unknown as Target, { includeUsage: false })) got.push(item);
    } catch (err) {
      failure = err;
    }
    expect(got).toHaveLength(1);
    expect(failure).toBeDefined();
  });
});
