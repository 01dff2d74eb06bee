// LiteLLM's batch completions: a chat body whose model is a comma-separated list ("a,b") asks each
// model the same messages at once and answers with the list of their completions, in the order
// named; with `fastest_response: true`, only the first completion to arrive (the others are
// stopped). Each call is a call of its own: access, limits, budgets, routing and spend apply to it
// as to any other. A model that fails has its OpenAI-shaped error in its place in the list.
import { errorBody, GatewayError } from "../errors.ts";
import type { Json } from "../providers/types.ts";
import { type CallInput, type LlmCallDeps, runLlmCall } from "./llm-call.ts";

/** The models a batch names, or undefined when `model` is one model (or a group named with commas). */
export function batchModels(model: unknown, isModel: (name: string) => boolean): string[] | undefined {
  if (typeof model !== "string" || !model.includes(",") || isModel(model)) return undefined;
  const names = model.split(",").map((name) => name.trim()).filter((name) => name !== "");
  return names.length > 1 ? names : undefined;
}

/** One call per model, each on a body of its own (the client's is never changed). */
export async function runBatchCall(deps: LlmCallDeps, input: CallInput, models: readonly string[]): Promise<Json[] | Json> {
  if (input.body.stream === true) {
    throw GatewayError.badRequest("stream is not supported when model names several models", "stream");
  }
  const { fastest_response: fastest, ...rest } = input.body;
  const stops = models.map(() => new AbortController());
  const calls = models.map(async (model, i) => {
    const signal = AbortSignal.any([input.signal, stops[i]!.signal]);
    const result = await runLlmCall(deps, { ...input, body: { ...rest, model }, signal, modelFromPath: undefined });
    if (result.kind !== "json") throw GatewayError.internal(); // stream is refused above
    return result.body;
  });
  if (fastest === true) {
    try {
      const first = await Promise.any(calls.map((call, i) => call.then((body) => ({ body, i }))));
      stops.forEach((stop, i) => i !== first.i && stop.abort());
      return first.body;
    } catch (err) {
      // Every model failed: the first model's error is the answer.
      throw (err as AggregateError).errors[0];
    }
  }
  const settled = await Promise.allSettled(calls);
  return settled.map((s) => (s.status === "fulfilled" ? s.value : errorBody(s.reason instanceof GatewayError ? s.reason : GatewayError.internal())));
}
