// The shape an LLM call's body must have before anything else reads it: a JSON object, a string
// model when there is one, and a messages array for a chat. Everything else is the provider's to judge.
import { GatewayError } from "../errors.ts";
import type { CallKind, Json } from "../providers/types.ts";

export function llmBodyOf(kind: CallKind, body: unknown): Json {
  if (body === undefined || body === null) return {};
  if (typeof body !== "object" || Array.isArray(body)) throw GatewayError.badRequest("The request body must be a JSON object.");
  const json = body as Json;
  if (json.model !== undefined && typeof json.model !== "string") throw GatewayError.badRequest("model must be a string", "model");
  if (kind === "chat" && !Array.isArray(json.messages)) throw GatewayError.badRequest("messages must be an array of chat messages", "messages");
  return json;
}
