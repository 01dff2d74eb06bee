// The request bodies the scenarios send, written once per run to files wrk's Lua script reads.
// "model" comes first so the mock upstream finds it without scanning a 64 KB prompt.
import path from "node:path";

export const MODEL = "bench-model";
export const SLOW_DELAY_MS = 50;
export const SLOW_MODEL = `bench-model-delay-${SLOW_DELAY_MS}`;
export const BIG_BODY_BYTES = 64 * 1024;

export type BodyKind = "small" | "stream" | "stream-default" | "slow" | "big";
export const BODY_KINDS: readonly BodyKind[] = ["small", "stream", "stream-default", "slow", "big"];

/** `stream`: with the usage asked for (stream_options.include_usage), or without (the OpenAI SDK's default). */
function chat(model: string, content: string, stream?: "with-usage" | "default"): string {
  const body: Record<string, unknown> = { model, messages: [{ role: "user", content }], max_tokens: 16 };
  if (stream) {
    body.stream = true;
    if (stream === "with-usage") body.stream_options = { include_usage: true };
  }
  return JSON.stringify(body);
}

function bigBody(): string {
  const empty = chat(MODEL, "");
  // Filler text of ordinary words, so it looks like a prompt and not a single token run.
  const words = "the quick brown fox jumps over the lazy dog while the gateway forwards bytes ";
  const fill = words.repeat(Math.ceil(BIG_BODY_BYTES / words.length)).slice(0, BIG_BODY_BYTES - empty.length);
  return chat(MODEL, fill);
}

export function bodyText(kind: BodyKind): string {
  switch (kind) {
    case "small":
      return chat(MODEL, "Say hello.");
    case "stream":
      return chat(MODEL, "Say hello.", "with-usage");
    case "stream-default":
      return chat(MODEL, "Say hello.", "default");
    case "slow":
      return chat(SLOW_MODEL, "Say hello.");
    case "big":
      return bigBody();
  }
}

export async function writeBodies(dir: string): Promise<Record<BodyKind, string>> {
  const files = {} as Record<BodyKind, string>;
  for (const kind of BODY_KINDS) {
    const file = path.join(dir, `body-${kind}.json`);
    await Bun.write(file, bodyText(kind));
    files[kind] = file;
  }
  return files;
}
