// The OpenAI-compatible routes, each with and without the /v1 prefix.
import { Elysia, t } from "elysia";
import type { Principal } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";
import { listAllows } from "../policy/model-access.ts";
import { authGuard } from "./auth-guard.ts";

// LiteLLM's DEFAULT_MODEL_CREATED_AT_TIME; clients compare the listing byte for byte.
const MODEL_CREATED_AT = 1677610602;

const ModelObject = t.Object({ id: t.String(), object: t.Literal("model"), created: t.Number(), owned_by: t.String() });
const ModelList = t.Object({ object: t.Literal("list"), data: t.Array(ModelObject) });

function visibleModels(deps: AppDeps, principal: Principal): string[] {
  const names = [...new Set(deps.config.modelList.map((m) => m.model_name))];
  if (principal.kind === "master") return names;
  return names.filter((name) => listAllows(principal.key.models, name));
}

export function openaiRoutes(deps: AppDeps) {
  const list = ({ principal }: { principal: Principal }) => ({
    object: "list" as const,
    data: visibleModels(deps, principal).map((id) => ({ id, object: "model" as const, created: MODEL_CREATED_AT, owned_by: "openai" })),
  });
  const detail = { tags: ["openai"], summary: "Models the caller may use" };
  return new Elysia({ name: "openai" })
    .use(authGuard(deps))
    .get("/models", list, { response: ModelList, detail })
    .get("/v1/models", list, { response: ModelList, detail });
}
