// The seed's admin flow in a real browser against the compiled binary: sign in, Internal Users,
// Add User, a key for that user with max_budget 100, copy it, use it in the playground, see the
// spend on Usage; block the key and see it refused; the user signs in and sees only their keys.
// Each page is saved as a screenshot under test/ui/screenshots/ (gitignored) for review.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { hasChromium, launchBrowser } from "../support/browser.ts";
import { buildBinary, type RunningBinary, startBinary } from "../support/binary.ts";
import { tempPath } from "../support/harness.ts";
import { MOCK_TEXT, MockUpstream } from "../support/mock-upstream.ts";

const MASTER = "sk-ui-master-0123456789";
const SHOTS = path.join(import.meta.dir, "screenshots");

let upstream: MockUpstream;
let gateway: RunningBinary;
let browser: Browser;

beforeAll(async () => {
  if (!hasChromium) return;
  mkdirSync(SHOTS, { recursive: true });
  upstream = new MockUpstream();
  const config = tempPath("ui-config.yaml");
  writeFileSync(config, [
    "model_list:",
    "  - model_name: gpt-mock",
    "    litellm_params: { model: openai/x, api_base: " + `${upstream.url}/v1` + ", api_key: sk-x }",
    "    model_info: { input_cost_per_token: 0.001, output_cost_per_token: 0.002 }",
    "litellm_settings:",
    "  store_audit_logs: true",
  ].join("\n"));
  const [bin] = await Promise.all([buildBinary()]);
  gateway = await startBinary(bin, ["--config", config, "--db", tempPath("ui.db")], { LITELLM_MASTER_KEY: MASTER });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.stop();
  await upstream?.close();
});

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 850 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: gateway.url });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  return { context, page };
}

/** Waits until the value satisfies the check (Playwright-style polling; bun's expect has no poll). */
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(v)}`);
    await Bun.sleep(50);
  }
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

async function signIn(page: Page, how: { username: string; password: string } | { key: string }) {
  await page.goto(`${gateway.url}/ui`);
  if ("key" in how) {
    await page.getByLabel("API key").check();
    await page.getByLabel("Master key or your virtual key").fill(how.key);
  } else {
    await page.getByLabel("Username", { exact: true }).fill(how.username);
    await page.getByLabel("Password", { exact: true }).fill(how.password);
  }
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Pages", exact: true }).waitFor();
}

describe.skipIf(!hasChromium)("admin UI in the binary", () => {
  let userKey = "";
  let copiedKey = "";

  test("sign in, Internal Users, Add User: the new user's key is shown once", async () => {
    const { context, page } = await newPage();
    await page.goto(`${gateway.url}/ui/users`);
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await shot(page, "01-sign-in");
    // A wrong password is answered in words.
    await page.getByLabel("Password", { exact: true }).fill("sk-wrong");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Invalid credentials");

    await signIn(page, { username: "admin", password: MASTER });
    await page.getByRole("link", { name: "Internal Users" }).click();
    await page.getByRole("heading", { name: "Internal Users" }).waitFor();
    await page.getByRole("button", { name: "Add User" }).click();
    await page.getByLabel("Email", { exact: true }).fill("alice@example.com");
    await page.getByLabel("Role", { exact: true }).last().selectOption("internal_user");
    await page.getByRole("button", { name: "Create user" }).click();
    const shown = page.getByTestId("new-key");
    await shown.waitFor();
    userKey = await shown.inputValue();
    expect(userKey).toMatch(/^sk-/);
    await page.getByRole("row", { name: /alice@example\.com/ }).waitFor();
    await shot(page, "02-users-added");
    await page.getByRole("button", { name: "Done" }).click();
    expect(await page.getByTestId("new-key").count()).toBe(0);
    await context.close();
  }, 60_000);

  test("a key for that user with max_budget 100, copied, then used in the playground: streamed answer, cost and latency", async () => {
    const { context, page } = await newPage();
    await signIn(page, { username: "admin", password: MASTER });
    await page.getByRole("link", { name: "Internal Users" }).click();
    await page.getByRole("row", { name: /alice@example\.com/ }).getByRole("button", { name: "Create key" }).click();
    await page.getByRole("heading", { name: "Create key" }).waitFor();
    await page.getByLabel("Key alias").first().fill("alice-key");
    expect(await page.getByLabel("User id").first().inputValue()).not.toBe("");
    await page.getByLabel("Max budget (USD)").fill("100");
    await shot(page, "03-keys-create");
    await page.getByRole("button", { name: "Create key" }).last().click();
    await page.getByTestId("new-key").waitFor();
    await page.getByRole("button", { name: "Copy" }).click();
    await page.getByText("Copied to the clipboard.").waitFor();
    copiedKey = await page.evaluate(() => navigator.clipboard.readText());
    expect(copiedKey).toBe(await page.getByTestId("new-key").inputValue());
    const row = page.getByRole("row", { name: /alice-key/ });
    await expect(row.textContent()).resolves.toContain("$100");
    await shot(page, "04-keys");

    await page.getByRole("link", { name: "Playground" }).click();
    await page.getByLabel("Key", { exact: true }).selectOption("key");
    await page.getByLabel("Virtual key").fill(copiedKey);
    await until(() => page.getByLabel("Model").inputValue(), (v) => v === "gpt-mock", "the model list");
    await page.getByLabel("Message").fill("Hello!");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByTestId("cost").waitFor();
    expect(await page.getByTestId("answer").textContent()).toBe(MOCK_TEXT);
    // 7 prompt tokens × $0.001 + 4 completion tokens × $0.002 = $0.015.
    expect(await page.getByTestId("cost").textContent()).toContain("$0.015");
    expect(await page.getByTestId("latency").textContent()).toMatch(/^\d+ ms$/);
    expect(upstream.received.at(-1)?.body.stream).toBe(true);
    await shot(page, "05-playground");
    await context.close();
  }, 60_000);

  test("the spend appears on Usage", async () => {
    const { context, page } = await newPage();
    await signIn(page, { username: "admin", password: MASTER });
    await page.getByRole("link", { name: "Usage" }).click();
    const row = page.getByTestId("key-spend").getByRole("row", { name: /alice-key/ });
    await until(async () => (await row.textContent()) ?? "", (t) => t.includes("$0.015"), "the key's spend");
    // The request log and the day-by-day totals (the spend API of acadf3a).
    const log = page.getByTestId("logs-table").getByRole("row", { name: /alice-key/ });
    await log.waitFor();
    expect(await log.textContent()).toContain("$0.015");
    expect(await log.textContent()).toContain("gpt-mock");
    await page.getByText("Total: $0.015").waitFor();
    await page.locator(".chart canvas").waitFor();
    await page.waitForLoadState("networkidle");
    await shot(page, "06-usage");
    await context.close();
  }, 60_000);

  test("block the key: the table says so and the key is refused", async () => {
    const { context, page } = await newPage();
    await signIn(page, { username: "admin", password: MASTER });
    await page.getByRole("link", { name: "Virtual Keys" }).click();
    const row = page.getByRole("row", { name: /alice-key/ });
    await row.getByRole("button", { name: "Block" }).click();
    await row.getByText("Blocked").waitFor();
    await shot(page, "07-keys-blocked");
    const refused = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${copiedKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-mock", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("blocked");
    // The playground shows the refusal in words.
    await page.getByRole("link", { name: "Playground" }).click();
    await page.getByLabel("Key", { exact: true }).selectOption("key");
    await page.getByLabel("Virtual key").fill(copiedKey);
    await page.getByRole("alert").filter({ hasText: "blocked" }).waitFor();
    await shot(page, "08-playground-refused");
    // Unblocked again through the UI.
    await page.getByRole("link", { name: "Virtual Keys" }).click();
    await row.getByRole("button", { name: "Unblock" }).click();
    await row.getByText("Active").waitFor();
    await context.close();
  }, 60_000);

  test("Teams and Models pages render for the admin", async () => {
    const { context, page } = await newPage();
    await signIn(page, { username: "admin", password: MASTER });
    await page.getByRole("link", { name: "Teams" }).click();
    await page.getByRole("button", { name: "Create team" }).click();
    await page.getByLabel("Team name").fill("research");
    await page.getByRole("button", { name: "Create team" }).last().click();
    await page.getByRole("row", { name: /research/ }).waitFor();
    await page.getByRole("row", { name: /research/ }).getByRole("button", { name: "Members and keys" }).click();
    await page.getByLabel("Email or user id").fill("alice@example.com");
    await page.getByRole("button", { name: "Add member" }).click();
    await page.getByRole("heading", { name: /Team research/ }).waitFor();
    await page.getByRole("button", { name: "Remove" }).nth(1).waitFor(); // the creator and alice
    await until(() => page.getByRole("row", { name: /research/ }).locator("td").nth(3).textContent(), (n) => n === "2", "the list's member count");
    // Member permissions: by default nothing but reading; ticking "Create keys" is saved and shown.
    const createKeys = page.getByRole("checkbox", { name: "Create keys" });
    expect(await createKeys.isChecked()).toBe(false);
    await createKeys.check();
    await page.getByRole("button", { name: "Save permissions" }).click();
    await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    const teamId = (await page.getByRole("row", { name: /research/ }).locator("code").textContent())!;
    const listed = await fetch(`${gateway.url}/team/permissions_list?team_id=${teamId}`, { headers: { authorization: `Bearer ${MASTER}` } });
    expect(((await listed.json()) as { team_member_permissions: string[] }).team_member_permissions).toContain("/key/generate");
    await shot(page, "09-teams");
    await page.getByRole("link", { name: "Models" }).click();
    await page.getByRole("row", { name: /gpt-mock/ }).waitFor();
    expect(await page.getByRole("row", { name: /gpt-mock/ }).textContent()).toContain("$1,000"); // $0.001/token = $1,000 per 1M
    await shot(page, "10-models");
    await context.close();
  }, 60_000);

  test("Audit Logs list the flow's changes, filter them, and open one to its changed fields", async () => {
    const { context, page } = await newPage();
    await signIn(page, { username: "admin", password: MASTER });
    await page.getByRole("link", { name: "Audit Logs" }).click();
    const table = page.getByTestId("audit-table");
    await table.getByRole("row", { name: /blocked/ }).waitFor();
    const actions = await table.locator("tbody > tr > td:nth-child(2)").allTextContents();
    // Newest first: the team's member permissions and member (updated twice) and the team
    // (created), the key's unblock (updated) just after its block, the user and keys before.
    expect(actions.slice(0, 3)).toEqual(["updated", "updated", "created"]);
    expect(actions[actions.indexOf("blocked") - 1]).toBe("updated");
    await page.getByLabel("Object", { exact: true }).selectOption("LiteLLM_UserTable");
    await until(() => table.locator("tbody > tr > td:nth-child(3)").allTextContents(), (v) => v.length > 0 && v.every((x) => x === "User"), "only users");
    await page.getByLabel("Object", { exact: true }).selectOption("LiteLLM_VerificationToken");
    await page.getByLabel("Action", { exact: true }).selectOption("blocked");
    const blocked = table.getByRole("row", { name: /blocked/ });
    await until(() => table.locator("tbody > tr").count(), (n) => n === 1, "one blocked key");
    await blocked.getByRole("button", { name: "Changes" }).click();
    const changes = page.getByRole("table", { name: "Changed fields" });
    await expect(changes.getByRole("row", { name: /blocked/ }).textContent()).resolves.toBe("blockedfalsetrue");
    await shot(page, "12-audit-logs");
    await context.close();
  }, 60_000);

  test("the internal user signs in with their own key and sees only their own keys", async () => {
    const { context, page } = await newPage();
    await signIn(page, { key: userKey });
    expect(await page.getByRole("link", { name: "Internal Users" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Audit Logs" }).count()).toBe(0);
    await page.getByRole("heading", { name: "Virtual Keys" }).waitFor();
    const table = page.getByTestId("keys-table");
    await table.waitFor();
    const rows = table.locator("tbody tr");
    await until(() => rows.count(), (n) => n === 2, "two keys"); // the key from Add User and alice-key
    const owners = await rows.locator("td:nth-child(3)").allTextContents();
    expect(new Set(owners).size).toBe(1);
    await expect(page.locator(".who").textContent()).resolves.toContain("alice@example.com");
    await shot(page, "11-internal-user-keys");
    await context.close();
  }, 60_000);
});
