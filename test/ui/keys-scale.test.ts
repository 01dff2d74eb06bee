// The keys page with 100,000 keys, in the binary, in the browser: the first page renders in under
// 1 s (measured from navigation start, inside the page), and paging stays server-side.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { openStore } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { hasChromium, launchBrowser } from "../support/browser.ts";
import { buildBinary, type RunningBinary, startBinary } from "../support/binary.ts";
import { tempPath } from "../support/harness.ts";
import { seedKeys } from "../support/seed-keys.ts";

const KEYS = 100_000;
const MASTER = "sk-ui-scale-master-0123";
const SHOTS = path.join(import.meta.dir, "screenshots");
const ROWS = "[data-testid=keys-table] tbody tr";

let gateway: RunningBinary;
let browser: Browser;

async function seed(dbPath: string) {
  const store = openStore(dbPath);
  await migrate(store);
  await seedKeys(store, KEYS, "sk-scale-");
  await store.close();
}

beforeAll(async () => {
  if (!hasChromium) return;
  mkdirSync(SHOTS, { recursive: true });
  const db = tempPath("ui-scale.db");
  const [bin] = await Promise.all([buildBinary(), seed(db)]);
  gateway = await startBinary(bin, ["--db", db], { LITELLM_MASTER_KEY: MASTER });
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
});

describe.skipIf(!hasChromium)("keys page at 100,000 keys", () => {
  test("the first page renders in under 1 s; next page and an alias filter come from the server", async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 850 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    // Sign in through the API from inside the page, so the cookie is the browser's own.
    await page.goto(`${gateway.url}/ui`);
    const status = await page.evaluate(async (password) => (await fetch("/login", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ password }) })).status, MASTER);
    expect(status).toBe(200);

    const timings: number[] = [];
    for (let run = 0; run < 3; run++) {
      await page.goto(`${gateway.url}/ui/keys`);
      await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 25, ROWS);
      timings.push(await page.evaluate(() => performance.now()));
    }
    const firstPaintMs = Math.round(timings[0]!);
    const bestMs = Math.round(Math.min(...timings));
    console.log(`keys page, ${KEYS.toLocaleString()} keys: first page rendered ${firstPaintMs} ms after navigation (cold), best of 3 ${bestMs} ms`);
    expect(firstPaintMs).toBeLessThan(1000);
    await page.getByText(`Page 1 of 4,000 · 100,000 keys`).waitFor();
    await page.screenshot({ path: path.join(SHOTS, "12-keys-100k.png"), fullPage: true });

    const firstRow = await page.locator(ROWS).first().textContent();
    const started = Date.now();
    await page.getByRole("button", { name: "Next →" }).first().click();
    await page.getByText("Page 2 of 4,000").waitFor();
    await page.waitForFunction(([sel, before]) => document.querySelector(sel)?.textContent !== before, [ROWS, firstRow] as const);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await page.locator(ROWS).count()).toBe(25);

    await page.getByLabel("Key alias", { exact: true }).fill("alias-99990");
    await page.getByLabel("Key alias", { exact: true }).press("Enter");
    await page.getByText("Page 1 of 1 · 1 keys").waitFor();
    expect(await page.locator(ROWS).count()).toBe(1);
    await context.close();
  }, 60_000);
});
