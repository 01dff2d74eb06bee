// OpenAI responses are already in Tollgate's internal shape.
import type { CallKind, Json, Target } from "../types.ts";

export function fromOpenAIResponse(_kind: CallKind, body: Json, _target: Target): Json {
  return body;
}
