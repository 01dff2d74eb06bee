// Azure OpenAI: the deployment is in the URL, the API version in the query, the key in `api-key`.
import { openaiPath, toOpenAIBody } from "../openai/request.ts";
import type { CallKind, Json, Target, TranslateOptions, UpstreamRequest } from "../types.ts";

// A GA version that supports stream_options.include_usage; api_version in the config wins.
export const DEFAULT_AZURE_API_VERSION = "2024-10-21";

export function toAzureRequest(kind: CallKind, body: Json, target: Target, options: TranslateOptions): UpstreamRequest {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (target.apiKey) headers["api-key"] = target.apiKey;
  const version = target.deployment.params.api_version ?? DEFAULT_AZURE_API_VERSION;
  const base = target.apiBase.replace(/\/+$/, "");
  const deployment = encodeURIComponent(target.upstreamModel);
  return {
    url: `${base}/openai/deployments/${deployment}${openaiPath(kind)}?api-version=${encodeURIComponent(version)}`,
    headers,
    body: toOpenAIBody(kind, body, target.upstreamModel, options),
  };
}
