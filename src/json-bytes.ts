// JSON written straight into UTF-8 bytes, for the few responses that are too large to build as
// objects and JSON.stringify (the spend report: tens of MB over a quarter). The output is the exact
// text JSON.stringify would give for the same values, so the wire shape does not depend on which
// path built it (test/json-bytes.test.ts compares the two).
import { NANO_PER_USD } from "./money.ts";

const encoder = new TextEncoder();

/** A literal piece of JSON text (punctuation, "key": prefixes), encoded once at module load. */
export const jsonLiteral = (text: string): Uint8Array => encoder.encode(text);

// Below 1e-6 USD JavaScript prints numbers in exponent form (5e-7); from 1e15 nano-USD (1M USD) a
// sum has 16 significant digits, past what a double keeps exactly. Both go through the generic path.
const MIN_FIXED_NANO = 1_000;
const MAX_EXACT_NANO = 1e15;
const INT32_MAX = 2 ** 31 - 1;

// Not zeroed (every byte up to the length is written before it is read) and not from the shared
// pool: a report writes tens of MB, and zeroed typed arrays of that size cost a few ms each, plus
// the occasional garbage collection their reported size triggers.
const allocate = (n: number) => Buffer.allocUnsafeSlow(n) as Uint8Array<ArrayBuffer>;

export class JsonBytes {
  private buf: Uint8Array<ArrayBuffer>;
  private len = 0;
  // Strings that need escapes or are not ASCII, quoted and encoded once each.
  private readonly quoted = new Map<string, Uint8Array>();

  constructor(sizeHintBytes = 64 * 1024) {
    this.buf = allocate(Math.max(1024, sizeHintBytes));
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = allocate(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Pre-encoded bytes (see jsonLiteral). A loop: the pieces are a few bytes, shorter than set()'s call. */
  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    const b = this.buf;
    let l = this.len;
    for (let i = 0; i < bytes.length; i++) b[l++] = bytes[i]!;
    this.len = l;
    return this;
  }

  /** A string value, quoted and escaped as JSON.stringify does. */
  string(s: string): this {
    // Ids, days and model names are printable ASCII nearly always: copied char by char, which is
    // cheaper than looking the string up. Anything else is escaped by JSON.stringify (and kept).
    this.reserve(s.length + 2);
    const b = this.buf;
    const start = this.len;
    let l = start;
    b[l++] = 0x22;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return this.escaped(s);
      b[l++] = c;
    }
    b[l++] = 0x22;
    this.len = l;
    return this;
  }

  private escaped(s: string): this {
    let q = this.quoted.get(s);
    if (q === undefined) this.quoted.set(s, (q = encoder.encode(JSON.stringify(s))));
    return this.raw(q);
  }

  /** Any number, as JSON.stringify writes it (non-finite numbers become null). */
  number(n: number): this {
    if (Number.isSafeInteger(n) && n >= 0) return this.digits(n);
    return this.raw(encoder.encode(JSON.stringify(n)));
  }

  /** nanoToUsd(nano) as JSON.stringify writes it, from the integer: no float formatting per value. */
  usdFromNano(nano: number): this {
    if (!Number.isSafeInteger(nano) || nano < MIN_FIXED_NANO || nano >= MAX_EXACT_NANO) return this.number(nano / NANO_PER_USD);
    // Under 1e15 the exact decimal of nano / 1e9 has at most 15 significant digits, and that is the
    // shortest text that reads back as the same double, which is what JavaScript prints.
    const whole = Math.floor(nano / NANO_PER_USD); // < 1e6
    let frac = nano - whole * NANO_PER_USD; // < 1e9: int32 arithmetic below
    this.digits(whole);
    if (frac === 0) return this;
    let width = 9;
    while (frac % 10 === 0) {
      frac = (frac / 10) | 0;
      width--;
    }
    this.reserve(1 + width);
    const b = this.buf;
    b[this.len++] = 0x2e; // "."
    let at = (this.len += width);
    for (let i = 0; i < width; i++) {
      const q = (frac / 10) | 0;
      b[--at] = 0x30 + frac - q * 10;
      frac = q;
    }
    return this;
  }

  /** A non-negative safe integer in decimal. */
  private digits(n: number): this {
    let width = 1;
    for (let p = 10; p <= n; p *= 10) width++;
    this.reserve(width);
    const b = this.buf;
    let at = (this.len += width);
    // Counts and token sums are int32 nearly always, and int32 division is several times cheaper.
    for (; n > INT32_MAX; n = Math.floor(n / 10)) b[--at] = 0x30 + (n % 10);
    do {
      const q = (n / 10) | 0;
      b[--at] = 0x30 + n - q * 10;
      n = q;
    } while (n > 0);
    return this;
  }

  get byteLength(): number {
    return this.len;
  }

  bytes(): Uint8Array<ArrayBuffer> {
    return this.buf.subarray(0, this.len);
  }

  toResponse(): Response {
    return new Response(this.bytes(), { headers: { "content-type": "application/json" } });
  }
}
