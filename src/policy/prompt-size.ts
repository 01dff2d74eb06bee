// The size of a request's prompt in characters, which the budget reservation and the token rate
// limits both estimate tokens from. Serialising a large prompt is the costly part, so it is done
// once per request body (kept per body object) however many limits ask.
const sizes = new WeakMap<object, number>();

export function promptChars(body: Readonly<Record<string, unknown>>): number {
  let n = sizes.get(body);
  if (n === undefined) {
    const prompt = body.messages ?? body.prompt ?? body.input;
    n = prompt === undefined || prompt === null ? 0 : typeof prompt === "string" ? prompt.length : JSON.stringify(prompt).length;
    sizes.set(body, n);
  }
  return n;
}
