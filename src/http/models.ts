// Runtime model management (/model/new, /model/update, /model/delete), /model_group/info and
// GET /health. Model changes and /health are for proxy admins; /model_group/info lists what the
// caller may use. The work happens in src/router/runtime-models.ts and src/router/health.ts.
import { Elysia, t } from "elysia";
import type { Principal } from "../auth/principal.ts";
import type { JsonObject } from "../db/schema/json.ts";
import type { AppDeps } from "../deps.ts";
import { GatewayError } from "../errors.ts";
import { isProxyAdmin } from "../policy/roles.ts";
import { modelGroupInfoList } from "../proxy/model-info.ts";
import { DEFAULT_HEALTH_CHECK_INTERVAL_S, healthReport } from "../router/health.ts";
import { routerFor } from "../router/router.ts";
import { toModelJson } from "../router/runtime-models.ts";
import { auditTrail } from "./admin/audit.ts";
import { authGuard } from "./auth-guard.ts";

const Params = t.Record(t.String(), t.Unknown());
const ModelNewBody = t.Object({
  model_name: t.String({ minLength: 1 }),
  litellm_params: t.Object({ model: t.String({ minLength: 1 }) }, { additionalProperties: true }),
  model_info: t.Optional(t.Record(t.String(), t.Unknown())),
});
const ModelUpdateBody = t.Object({
  id: t.Optional(t.String({ minLength: 1 })),
  model_name: t.Optional(t.String({ minLength: 1 })),
  litellm_params: t.Optional(Params),
  model_info: t.Optional(t.Record(t.String(), t.Unknown())),
});
const ModelDeleteBody = t.Object({ id: t.String({ minLength: 1 }) });

const doc = (tag: string, summary: string) => ({ detail: { tags: [tag], summary } });

/** The integrations LiteLLM's /health/services can test. Tollgate has none of them set up. */
const SERVICES = [
  "slack_budget_alerts", "email", "langfuse", "langfuse_otel", "slack", "openmeter", "webhook", "braintrust", "otel",
  "custom_callback_api", "langsmith", "datadog", "datadog_metrics", "datadog_llm_observability", "generic_api", "arize", "sqs",
];

export function modelRoutes(deps: AppDeps) {
  const router = routerFor(deps.config);
  const runtime = () => {
    if (!deps.runtimeModels) throw GatewayError.unavailable("Runtime models are not available.");
    return deps.runtimeModels;
  };
  const adminOnly = (principal: Principal, route: string) => {
    if (principal.kind === "master" || isProxyAdmin(principal.role)) return;
    throw GatewayError.auth(`Only proxy admin can call ${route}. Your role=${principal.role}.`);
  };
  const idOf = (body: { id?: string; model_info?: JsonObject }) => {
    const id = body.id ?? body.model_info?.id;
    if (typeof id !== "string" || id === "") throw GatewayError.badRequest("model_info.id (or id) is required", "id");
    return id;
  };

  return new Elysia({ name: "models" })
    .use(authGuard(deps))
    .use(auditTrail(deps))
    .post(
      "/model/new",
      async ({ body, principal }) => {
        adminOnly(principal, "/model/new");
        return toModelJson(await runtime().add(body as JsonObject));
      },
      { body: ModelNewBody, ...doc("models", "Add a model deployment at runtime (credentials encrypted at rest)") },
    )
    .post(
      "/model/update",
      async ({ body, principal }) => {
        adminOnly(principal, "/model/update");
        return toModelJson(await runtime().update(idOf(body), body));
      },
      { body: ModelUpdateBody, ...doc("models", "Change a runtime model (fields given are merged)") },
    )
    .patch(
      "/model/:id/update",
      async ({ body, params, principal }) => {
        adminOnly(principal, "/model/update");
        return toModelJson(await runtime().update(params.id, body));
      },
      { body: ModelUpdateBody, ...doc("models", "Change a runtime model (fields given are merged)") },
    )
    .post(
      "/model/delete",
      async ({ body, principal }) => {
        adminOnly(principal, "/model/delete");
        await runtime().remove(body.id);
        return { message: `Model: ${body.id} deleted successfully` };
      },
      { body: ModelDeleteBody, ...doc("models", "Delete a runtime model") },
    )
    .get(
      "/model_group/info",
      async ({ principal, query }) => {
        await router.ready;
        const groups = modelGroupInfoList(router, principal);
        return { data: query.model_group ? groups.filter((g) => g.model_group === query.model_group) : groups };
      },
      { query: t.Object({ model_group: t.Optional(t.String()) }), ...doc("models", "Model groups the caller may use") },
    )
    .get(
      "/health/services",
      ({ principal, query }) => {
        adminOnly(principal, "/health/services");
        if (!SERVICES.includes(query.service)) {
          throw GatewayError.badRequest(`Service must be in list. Service=${query.service} not in ${JSON.stringify(SERVICES)}`, "service");
        }
        // Nothing to test: alerting and logging callbacks are not supported (the config warns and ignores them).
        throw new GatewayError({
          status: 422,
          type: "invalid_request_error",
          param: "service",
          message: `"${query.service}" is not set up on this proxy: Tollgate sends no alerts and runs no logging callbacks (general_settings.alerting and litellm_settings callbacks are ignored). Unable to test this.`,
        });
      },
      { query: t.Object({ service: t.String({ minLength: 1 }) }), ...doc("health", "Test an alerting or logging integration (admins; none are set up in Tollgate: 422)") },
    )
    .get(
      "/health",
      async ({ principal, query, request }) => {
        adminOnly(principal, "/health");
        await router.ready;
        return healthReport(router, {
          intervalS: deps.config.general.health_check_interval ?? DEFAULT_HEALTH_CHECK_INTERVAL_S,
          nowMs: deps.now,
          model: query.model,
          signal: request.signal,
        });
      },
      { query: t.Object({ model: t.Optional(t.String()) }), ...doc("health", "Every deployment, healthy or not, from real traffic; idle ones probed") },
    );
}
