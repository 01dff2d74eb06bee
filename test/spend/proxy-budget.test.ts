// litellm_settings.max_budget + budget_duration: one budget for every LLM call the proxy makes, kept
// (as LiteLLM keeps it) on the user row "litellm-proxy-budget", on both dialects. mock_response
// costs 225,000 nano-USD per call at gpt-4o's prices.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { errorOf, type Gateway, MASTER_KEY, PG_URL, startGateway } from "../support/harness.ts";

const CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-upstream-unused }
litellm_settings:
  max_budget: 0.0003
  budget_duration: 30d
`;

for (const dialect of ["sqlite", "pg"] as const) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`the proxy-wide budget on ${dialect}`, () => {
    let g: Gateway;
    beforeAll(async () => {
      g = await startGateway({ configYaml: CONFIG, dialect });
    });
    afterAll(() => g.close());
    const chat = (key: string) =>
      g.request("/v1/chat/completions", { method: "POST", key, json: { model: "gpt-4o", messages: [{ role: "user", content: "hi" }], mock_response: "ok" } });

    test("every caller's calls count against it; once crossed, every caller is refused", async () => {
      const one = ((await (await g.request("/key/generate", { method: "POST", json: {} })).json()) as { key: string }).key;
      const two = ((await (await g.request("/key/generate", { method: "POST", json: {} })).json()) as { key: string }).key;
      expect((await chat(one)).status).toBe(200); // 0.000225
      expect((await chat(MASTER_KEY)).status).toBe(200); // crosses 0.0003: allowed, as any budget
      for (const key of [two, one, MASTER_KEY]) {
        const refused = await chat(key);
        expect(refused.status).toBe(400);
        expect(await errorOf(refused)).toMatchObject({ type: "budget_exceeded", message: "ExceededBudget: User=litellm-proxy-budget over budget. Spend=0.00045, Budget=0.0003" });
      }
      await g.committed();
      const u = g.store.t.users;
      const [row] = await g.store.db.select().from(u).where(eq(u.userId, "litellm-proxy-budget"));
      expect(row).toMatchObject({ spendNano: 450_000, maxBudgetNano: 300_000, budgetDuration: "30d" });
      expect(row!.budgetResetAt).not.toBeNull();
    });
  });
}
