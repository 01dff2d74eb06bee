// The spend API over HTTP on both dialects, with an injected clock so calls land on known days.
// mock_response usage is 10 prompt + 20 completion tokens; gpt-4o at $2.50 / $10 per Mtok makes
// each call 225,000 nano-USD, gpt-4o-mini ($0.15 / $0.60) 13,500.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { errorOf, type Gateway, MASTER_KEY, PG_URL, startGateway } from "../support/harness.ts";

const CALL_NANO = 225_000;
const MINI_NANO = 13_500;
const CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-upstream-unused }
  - model_name: gpt-4o-mini
    litellm_params: { model: openai/gpt-4o-mini, api_key: sk-upstream-unused }
`;
const DAY1 = Date.UTC(2031, 2, 10, 9, 0);
const DAY2 = Date.UTC(2031, 2, 11, 15, 30);
const usd = (nano: number) => nano / 1e9;

async function post(g: Gateway, path: string, json: unknown, key: string = MASTER_KEY) {
  const res = await g.request(path, { method: "POST", json, key });
  const body = (await res.json()) as Record<string, any>;
  if (res.status !== 200) throw new Error(`${path} → ${res.status} ${JSON.stringify(body)}`);
  return body;
}
async function get(g: Gateway, path: string, key: string = MASTER_KEY): Promise<any> {
  const res = await g.request(path, { key });
  if (res.status !== 200) throw new Error(`${path} → ${res.status} ${await res.text()}`);
  return res.json();
}

for (const dialect of ["sqlite", "pg"] as const) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`spend API on ${dialect}`, () => {
    let g: Gateway;
    let clock = DAY1;
    // request_id in LiteLLM's logs is the answer's own id (response.id); the call id is call_id.
    const ids: Record<string, string> = {};
    const callIds: Record<string, string> = {};
    let aliceKey = "";
    let aliceToken = "";
    let bobKey = "";
    let bobToken = "";
    const chat = async (key: string, extra: Record<string, unknown> = {}) => {
      const res = await g.request("/v1/chat/completions", {
        method: "POST",
        key,
        json: { model: "gpt-4o", messages: [{ role: "user", content: "hi" }], mock_response: "hello", ...extra },
      });
      expect(res.status).toBe(200);
      const id = ((await res.json()) as { id: string }).id;
      callIds[id] = res.headers.get("x-litellm-call-id")!;
      return id;
    };

    beforeAll(async () => {
      g = await startGateway({ configYaml: CONFIG, dialect, now: () => clock });
      await post(g, "/team/new", { team_id: "red", team_alias: "Red Team" });
      await post(g, "/user/new", { user_id: "alice", user_role: "internal_user", auto_create_key: false });
      await post(g, "/user/new", { user_id: "bob", user_role: "internal_user", auto_create_key: false });
      await post(g, "/team/member_add", { team_id: "red", member: { user_id: "alice", role: "user" } });
      ({ key: aliceKey, token: aliceToken } = await post(g, "/key/generate", { user_id: "alice", team_id: "red", key_alias: "alice-red" }));
      ({ key: bobKey, token: bobToken } = await post(g, "/key/generate", { user_id: "bob" }));
      // Day 1: alice ×2 (one for customer c1, tagged), bob ×1 on the mini model.
      clock = DAY1;
      ids.a1 = await chat(aliceKey, { user: "c1", metadata: { tags: ["prod"] } });
      ids.a2 = await chat(aliceKey);
      ids.b1 = await chat(bobKey, { model: "gpt-4o-mini", user: "c2" });
      // Day 2: alice ×1 for c1.
      clock = DAY2;
      ids.a3 = await chat(aliceKey, { user: "c1" });
    });
    afterAll(() => g.close());

    test("/spend/logs?request_id finds the call's row with the exact cost, in LiteLLM's shape", async () => {
      const rows = await get(g, `/spend/logs?request_id=${ids.a1}`);
      expect(rows).toHaveLength(1);
      expect(ids.a1).toStartWith("chatcmpl-");
      expect(rows[0].call_id).toBe(callIds[ids.a1!]);
      // Without store_prompts_in_spend_logs, neither the request nor the answer is kept.
      expect([rows[0].messages, rows[0].response]).toEqual([undefined, undefined]);
      // The call id (x-litellm-call-id) finds the same row.
      expect(await get(g, `/spend/logs?request_id=${callIds[ids.a1!]}`)).toEqual(rows);
      expect(rows[0]).toMatchObject({
        request_id: ids.a1, call_type: "acompletion", api_key: aliceToken, spend: usd(CALL_NANO),
        total_tokens: 30, prompt_tokens: 10, completion_tokens: 20, model: "gpt-4o", model_group: "gpt-4o",
        custom_llm_provider: "openai", user: "alice", team_id: "red", end_user: "c1", status: "success", request_tags: ["prod"],
        startTime: new Date(DAY1).toISOString(),
      });
      expect(rows[0].metadata).toMatchObject({ user_api_key_alias: "alice-red", user_api_key_team_id: "red" });
      for (const f of ["model_id", "api_base", "endTime"]) expect(rows[0]).toHaveProperty(f);
    });

    test("filters: api_key by plaintext or hash, user_id, date range (end_date inclusive)", async () => {
      const byPlain = await get(g, `/spend/logs?api_key=${aliceKey}&summarize=false`);
      const byHash = await get(g, `/spend/logs?api_key=${aliceToken}`);
      expect(byPlain.map((r: any) => r.request_id).sort()).toEqual([ids.a1, ids.a2, ids.a3].sort());
      expect(byHash).toEqual(byPlain);
      expect((await get(g, "/spend/logs?user_id=bob")).map((r: any) => r.request_id)).toEqual([ids.b1]);
      const day1 = await get(g, "/spend/logs?start_date=2031-03-10&end_date=2031-03-10&summarize=false");
      expect(day1.map((r: any) => r.request_id).sort()).toEqual([ids.a1, ids.a2, ids.b1].sort());
      const day2 = await get(g, "/spend/logs?start_date=2031-03-11T00:00:00Z&end_date=2031-03-12&summarize=false");
      expect(day2.map((r: any) => r.request_id)).toEqual([ids.a3]);
      const bad = await g.request("/spend/logs?start_date=yesterday");
      expect(bad.status).toBe(400);
      expect((await errorOf(bad)).param).toBe("start_date");
    });

    test("summarize (the default with a date range): one entry per day with models and users", async () => {
      const days = await get(g, "/spend/logs?start_date=2031-03-10&end_date=2031-03-11");
      expect(days).toEqual([
        { startTime: "2031-03-10", spend: usd(2 * CALL_NANO + MINI_NANO), models: { "gpt-4o": usd(2 * CALL_NANO), "gpt-4o-mini": usd(MINI_NANO) }, users: { alice: usd(2 * CALL_NANO), bob: usd(MINI_NANO) } },
        { startTime: "2031-03-11", spend: usd(CALL_NANO), models: { "gpt-4o": usd(CALL_NANO) }, users: { alice: usd(CALL_NANO) } },
      ]);
      const aliceOnly = await get(g, `/spend/logs?start_date=2031-03-10&end_date=2031-03-10&api_key=${aliceToken}`);
      expect(aliceOnly).toEqual([{ startTime: "2031-03-10", spend: usd(2 * CALL_NANO), models: { "gpt-4o": usd(2 * CALL_NANO) }, users: { alice: usd(2 * CALL_NANO) } }]);
    });

    test("pagination for the UI: /spend/logs/ui and page/page_size, newest first", async () => {
      const p1 = await get(g, "/spend/logs/ui?page=1&page_size=3");
      expect(p1).toMatchObject({ total: 4, page: 1, page_size: 3, total_pages: 2 });
      expect(p1.data[0].request_id).toBe(ids.a3);
      const p2 = await get(g, "/spend/logs?page=2&page_size=3");
      expect(p2.data).toHaveLength(1);
      expect(await get(g, "/spend/logs/v2?page=1&page_size=3")).toEqual(p1);
      expect(new Set([...p1.data, ...p2.data].map((r: any) => r.request_id))).toEqual(new Set(Object.values(ids)));
    });

    test("non-admins see only their own keys' logs; viewers' routes stay closed to them", async () => {
      const mine = await get(g, "/spend/logs", bobKey);
      expect(mine.map((r: any) => r.request_id)).toEqual([ids.b1]);
      expect(await get(g, `/spend/logs?request_id=${ids.a1}`, bobKey)).toEqual([]);
      const other = await g.request("/spend/logs?user_id=alice", { key: bobKey });
      expect(other.status).toBe(403);
      expect((await g.request("/global/spend/report?start_date=2031-03-10&end_date=2031-03-11", { key: bobKey })).status).toBe(403);
      const activity = await get(g, "/user/daily/activity?start_date=2031-03-10&end_date=2031-03-11", bobKey);
      expect(activity.metadata.total_spend).toBe(usd(MINI_NANO));
      expect((await g.request("/user/daily/activity?user_id=alice", { key: bobKey })).status).toBe(403);
      // bob is in no team: his team activity is empty even when he names alice's team.
      expect((await get(g, "/team/daily/activity?team_ids=red", bobKey)).results).toEqual([]);
    });

    test("global views: month total, top keys, teams, models", async () => {
      expect(await get(g, "/global/spend")).toEqual({ spend: usd(3 * CALL_NANO + MINI_NANO), max_budget: 0 });
      const keys = await get(g, "/global/spend/keys?limit=1");
      expect(keys).toEqual([{ api_key: aliceToken, total_spend: usd(3 * CALL_NANO), key_alias: "alice-red", key_name: expect.stringMatching(/^sk-\.\.\./) }]);
      expect(await get(g, "/global/spend/models")).toEqual([
        { model: "gpt-4o", total_spend: usd(3 * CALL_NANO) },
        { model: "gpt-4o-mini", total_spend: usd(MINI_NANO) },
      ]);
      expect(await get(g, "/global/spend/teams")).toEqual({
        daily_spend: [{ date: "2031-03-10", "Red Team": usd(2 * CALL_NANO) }, { date: "2031-03-11", "Red Team": usd(CALL_NANO) }],
        teams: ["Red Team"],
        total_spend_per_team: [{ team_id: "red", team_alias: "Red Team", total_spend: usd(3 * CALL_NANO) }],
      });
    });

    test("/global/spend/report grouped by team, api_key, customer and model", async () => {
      const q = "start_date=2031-03-10&end_date=2031-03-10";
      const team = await get(g, `/global/spend/report?${q}&group_by=team`);
      expect(team).toHaveLength(1);
      expect(team[0].group_by_day).toBe("2031-03-10");
      const byName = Object.fromEntries(team[0].teams.map((t: any) => [t.team_name, t]));
      expect(byName["Red Team"]).toMatchObject({ team_id: "red", total_spend: usd(2 * CALL_NANO), metadata: [{ model: "gpt-4o", spend: usd(2 * CALL_NANO), api_key: aliceToken, total_tokens: 60 }] });
      expect(byName["Unassigned Team"]).toMatchObject({ team_id: null, total_spend: usd(MINI_NANO) });
      const keys = await get(g, `/global/spend/report?${q}&group_by=api_key`);
      expect(keys.find((k: any) => k.api_key === bobToken)).toEqual({
        api_key: bobToken, total_cost: usd(MINI_NANO), total_input_tokens: 10, total_output_tokens: 20,
        model_details: [{ model: "gpt-4o-mini", total_cost: usd(MINI_NANO), prompt_tokens: 10, completion_tokens: 20 }],
      });
      const customers = await get(g, "/global/spend/report?start_date=2031-03-10&end_date=2031-03-11&group_by=customer");
      expect(customers.map((d: any) => [d.group_by_day, d.customers.map((c: any) => [c.customer, c.total_spend]).sort()])).toEqual([
        ["2031-03-10", [["c1", usd(CALL_NANO)], ["c2", usd(MINI_NANO)]]],
        ["2031-03-11", [["c1", usd(CALL_NANO)]]],
      ]);
      const models = await get(g, `/global/spend/report?${q}&group_by=model`);
      expect(models[0].models.map((m: any) => [m.model, m.total_spend, m.api_requests]).sort()).toEqual([
        ["gpt-4o", usd(2 * CALL_NANO), 2],
        ["gpt-4o-mini", usd(MINI_NANO), 1],
      ]);
      expect((await g.request("/global/spend/report?group_by=team&start_date=2031-03-10")).status).toBe(400);
    });

    test("daily activity for a user and a team: metrics and breakdowns per day", async () => {
      const a = await get(g, "/user/daily/activity?user_id=alice&start_date=2031-03-10&end_date=2031-03-11");
      expect(a.results.map((r: any) => [r.date, r.metrics.spend, r.metrics.api_requests])).toEqual([
        ["2031-03-11", usd(CALL_NANO), 1],
        ["2031-03-10", usd(2 * CALL_NANO), 2],
      ]);
      expect(a.results[1].breakdown.api_keys[aliceToken].metrics).toMatchObject({ spend: usd(2 * CALL_NANO), prompt_tokens: 20, completion_tokens: 40, total_tokens: 60, successful_requests: 2, failed_requests: 0 });
      expect(a.metadata).toMatchObject({ total_spend: usd(3 * CALL_NANO), total_api_requests: 3, page: 1, total_pages: 1, has_more: false });
      const team = await get(g, "/team/daily/activity?team_ids=red", aliceKey);
      expect(team.metadata.total_spend).toBe(usd(3 * CALL_NANO));
      expect(team.results[0].breakdown.entities.red.metrics.spend).toBe(usd(CALL_NANO));
    });

    test("POST /global/spend/reset: master key only; zeroes every key and team, budgets follow at once", async () => {
      const refused = await g.request("/global/spend/reset", { method: "POST", key: aliceKey });
      expect(refused.status).toBe(401);
      await post(g, "/key/update", { key: bobKey, max_budget: usd(MINI_NANO) });
      const over = await g.request("/v1/chat/completions", { method: "POST", key: bobKey, json: { model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }], mock_response: "x" } });
      expect(over.status).toBe(400);
      expect(await post(g, "/global/spend/reset", {})).toEqual({ message: "Spend for all API Keys and Teams reset successfully", status: "success" });
      expect((await get(g, `/key/info?key=${aliceKey}`)).info.spend).toBe(0);
      expect((await get(g, "/team/info?team_id=red")).team_info.spend).toBe(0);
      await chat(bobKey, { model: "gpt-4o-mini" });
      // The logs and rollups are history: the reset does not rewrite them.
      expect((await get(g, "/global/spend")).spend).toBe(usd(3 * CALL_NANO + 2 * MINI_NANO));
    });

    test("a repeated report shows a late call on a past day: kept days are rebuilt when their rollups change", async () => {
      const q = "start_date=2031-03-10&end_date=2031-03-11";
      const customers = async () => (await get(g, `/global/spend/report?${q}&group_by=customer`)) as any[];
      const c2 = (days: any[]) => days[0].customers.find((c: any) => c.customer === "c2");
      const before = await customers();
      expect(await customers()).toEqual(before);
      const teamsBefore = await get(g, `/global/spend/report?${q}&group_by=team`);
      expect(c2(before).total_spend).toBe(usd(MINI_NANO));
      clock = DAY1;
      await chat(aliceKey, { user: "c2" });
      const after = await customers();
      expect(c2(after).total_spend).toBe(usd(MINI_NANO + CALL_NANO));
      expect(after[1]).toEqual(before[1]);
      const teams = await get(g, `/global/spend/report?${q}&group_by=team`);
      const red = (days: any[]) => days[0].teams.find((t: any) => t.team_id === "red").total_spend;
      expect(red(teamsBefore)).toBe(usd(2 * CALL_NANO));
      expect(red(teams)).toBe(usd(3 * CALL_NANO));
    });
  });
}
