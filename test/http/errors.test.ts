// Every way a request can go wrong gets the OpenAI error shape with the right status.
import { afterAll, describe, expect, test } from "bun:test";
import { errorOf, MASTER_KEY, startGateway } from "../support/harness.ts";

const gw = await startGateway({ configYaml: "general_settings: {max_request_size_mb: 0.01}" });
afterAll(() => gw.close());

describe("authentication failures are 401 in the OpenAI shape", () => {
  test("no key", async () => {
    const res = await gw.request("/v1/models", { key: null });
    expect(res.status).toBe(401);
    const err = await errorOf(res);
    expect(err).toMatchObject({ type: "auth_error", code: "401", param: null });
    expect(err.message).toContain("No api key passed in.");
  });

  test("a wrong sk- key: the message shows it abbreviated, never whole", async () => {
    const res = await gw.request("/v1/models", { key: "sk-wrong-key-that-does-not-exist" });
    expect(res.status).toBe(401);
    const err = await errorOf(res);
    expect(err.message).toContain("Invalid proxy server token passed");
    expect(err.message).toContain("sk-...xist");
    expect(err.message).not.toContain("sk-wrong-key-that-does-not-exist");
  });

  test("a key that is not an sk- key", async () => {
    const err = await errorOf(await gw.request("/v1/models", { key: "abcdefghijkl" }));
    expect(err.message).toContain("LiteLLM Virtual Key expected. Received=abcd****ijkl");
  });

  test("an Authorization header without the Bearer scheme", async () => {
    const res = await gw.request("/v1/models", { key: null, headers: { authorization: MASTER_KEY } });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toContain("Malformed API Key passed in");
  });

  test("the master key from any of LiteLLM's headers", async () => {
    for (const header of ["x-litellm-api-key", "api-key", "x-api-key"]) {
      const res = await gw.request("/v1/models", { key: null, headers: { [header]: MASTER_KEY } });
      expect(res.status).toBe(200);
    }
  });
});

describe("request errors", () => {
  test("malformed JSON is a 400", async () => {
    const res = await gw.request("/key/generate", { method: "POST", body: '{"models": [', headers: { "content-type": "application/json" } });
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.type).toBe("invalid_request_error");
    expect(err.message).toContain("could not parse the JSON body");
  });

  test("a wrong field type is a 400 naming the field (not Elysia's 422)", async () => {
    const res = await gw.request("/key/generate", { method: "POST", json: { max_budget: "lots" } });
    expect(res.status).toBe(400);
    const err = await errorOf(res);
    expect(err.param).toBe("max_budget");
    expect(err.code).toBe("400");
  });

  test("a body over the configured limit is a 413, by content-length or by actual size", async () => {
    const big = JSON.stringify({ metadata: { blob: "x".repeat(20_000) } });
    const res = await gw.request("/key/generate", { method: "POST", body: big, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("413");
  });

  test("an unknown route is a 404", async () => {
    const res = await gw.request("/v1/does-not-exist", { method: "POST", json: {} });
    expect(res.status).toBe(404);
    const err = await errorOf(res);
    expect(err.code).toBe("404");
    expect(err.message).toContain("/v1/does-not-exist");
  });

  test("public routes need no key", async () => {
    for (const path of ["/health/liveliness", "/health/liveness", "/health/readiness", "/openapi.json", "/routes"]) {
      expect((await gw.request(path, { key: null })).status).toBe(200);
    }
  });

  test("/routes lists every route served with its methods (LiteLLM's public route)", async () => {
    const { routes } = (await (await gw.request("/routes", { key: null })).json()) as { routes: { path: string; methods: string[] }[] };
    const methodsOf = (path: string) => routes.find((r) => r.path === path)?.methods;
    expect(methodsOf("/v1/chat/completions")).toEqual(["POST"]);
    expect(methodsOf("/key/generate")).toEqual(["POST"]);
    expect(methodsOf("/key/info")).toEqual(["GET"]);
    expect(methodsOf("/routes")).toEqual(["GET"]);
    expect(new Set(routes.map((r) => r.path)).size).toBe(routes.length);
  });
});
