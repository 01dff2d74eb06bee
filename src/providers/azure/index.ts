// `azure/<deployment>` with api_base (the resource endpoint) and api_version.
import type { ProviderAdapter } from "../types.ts";
import { fromAzureError } from "./errors.ts";
import { toAzureRequest } from "./request.ts";
import { fromAzureResponse } from "./response.ts";
import { fromAzureStream } from "./stream.ts";

export const azure: ProviderAdapter = {
  name: "azure",
  exceptionName: "AzureException",
  defaultApiBase: undefined,
  capabilities: { chat: true, stream: true, tools: true, embeddings: true, completions: "native" },
  toRequest: toAzureRequest,
  fromResponse: fromAzureResponse,
  fromStream: fromAzureStream,
  fromError: fromAzureError,
};
