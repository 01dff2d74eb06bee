// buildApp(deps): composes the route plugins. main.ts and the tests both call it.
import { Elysia } from "elysia";
import type { AppDeps } from "./deps.ts";
import { docsRoutes } from "./http/docs.ts";
import { bodyHandling, errorMapping } from "./http/errors.ts";
import { healthRoutes } from "./http/health.ts";
import { spendRoutes } from "./http/admin/spend.ts";
import { customerRoutes } from "./http/admin/customers.ts";
import { auditRoutes } from "./http/admin/audit.ts";
import { metricsRoutes } from "./http/metrics.ts";
import { budgetRoutes } from "./http/admin/budgets.ts";
import { openaiRoutes } from "./http/openai.ts";
import { anthropicRoutes } from "./http/anthropic.ts";
import { keyRoutes } from "./http/admin/keys.ts";
import { teamRoutes } from "./http/admin/teams.ts";
import { userRoutes } from "./http/admin/users.ts";
import { modelRoutes } from "./http/models.ts";
import { uiSessionRoutes } from "./http/ui-session.ts";
import uiPage from "./ui/index.html";

export function buildApp(deps: AppDeps) {
  const app = new Elysia({
    serve: {
      // Upstream LLM calls can be silent for minutes; routes that wait on them also switch the
      // per-request idle timer off (stack notes §6, §10).
      idleTimeout: 120,
      // Elysia defaults to reusePort, which lets a second instance silently share the port.
      reusePort: false,
      maxRequestBodySize: deps.maxBodyBytes + 1024 * 1024,
      // The admin SPA as native Bun routes (stack notes §5): deep links under /ui/* get the same
      // page, and the bundle's assets are served at the site root ahead of Elysia's routing.
      routes: { "/ui": uiPage, "/ui/*": uiPage },
    },
  })
    .use(errorMapping(deps.log))
    .use(bodyHandling(deps.maxBodyBytes))
    .use(docsRoutes(deps.version))
    .use(uiSessionRoutes(deps))
    .use(healthRoutes(deps))
    .use(metricsRoutes(deps))
    .use(openaiRoutes(deps))
    .use(modelRoutes(deps))
    .use(anthropicRoutes(deps))
    // Spend is committed behind the LLM calls (src/spend/ledger.ts); the admin routes below read
    // it from the database, so they first wait for what this instance has settled.
    .onBeforeHandle(() => deps.spend?.ledger.flush())
    .use(keyRoutes(deps))
    .use(userRoutes(deps))
    .use(teamRoutes(deps))
    .use(spendRoutes(deps))
    .use(customerRoutes(deps))
    .use(budgetRoutes(deps))
    .use(auditRoutes(deps));
  // LiteLLM's public /routes: every path served, with its methods (read when asked: all are known then).
  return app.get("/routes", () => ({ routes: routeList(app.routes) }), { detail: { tags: ["health"], summary: "Every route served, with its methods (no key needed)" } });
}

function routeList(routes: readonly { method: string; path: string }[]) {
  const methods = new Map<string, string[]>();
  for (const r of routes) methods.set(r.path, [...(methods.get(r.path) ?? []), r.method]);
  return [...methods].map(([path, ms]) => ({ path, methods: ms }));
}

export type App = ReturnType<typeof buildApp>;
