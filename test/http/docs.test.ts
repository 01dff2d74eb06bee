// /docs renders with no internet: every asset comes from the gateway itself.
import { afterAll, expect, test } from "bun:test";
import { hasChromium, launchBrowser } from "../support/browser.ts";
import { startGateway } from "../support/harness.ts";

const gw = await startGateway({ listen: true });
afterAll(() => gw.close());

test("the OpenAPI document lists the routes with their schemas", async () => {
  const res = await gw.request("/openapi.json", { key: null });
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { responses?: unknown }>> };
  expect(doc.openapi).toMatch(/^3\./);
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/health/readiness", "/v1/models"]));
  expect(JSON.stringify(doc.paths["/health/readiness"])).toContain("litellm_version");
  // The LLM routes check their bodies in the handler; the document still describes them.
  expect(JSON.stringify(doc.paths["/v1/chat/completions"]?.post)).toContain('"messages"');
});

test.skipIf(!hasChromium)("/docs renders its operations in headless Chromium with every outside request refused", async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const outside: string[] = [];
    await page.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === "127.0.0.1") return route.continue();
      outside.push(url.href);
      return route.abort();
    });
    await page.goto(`${gw.url}/docs`);
    await page.waitForSelector(".opblock", { timeout: 15_000 });
    const operations = await page.locator(".opblock").count();
    expect(operations).toBeGreaterThanOrEqual(3);
    expect(await page.locator(".opblock-summary-path").allTextContents()).toContain("/health/readiness");
    expect(outside).toEqual([]);
  } finally {
    await browser.close();
  }
}, 60_000);
