// The JSON text each parsed request body came from, for as long as the body lives: a body forwarded
// unchanged goes upstream as the text the client sent, not serialised again (a 64 KB prompt is
// not copied twice). Keyed by the parsed object itself, so a body that was replaced has no text.
import type { Json } from "../providers/types.ts";

const texts = new WeakMap<object, string>();

export function rememberText(body: unknown, text: string): void {
  if (typeof body === "object" && body !== null) texts.set(body, text);
}

/** The text `body` was parsed from, if it came from a request. */
export function textOf(body: Json): string | undefined {
  return texts.get(body);
}
