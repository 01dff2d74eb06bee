// The size of a request's prompt in characters, which the budget reservation and the token rate
// limits both estimate tokens from. The prompt is serialised once (kept per body object) however
// many limits ask; a large body parsed from a request is measured by the text it came in instead,
// not serialised again (the other fields are a sliver of it: the estimate errs high, as it should).
import { requestTextOf } from "../proxy/request-text.ts";

const sizes = new WeakMap<object, number>();
/** From this size on, a request's own text measures its prompt. */
const MEASURED_BY_TEXT = 8 * 1024;

export function promptChars(body: Readonly<Record<string, unknown>>): number {
  const prompt = body.messages ?? body.prompt ?? body.input;
  if (prompt === undefined || prompt === null) return 0;
  if (typeof prompt === "string") return prompt.length;
  const text = requestTextOf(body);
  if (text !== undefined && text.length >= MEASURED_BY_TEXT) return text.length;
  let n = sizes.get(body);
  if (n === undefined) {
    n = JSON.stringify(prompt).length;
    sizes.set(body, n);
  }
  return n;
}
