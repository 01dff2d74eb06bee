// GET /metrics: LiteLLM's Prometheus endpoint. Public, as LiteLLM's, unless
// litellm_settings.require_auth_for_metrics_endpoint asks for a key; a 404 that says how to turn
// it on while "prometheus" is in no callback list.
import { Elysia } from "elysia";
import type { AppDeps } from "../deps.ts";
import { GatewayError } from "../errors.ts";
import { routerFor } from "../router/router.ts";
import { authGuard } from "./auth-guard.ts";

const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export function metricsRoutes(deps: AppDeps) {
  const router = routerFor(deps.config);
  const metrics = () => {
    if (!deps.metrics) throw GatewayError.notFound('Metrics are off: add "prometheus" to litellm_settings.callbacks in config.yaml.');
    return new Response(deps.metrics.text(router, deps.now(), deps.spend?.book), { headers: { "content-type": CONTENT_TYPE, "cache-control": "no-store" } });
  };
  const detail = { detail: { tags: ["health"], summary: "Prometheus metrics (litellm_settings.callbacks: [prometheus]); public unless require_auth_for_metrics_endpoint" } };
  // Typed as a plain Elysia: the two shapes (with and without the guard) are one plugin to the app.
  if (deps.config.litellm.require_auth_for_metrics_endpoint) return new Elysia({ name: "metrics" }).use(authGuard(deps)).get("/metrics", metrics, detail) as unknown as Elysia;
  return new Elysia({ name: "metrics" }).get("/metrics", metrics, detail) as unknown as Elysia;
}
