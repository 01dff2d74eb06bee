// JsonBytes writes the same text JSON.stringify would: money from integer nano-USD without float
// formatting, integers, strings with escapes, and the generic fallbacks.
import { describe, expect, test } from "bun:test";
import { JsonBytes, jsonLiteral } from "../src/json-bytes.ts";
import { nanoToUsd } from "../src/money.ts";

const text = (out: JsonBytes) => new TextDecoder().decode(out.bytes());

describe("JsonBytes", () => {
  test("usdFromNano prints what JSON.stringify(nanoToUsd(n)) prints", () => {
    const table = [
      0, 1, 5, 500, 999, 1_000, 1_001, 13_500, 225_000, 5_637_500, 999_999_999, 1_000_000_000, 1_000_000_001, 1_234_567_890,
      12_000_000_000, 123_456_789_012_345, 999_999_999_999_999, 1e15, 1e15 + 1, 9_000_000_000_000_000, Number.MAX_SAFE_INTEGER,
      -1, -225_000, 0.5, 1e20, Number.NaN, Number.POSITIVE_INFINITY,
    ];
    for (const nano of table) expect(`${nano}: ${text(new JsonBytes().usdFromNano(nano))}`).toBe(`${nano}: ${JSON.stringify(nanoToUsd(nano))}`);
  });

  test("usdFromNano agrees with JSON.stringify on 200,000 values across every magnitude", () => {
    let seed = 7;
    const rand = () => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed / 4_294_967_296;
    };
    const out = new JsonBytes();
    const expected: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      // Up to 16 digits, with runs of trailing zeros as real prices make (a 1,000-token call at a round price).
      const nano = Math.floor(rand() * 10 ** Math.floor(rand() * 17)) * 10 ** Math.floor(rand() * 4);
      if (i > 0) out.raw(jsonLiteral(","));
      out.usdFromNano(nano);
      expected.push(JSON.stringify(nanoToUsd(nano)));
    }
    expect(text(out)).toBe(expected.join(","));
  });

  test("numbers and strings as JSON.stringify writes them; the buffer grows past its first size", () => {
    const values = [0, 7, 2_147_483_647, 2_147_483_648, 98_765_432_109, Number.MAX_SAFE_INTEGER, -3, 1.5, Number.NaN];
    const strings = ["", "gpt-4o", 'quote " and \\ backslash', "line\nbreak\ttab\u0001", "ünïcødé ✓ 🚀", "\u2028"];
    const out = new JsonBytes(16);
    out.raw(jsonLiteral("["));
    for (const v of values) out.number(v).raw(jsonLiteral(","));
    strings.forEach((s, i) => {
      out.string(s).string(s);
      if (i < strings.length - 1) out.raw(jsonLiteral(","));
    });
    out.raw(jsonLiteral("]"));
    // Each string is written twice in a row (the second from the cache of quoted strings).
    const doubled = `[${values.map((v) => JSON.stringify(v)).join(",")},${strings.map((s) => JSON.stringify(s).repeat(2)).join(",")}]`;
    expect(text(out)).toBe(doubled);
    expect(out.byteLength).toBe(new TextEncoder().encode(doubled).length);
  });

  test("toResponse is application/json with the bytes as body", async () => {
    const res = new JsonBytes().raw(jsonLiteral('{"a":')).usdFromNano(225_000).raw(jsonLiteral("}")).toResponse();
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ a: 0.000225 });
  });
});
