// Customers (end users) and budget tiers over HTTP on both dialects: CRUD with the /end_user/*
// aliases, blocking, an end-user budget and rpm limit that hold even for master-key calls, and
// tier changes reaching the end users on them at once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { errorOf, type Gateway, MASTER_KEY, PG_URL, startGateway } from "../support/harness.ts";

const CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-upstream-unused }
`;
const CALL_USD = 0.000225; // mock usage 10 + 20 tokens at $2.50 / $10 per Mtok

async function post(g: Gateway, path: string, json: unknown) {
  const res = await g.request(path, { method: "POST", json });
  const body = (await res.json()) as any;
  if (res.status !== 200) throw new Error(`${path} → ${res.status} ${JSON.stringify(body)}`);
  return body;
}
const chat = (g: Gateway, user: string, key: string = MASTER_KEY) =>
  g.request("/v1/chat/completions", { method: "POST", key, json: { model: "gpt-4o", user, messages: [{ role: "user", content: "hi" }], mock_response: "ok" } });

for (const dialect of ["sqlite", "pg"] as const) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`customers and budgets on ${dialect}`, () => {
    let g: Gateway;
    beforeAll(async () => {
      g = await startGateway({ configYaml: CONFIG, dialect });
    });
    afterAll(() => g.close());

    test("customer CRUD, with the /end_user/* aliases", async () => {
      const created = await post(g, "/customer/new", { user_id: "acme", alias: "Acme Inc", max_budget: 5, budget_duration: "1mo", rpm_limit: 100, allowed_model_region: "eu" });
      expect(created).toMatchObject({ user_id: "acme", alias: "Acme Inc", spend: 0, blocked: false, allowed_model_region: "eu", litellm_budget_table: { max_budget: 5, rpm_limit: 100, budget_duration: "1mo" } });
      expect(created.litellm_budget_table.budget_reset_at).toMatch(/-01T00:00:00.000Z$/);
      const dup = await g.request("/customer/new", { method: "POST", json: { user_id: "acme" } });
      expect(dup.status).toBe(400);
      expect((await errorOf(dup)).message).toBe("Customer already exists, passed user_id=acme. Please pass a new user_id.");
      const both = await g.request("/customer/new", { method: "POST", json: { user_id: "x", max_budget: 1, budget_id: "b" } });
      expect(both.status).toBe(422);
      expect((await errorOf(both)).message).toBe("Set either 'max_budget' or 'budget_id', not both.");
      expect((await g.request("/customer/new", { method: "POST", json: { user_id: "y", default_model: "nope" } })).status).toBe(422);

      expect(await (await g.request("/end_user/info?end_user_id=acme")).json()).toMatchObject({ user_id: "acme", alias: "Acme Inc" });
      expect(await post(g, "/end_user/update", { user_id: "acme", alias: null, max_budget: 7 })).toMatchObject({ alias: null, litellm_budget_table: { max_budget: 7 } });
      expect((await g.request("/customer/update", { method: "POST", json: { user_id: "ghost", alias: "x" } })).status).toBe(404);
      await post(g, "/customer/new", { user_id: "globex" });
      const list = (await (await g.request("/customer/list")).json()) as any[];
      expect(list.map((c) => c.user_id)).toEqual(expect.arrayContaining(["acme", "globex"]));
      expect(await post(g, "/customer/delete", { user_ids: ["globex", "never-existed"] })).toEqual({ deleted_customers: ["globex"] });
      expect((await g.request("/customer/info?end_user_id=globex")).status).toBe(404);
    });

    test("a blocked end user is refused, even on a master-key call; unblocking lets them through", async () => {
      expect((await chat(g, "mallory")).status).toBe(200); // created on first use
      expect(await post(g, "/customer/block", { user_ids: ["mallory"] })).toEqual({ blocked_users: ["mallory"] });
      const refused = await chat(g, "mallory");
      expect(refused.status).toBe(403);
      expect((await errorOf(refused)).message).toContain("End User=mallory is blocked");
      const { key } = await post(g, "/key/generate", {});
      expect((await chat(g, "mallory", key)).status).toBe(403);
      expect((await chat(g, "someone-else", key)).status).toBe(200);
      await post(g, "/end_user/unblock", { user_ids: ["mallory"] });
      expect((await chat(g, "mallory")).status).toBe(200);
      expect((await (await g.request("/customer/info?end_user_id=mallory")).json()).spend).toBe(2 * CALL_USD); // the refused calls cost nothing
    });

    test("an end user's budget refuses once crossed (master key included); raising it re-enables at once", async () => {
      await post(g, "/customer/new", { user_id: "tight", max_budget: 0.0003 });
      expect((await chat(g, "tight")).status).toBe(200); // 0.000225
      expect((await chat(g, "tight")).status).toBe(200); // crosses the budget: allowed (LiteLLM)
      const refused = await chat(g, "tight");
      expect(refused.status).toBe(400);
      expect(await errorOf(refused)).toMatchObject({ type: "budget_exceeded", message: "ExceededBudget: End User=tight over budget. Spend=0.00045, Budget=0.0003" });
      await post(g, "/customer/update", { user_id: "tight", max_budget: 1 });
      expect((await chat(g, "tight")).status).toBe(200);
    });

    test("the customer-id headers name the end user before the body's user field", async () => {
      const viaHeader = (header: string, bodyUser?: string) =>
        g.request("/v1/chat/completions", {
          method: "POST",
          headers: { [header]: "header-customer" },
          json: { model: "gpt-4o", ...(bodyUser ? { user: bodyUser } : {}), messages: [{ role: "user", content: "hi" }], mock_response: "ok" },
        });
      const first = await viaHeader("x-litellm-customer-id", "body-customer");
      expect(first.status).toBe(200);
      const id = first.headers.get("x-litellm-call-id")!;
      const logs = (await (await g.request(`/spend/logs?request_id=${id}`)).json()) as any[];
      expect(logs[0].end_user).toBe("header-customer");
      expect((await (await g.request("/customer/info?end_user_id=header-customer")).json()) as any).toMatchObject({ spend: CALL_USD });
      await post(g, "/customer/block", { user_ids: ["header-customer"] });
      expect((await viaHeader("x-litellm-end-user-id")).status).toBe(403);
      expect((await chat(g, "body-customer")).status).toBe(200);
    });

    test("an end user's rpm limit applies to master-key calls", async () => {
      await post(g, "/customer/new", { user_id: "slow", rpm_limit: 1 });
      expect((await chat(g, "slow")).status).toBe(200);
      expect((await chat(g, "slow")).status).toBe(429);
    });

    test("an end user's tpm limit refuses a call whose prompt alone is over it, a 10 KB prompt measured by its text", async () => {
      await post(g, "/customer/new", { user_id: "wordy", tpm_limit: 1_000 });
      const call = (content: string) =>
        g.request("/v1/chat/completions", { method: "POST", json: { model: "gpt-4o", user: "wordy", max_tokens: 10, messages: [{ role: "user", content }], mock_response: "ok" } });
      expect((await call("hi")).status).toBe(200);
      const refused = await call("x".repeat(10_000)); // ~2,500 tokens by the estimate
      expect(refused.status).toBe(429);
      expect((await errorOf(refused)).message).toContain("end_user");
    });

    test("budget tiers: CRUD, attach to a customer, a tier change reaches its customers", async () => {
      const tier = await post(g, "/budget/new", { budget_id: "free", max_budget: 0.0001, rpm_limit: 1000, budget_duration: "1d" });
      expect(tier).toMatchObject({ budget_id: "free", max_budget: 0.0001, rpm_limit: 1000, budget_duration: "1d" });
      const dup = await g.request("/budget/new", { method: "POST", json: { budget_id: "free" } });
      expect(dup.status).toBe(400);
      expect((await errorOf(dup)).message).toBe("Budget with id 'free' already exists.");
      expect((await g.request("/customer/new", { method: "POST", json: { user_id: "z", budget_id: "missing" } })).status).toBe(400);
      const c = await post(g, "/customer/new", { user_id: "freeloader", budget_id: "free" });
      expect(c).toMatchObject({ budget_id: "free", litellm_budget_table: { budget_id: "free", max_budget: 0.0001, rpm_limit: 1000, budget_duration: "1d" } });
      expect((await chat(g, "freeloader")).status).toBe(200);
      expect((await chat(g, "freeloader")).status).toBe(400); // 0.000225 > 0.0001
      await post(g, "/budget/update", { budget_id: "free", max_budget: 10 });
      expect((await (await g.request("/customer/info?end_user_id=freeloader")).json()).litellm_budget_table.max_budget).toBe(10);
      expect((await chat(g, "freeloader")).status).toBe(200);
      expect(await post(g, "/budget/info", { budgets: ["free"] })).toMatchObject([{ budget_id: "free", max_budget: 10 }]);
      expect((await g.request("/budget/info", { method: "POST", json: { budgets: [] } })).status).toBe(400);
      expect(((await (await g.request("/budget/list")).json()) as any[]).map((b) => b.budget_id)).toContain("free");
      expect(await post(g, "/budget/delete", { id: "free" })).toEqual({ budget_id: "free", deleted: true });
      expect((await g.request("/budget/delete", { method: "POST", json: { id: "free" } })).status).toBe(404);
    });

    test("only proxy admins manage customers and budgets", async () => {
      await post(g, "/user/new", { user_id: "intern", user_role: "internal_user" });
      const { key } = await post(g, "/key/generate", { user_id: "intern" });
      for (const [path, json] of [["/customer/new", { user_id: "q" }], ["/budget/new", {}], ["/customer/block", { user_ids: ["q"] }]] as const) {
        expect((await g.request(path, { method: "POST", json, key })).status).toBe(401);
      }
    });

    test("/customer/daily/activity (and /end_user/daily/activity): daily spend per end user, end_user_ids and exclude_end_user_ids, admins and viewers only", async () => {
      await post(g, "/customer/new", { user_id: "act-1" });
      for (const user of ["act-1", "act-1", "act-2", "act-3"]) expect((await chat(g, user)).status).toBe(200);
      const get = async (path: string, key?: string) => {
        const res = await g.request(path, { key });
        expect(res.status).toBe(200);
        return (await res.json()) as any;
      };
      const a = await get("/customer/daily/activity?end_user_ids=act-1,act-2");
      const today = new Date().toISOString().slice(0, 10);
      expect(a.results).toHaveLength(1);
      expect(a.results[0].date).toBe(today);
      const entities = a.results[0].breakdown.entities;
      expect(Object.keys(entities).sort()).toEqual(["act-1", "act-2"]);
      expect(entities["act-1"].metrics).toMatchObject({ spend: 2 * CALL_USD, prompt_tokens: 20, completion_tokens: 40, total_tokens: 60, api_requests: 2, successful_requests: 2, failed_requests: 0 });
      expect(entities["act-2"].metrics.api_requests).toBe(1);
      expect(a.results[0].breakdown.models["gpt-4o"].metrics.api_requests).toBe(3);
      expect(a.results[0].breakdown.api_keys).toEqual({});
      expect(a.metadata).toMatchObject({ total_api_requests: 3, total_tokens: 90, page: 1, total_pages: 1, has_more: false });
      expect(a.metadata.total_spend).toBeCloseTo(3 * CALL_USD, 12);

      const alias = await get("/end_user/daily/activity?end_user_ids=act-1,act-2");
      expect(alias).toEqual(a);
      const excluded = await get(`/customer/daily/activity?end_user_ids=act-1,act-2,act-3&exclude_end_user_ids=act-2&start_date=${today}&end_date=${today}`);
      expect(Object.keys(excluded.results[0].breakdown.entities).sort()).toEqual(["act-1", "act-3"]);
      expect((await get("/customer/daily/activity?start_date=2000-01-01&end_date=2000-01-02")).results).toEqual([]);

      await post(g, "/user/new", { user_id: "watcher", user_role: "proxy_admin_viewer" });
      const { key: viewer } = await post(g, "/key/generate", { user_id: "watcher" });
      expect((await get("/customer/daily/activity?end_user_ids=act-2", viewer)).metadata.total_api_requests).toBe(1);
      await post(g, "/user/new", { user_id: "intern2", user_role: "internal_user" });
      const { key: intern } = await post(g, "/key/generate", { user_id: "intern2" });
      expect((await g.request("/customer/daily/activity", { key: intern })).status).toBe(401);
    });
  });

  describe.skipIf(dialect === "pg" && !PG_URL)(`litellm_settings.max_end_user_budget on ${dialect}`, () => {
    let g: Gateway;
    beforeAll(async () => {
      g = await startGateway({ configYaml: `${CONFIG}litellm_settings:\n  max_end_user_budget: 0.0003\n`, dialect });
    });
    afterAll(() => g.close());

    test("an end user without a budget of its own has the default, from its first call", async () => {
      expect((await chat(g, "walk-in")).status).toBe(200); // 0.000225
      expect((await chat(g, "walk-in")).status).toBe(200); // crosses: allowed, as any budget
      const refused = await chat(g, "walk-in");
      expect(refused.status).toBe(400);
      expect(await errorOf(refused)).toMatchObject({ type: "budget_exceeded", message: "ExceededBudget: End User=walk-in over budget. Spend=0.00045, Budget=0.0003" });
      // Calls naming no end user, and other end users, are not held by it.
      expect((await g.request("/v1/chat/completions", { method: "POST", json: { model: "gpt-4o", messages: [], mock_response: "ok" } })).status).toBe(200);
      expect((await chat(g, "another")).status).toBe(200);
    });

    test("an end user's own budget wins over the default", async () => {
      await post(g, "/customer/new", { user_id: "big-spender", max_budget: 1 });
      for (let i = 0; i < 3; i++) expect((await chat(g, "big-spender")).status).toBe(200);
    });
  });

  describe.skipIf(dialect === "pg" && !PG_URL)(`litellm_settings.max_end_user_budget_id on ${dialect}`, () => {
    let g: Gateway;
    beforeAll(async () => {
      g = await startGateway({ configYaml: `${CONFIG}litellm_settings:\n  max_end_user_budget_id: walk-ins\n  max_end_user_budget: 100\n`, dialect });
      await post(g, "/budget/new", { budget_id: "walk-ins", max_budget: 0.0003 });
    });
    afterAll(() => g.close());

    test("an end user without a budget has the tier's, which wins over max_end_user_budget", async () => {
      expect((await chat(g, "stranger")).status).toBe(200);
      expect((await chat(g, "stranger")).status).toBe(200);
      const refused = await chat(g, "stranger");
      expect(await errorOf(refused)).toMatchObject({ type: "budget_exceeded", message: "ExceededBudget: End User=stranger over budget. Spend=0.00045, Budget=0.0003" });
      await post(g, "/customer/new", { user_id: "regular", max_budget: 1 });
      for (let i = 0; i < 3; i++) expect((await chat(g, "regular")).status).toBe(200);
    });
  });
}
