// The JSON text each parsed request body came from, for as long as the body lives: a body forwarded
// unchanged goes upstream as the text the client sent, not serialised again (a 64 KB prompt is
// not copied twice). Keyed by the parsed object itself, so a body that was replaced has no text.
import type { Json } from "../providers/types.ts";

const texts = new WeakMap<object, string>();

export function rememberText(body: unknown, text: string): void {
  if (typeof body === "object" && body !== null) texts.set(body, text);
}

/** The text `body` was parsed from, if it came from a request. */
export function requestTextOf(body: Json): string | undefined {
  return texts.get(body);
}

/**
 * The same, handed over for sending: the body forgets it, so a 64 KB prompt is not held twice (as
 * text and as parsed) while the upstream answers. A retry serialises the body instead.
 */
export function takeRequestText(body: Json): string | undefined {
  const text = texts.get(body);
  if (text !== undefined) texts.delete(body);
  return text;
}
