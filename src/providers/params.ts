// Which OpenAI parameters a translated provider can take. Anything else is refused with a 400,
// or silently dropped when litellm_settings.drop_params is on (LiteLLM's UnsupportedParamsError).
import { GatewayError } from "../errors.ts";
import type { Json, TranslateOptions } from "./types.ts";

// Fields every translator reads itself or that carry no meaning upstream.
const ALWAYS = new Set(["model", "messages", "stream", "stream_options", "input", "prompt"]);

export function checkParams(provider: string, body: Json, supported: ReadonlySet<string>, options: TranslateOptions): void {
  if (options.dropParams) return;
  const unsupported = Object.keys(body).filter((k) => !ALWAYS.has(k) && !supported.has(k) && body[k] !== null && body[k] !== undefined);
  if (unsupported.length === 0) return;
  throw GatewayError.badRequest(
    `${provider} does not support parameters: [${unsupported.map((p) => `'${p}'`).join(", ")}]. To drop these, set \`litellm_settings: {drop_params: true}\` in the config.`,
  );
}

/** The text of an OpenAI message content (string or array of parts), ignoring non-text parts. */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (part && typeof part === "object" && (part as Json).type === "text" ? String((part as Json).text ?? "") : ""))
    .join("");
}

/** `stop` as a list, whichever form the client used. */
export function stopList(stop: unknown): string[] | undefined {
  if (typeof stop === "string") return [stop];
  if (Array.isArray(stop)) return stop.filter((s): s is string => typeof s === "string");
  return undefined;
}

/** A data: URL split into media type and base64 payload. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const m = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s.exec(url);
  return m ? { mediaType: m[1]!, data: m[2]! } : undefined;
}

export const nowS = () => Math.floor(Date.now() / 1000);
