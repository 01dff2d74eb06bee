// OpenAPI at /openapi.json and Swagger UI at /docs, with the UI's assets embedded in the binary
// (the plugin's default HTML loads them from a CDN, which leaves the page blank offline).
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import uiCss from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import uiJs from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };

const asset = (path: string, type: string) => () =>
  new Response(Bun.file(path), { headers: { "content-type": type, "cache-control": "public, max-age=86400" } });

export function docsRoutes(version: string) {
  return new Elysia({ name: "docs" })
    .get("/docs/assets/swagger-ui-bundle.js", asset(uiJs, "text/javascript; charset=utf-8"), { detail: { hide: true } })
    .get("/docs/assets/swagger-ui.css", asset(uiCss, "text/css; charset=utf-8"), { detail: { hide: true } })
    .use(
      openapi({
        path: "/docs",
        specPath: "/openapi.json",
        provider: "swagger-ui",
        swagger: { cdn: "/docs/assets/swagger-ui-bundle.js", theme: "/docs/assets/swagger-ui.css" },
        documentation: {
          info: {
            title: "Tollgate",
            version,
            description: "An LLM gateway compatible with the LiteLLM proxy API.",
          },
          components: {
            securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "The master key or a virtual key (sk-...)" } },
          },
          security: [{ bearer: [] }],
        },
      }),
    );
}
