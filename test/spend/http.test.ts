// Cost, spend and budgets over HTTP with mock_response (LiteLLM's mock usage: 10 prompt + 20
// completion tokens). gpt-4o costs $2.50 / $10 per Mtok: 10 × 2,500 + 20 × 10,000 = 225,000 nano-USD.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { errorOf, type Gateway, PG_URL, startGateway } from "../support/harness.ts";

const CALL_NANO = 225_000;
const CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-upstream-unused }
  - model_name: priced-by-hand
    litellm_params: { model: openai/some-finetune, api_key: sk-upstream-unused }
    model_info: { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 }
  - model_name: down
    litellm_params: { model: openai/gpt-4o, api_key: sk-x, api_base: "http://127.0.0.1:9/v1" }
`;

const chat = (g: Gateway, key: string, extra: Record<string, unknown> = {}) =>
  g.request("/v1/chat/completions", {
    method: "POST",
    key,
    json: { model: "gpt-4o", messages: [{ role: "user", content: "hi" }], mock_response: "hello there", ...extra },
  });

async function post(g: Gateway, path: string, json: unknown) {
  const res = await g.request(path, { method: "POST", json });
  const body = (await res.json()) as Record<string, any>;
  if (res.status !== 200) throw new Error(`${path} → ${res.status} ${JSON.stringify(body)}`);
  return body;
}

const costHeaderNano = (res: Response) => Math.round(Number(res.headers.get("x-litellm-response-cost")) * 1e9);

for (const dialect of ["sqlite", "pg"] as const) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`spend over HTTP on ${dialect}`, () => {
    let g: Gateway;
    beforeAll(async () => {
      g = await startGateway({ configYaml: CONFIG, dialect });
    });
    afterAll(() => g.close());

    const row = async (table: "keys" | "users" | "teams" | "endUsers", id: string) => {
      await g.committed();
      const t = g.store.t;
      const col = { keys: t.keys.token, users: t.users.userId, teams: t.teams.teamId, endUsers: t.endUsers.userId }[table];
      const rows = await g.store.db.select().from(t[table] as typeof t.users).where(eq(col, id));
      return rows[0] as { spendNano: number } | undefined;
    };
    const logOf = async (requestId: string) =>
      (await g.committed(), await g.store.db.select().from(g.store.t.spendLogs).where(eq(g.store.t.spendLogs.requestId, requestId)))[0];

    test("exact cost in the header, the key, its user, team, membership, end user and the spend log", async () => {
      await post(g, "/user/new", { user_id: "alice" });
      await post(g, "/team/new", { team_id: "team-a" });
      await post(g, "/team/member_add", { team_id: "team-a", member: { user_id: "alice", role: "user" } });
      const { key, token } = await post(g, "/key/generate", { user_id: "alice", team_id: "team-a", key_alias: "alice-key" });
      const res = await chat(g, key, { user: "customer-1", metadata: { tags: ["prod", "chat"] } });
      expect(res.status).toBe(200);
      expect(costHeaderNano(res)).toBe(CALL_NANO);
      expect(res.headers.get("x-litellm-response-cost")).toBe("0.000225");
      expect(res.headers.get("x-litellm-key-spend")).toBe("0.000225");
      const info = await (await g.request(`/key/info?key=${key}`)).json() as { info: { spend: number } };
      expect(info.info.spend).toBe(0.000225);
      expect((await row("keys", token))!.spendNano).toBe(CALL_NANO);
      expect((await row("users", "alice"))!.spendNano).toBe(CALL_NANO);
      expect((await row("teams", "team-a"))!.spendNano).toBe(CALL_NANO);
      expect((await row("endUsers", "customer-1"))!.spendNano).toBe(CALL_NANO);
      const member = (await g.store.db.select().from(g.store.t.teamMembers).where(eq(g.store.t.teamMembers.userId, "alice")))[0];
      expect(member!.spendNano).toBe(CALL_NANO);
      const log = await logOf(res.headers.get("x-litellm-call-id")!);
      expect(log).toMatchObject({
        callType: "acompletion", apiKey: token, model: "gpt-4o", modelGroup: "gpt-4o", provider: "openai",
        userId: "alice", teamId: "team-a", endUser: "customer-1",
        promptTokens: 10, completionTokens: 20, totalTokens: 30, spendNano: CALL_NANO, status: "success", requestTags: ["prod", "chat"],
      });
      expect(log!.endTime.getTime()).toBeGreaterThanOrEqual(log!.startTime.getTime());
    });

    test("a streamed call is charged the same, before the stream ends", async () => {
      const { key, token } = await post(g, "/key/generate", {});
      const res = await chat(g, key, { stream: true, stream_options: { include_usage: true } });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).toContain("[DONE]");
      expect((await row("keys", token))!.spendNano).toBe(CALL_NANO);
      expect((await logOf(res.headers.get("x-litellm-call-id")!))!.spendNano).toBe(CALL_NANO);
    });

    test("model_info prices override the table", async () => {
      const { key } = await post(g, "/key/generate", {});
      const res = await chat(g, key, { model: "priced-by-hand" });
      expect(costHeaderNano(res)).toBe(10 * 1_000 + 20 * 2_000);
    });

    test("a failed call is logged as a failure at zero cost", async () => {
      const { key, token } = await post(g, "/key/generate", {});
      const res = await g.request("/v1/chat/completions", { method: "POST", key, json: { model: "down", messages: [{ role: "user", content: "hi" }] } });
      expect(res.status).toBeGreaterThanOrEqual(400);
      await g.committed();
      const logs = await g.store.db.select().from(g.store.t.spendLogs).where(eq(g.store.t.spendLogs.apiKey, token));
      expect(logs.map((l) => [l.status, l.spendNano])).toEqual([["failure", 0]]);
      expect((await row("keys", token))!.spendNano).toBe(0);
    });

    test("a key over budget gets 400 budget_exceeded, /key/info keeps working, raising the budget re-enables it", async () => {
      const { key } = await post(g, "/key/generate", { max_budget: 0.0003, key_alias: `budgeted-${dialect}` });
      expect((await chat(g, key)).status).toBe(200); // 0.000225 < 0.0003
      expect((await chat(g, key)).status).toBe(200); // crosses the budget: allowed (LiteLLM)
      const refused = await chat(g, key);
      expect(refused.status).toBe(400);
      const err = await errorOf(refused);
      expect(err).toMatchObject({ type: "budget_exceeded", code: "400" });
      expect(err.message).toBe(`Budget has been exceeded! Key=budgeted-${dialect} Current cost: 0.00045, Max budget: 0.0003`);
      expect((await g.request(`/key/info?key=${key}`)).status).toBe(200);
      await post(g, "/key/update", { key, max_budget: 1 });
      expect((await chat(g, key)).status).toBe(200);
    });

    test("team budget blocks a team key; the user's personal budget does not", async () => {
      await post(g, "/user/new", { user_id: "bob", max_budget: 0 });
      await post(g, "/team/new", { team_id: "team-b", max_budget: 0.0002 });
      await post(g, "/team/member_add", { team_id: "team-b", member: { user_id: "bob", role: "user" } });
      const teamKey = (await post(g, "/key/generate", { user_id: "bob", team_id: "team-b" })).key;
      expect((await chat(g, teamKey)).status).toBe(200); // bob's personal budget of 0 does not apply
      const refused = await chat(g, teamKey);
      expect(refused.status).toBe(400);
      expect((await errorOf(refused)).message).toBe("Budget has been exceeded! Team=team-b Current cost: 0.000225, Max budget: 0.0002");
      const personal = (await post(g, "/key/generate", { user_id: "bob" })).key;
      const userRefused = await chat(g, personal);
      expect(userRefused.status).toBe(400);
      expect((await errorOf(userRefused)).message).toBe("ExceededBudget: User=bob over budget. Spend=0.000225, Budget=0");
    });

    test("1,000 concurrent calls against a budget of 10 calls overshoot by at most one call", async () => {
      const budgetNano = 10 * CALL_NANO;
      const { key, token } = await post(g, "/key/generate", { max_budget: budgetNano / 1e9 });
      const started = performance.now();
      // max_tokens makes the reservation tight; without it the default output estimate (1,024
      // tokens) reserves more than this whole budget and the calls run one at a time.
      const statuses = await Promise.all(Array.from({ length: 1_000 }, () => chat(g, key, { max_tokens: 20 }).then((r) => r.status)));
      const ms = performance.now() - started;
      const spendNano = (await row("keys", token))!.spendNano;
      const ok = statuses.filter((s) => s === 200).length;
      const overshootNano = spendNano - budgetNano;
      console.log(`[${dialect}] 1,000 concurrent calls, budget ${budgetNano} nano: ${ok} admitted, spend ${spendNano} nano, overshoot ${overshootNano} nano (one call = ${CALL_NANO}), ${ms.toFixed(0)} ms, ledger ${JSON.stringify(g.deps.spend!.ledger.stats)}`);
      expect(statuses.filter((s) => s !== 200 && s !== 400)).toEqual([]);
      expect(spendNano).toBe(ok * CALL_NANO);
      expect(overshootNano).toBeLessThanOrEqual(CALL_NANO);
      expect(spendNano).toBeGreaterThanOrEqual(budgetNano - CALL_NANO);
    });
  });
}
