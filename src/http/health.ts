import { Elysia, t } from "elysia";
import type { AppDeps } from "../deps.ts";

const Readiness = t.Object({
  status: t.String({ description: "healthy when the database is reachable, else unhealthy" }),
  db: t.String({ description: "connected | Not connected" }),
  version: t.String(),
  litellm_version: t.String({ description: "same as version; LiteLLM clients read this field" }),
});

export function healthRoutes(deps: AppDeps) {
  const alive = () => "I'm alive!";
  const liveDetail = { detail: { tags: ["health"], summary: "Liveness probe (no auth)" } };
  return new Elysia({ name: "health" })
    .get("/health/liveliness", alive, { ...liveDetail, response: t.String() })
    .get("/health/liveness", alive, { ...liveDetail, response: t.String() })
    .get(
      "/health/readiness",
      async ({ set }) => {
        const db = await deps.store.ping().then(
          () => "connected",
          () => "Not connected",
        );
        // allow_requests_on_db_unavailable: the gateway serves through an outage, so it stays
        // ready (LiteLLM answers 200 then too); the body still says the database is not connected.
        const healthy = db === "connected" || deps.config.general.allow_requests_on_db_unavailable === true;
        set.status = healthy ? 200 : 503;
        return { status: healthy ? "healthy" : "unhealthy", db, version: deps.version, litellm_version: deps.version };
      },
      {
        response: { 200: Readiness, 503: Readiness },
        detail: { tags: ["health"], summary: "Readiness probe: 200 once the database is reachable and migrated (no auth)" },
      },
    );
}
