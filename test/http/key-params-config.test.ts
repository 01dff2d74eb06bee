// litellm_settings that shape the keys and users admins create, over HTTP, as a LiteLLM
// config.yaml sets them: default_key_generate_params, upperbound_key_generate_params,
// max_internal_user_budget + internal_user_budget_duration.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { parseConfig } from "../../src/config/load.ts";
import { resetDueBudgets } from "../../src/spend/budget-reset-job.ts";
import { errorOf, type Gateway, MASTER_KEY, PG_URL, startGateway } from "../support/harness.ts";
import { MOCK_TEXT, MockUpstream } from "../support/mock-upstream.ts";

type Json = Record<string, any>;
const NOW = Date.UTC(2031, 0, 15, 12);
const MODEL_LIST = `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-upstream-unused }
`;
const CONFIG = `
litellm_settings:
  default_key_generate_params: { max_budget: 1.5, models: ["gpt-4o"], duration: "7d", metadata: { setting: default } }
  upperbound_key_generate_params: { max_budget: 100, budget_duration: "10d", duration: "30d", rpm_limit: 1000 }
  max_internal_user_budget: 10
  internal_user_budget_duration: "1mo"
`;

describe("key and user settings from litellm_settings", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ configYaml: CONFIG, now: () => NOW });
  });
  afterAll(() => gw.close());
  const post = (path: string, json: unknown, key = MASTER_KEY) => gw.request(path, { method: "POST", json, key });

  test("a new key takes the defaults, then the bounds for what is still unset", async () => {
    const res = await post("/key/generate", {});
    expect(res.status).toBe(200);
    const key = (await res.json()) as Json;
    expect(key).toMatchObject({ max_budget: 1.5, models: ["gpt-4o"], rpm_limit: 1000, budget_duration: "10d", metadata: { setting: "default" }, duration: "7d" });
    expect(key.expires).toBe(new Date(NOW + 7 * 86_400_000).toISOString());
    // What the request sends wins over a default, within the bounds.
    const own = (await (await post("/key/generate", { max_budget: 80, models: ["claude"], duration: "30d" })).json()) as Json;
    expect(own).toMatchObject({ max_budget: 80, models: ["claude"], duration: "30d" });
  });

  test("values over a bound are refused, on create and on change", async () => {
    const over = await post("/key/generate", { max_budget: 200 });
    expect(over.status).toBe(400);
    expect(await errorOf(over)).toMatchObject({ param: "max_budget", message: "max_budget is over max limit set in config - user_value=200; max_value=100" });
    expect((await post("/key/generate", { duration: "60d" })).status).toBe(400);
    expect((await post("/key/generate", { rpm_limit: 5000 })).status).toBe(400);

    const { key } = (await (await post("/key/generate", {})).json()) as Json;
    expect((await post("/key/update", { key, max_budget: 150 })).status).toBe(400);
    const unlimited = await post("/key/update", { key, rpm_limit: null });
    expect((await errorOf(unlimited)).message).toBe("rpm_limit is over max limit set in config - user_value=None; max_value=1000");
    expect((await post("/key/update", { key, max_budget: 99 })).status).toBe(200);
    const bulk = (await (await post("/key/bulk_update", { keys: [{ key, max_budget: 101 }] })).json()) as Json;
    expect(bulk.failed_updates[0].failed_reason).toBe("max_budget is over max limit set in config - user_value=101; max_value=100");
  });

  test("an internal user created without a budget gets max_internal_user_budget for internal_user_budget_duration", async () => {
    const made = (await (await post("/user/new", { user_id: "intern", user_role: "internal_user", auto_create_key: false })).json()) as Json;
    expect(made).toMatchObject({ max_budget: 10, budget_duration: "1mo" });
    const admin = (await (await post("/user/new", { user_id: "boss", user_role: "proxy_admin", auto_create_key: false })).json()) as Json;
    expect(admin.max_budget).toBeNull();
  });

  test("a duration the config cannot mean stops the start with its path", () => {
    expect(() => parseConfig("litellm_settings:\n  upperbound_key_generate_params: { duration: soon }\n", {}, "test")).toThrow(
      "litellm_settings.upperbound_key_generate_params.duration: Invalid duration format 'soon'",
    );
  });
});

describe("general_settings.enforce_user_param", () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({
      configYaml: `${MODEL_LIST}general_settings:
  enforce_user_param: true
`,
    });
  });
  afterAll(() => gw.close());
  const chat = (json: Json, headers: Record<string, string> = {}) =>
    gw.request("/v1/chat/completions", { method: "POST", headers, json: { model: "gpt-4o", messages: [{ role: "user", content: "hi" }], mock_response: "ok", ...json } });

  test("an LLM call without an end user is a 400 naming `user`; with one (body or header) it runs", async () => {
    const refused = await chat({});
    expect(refused.status).toBe(400);
    expect(await errorOf(refused)).toMatchObject({ param: "user", type: "invalid_request_error" });
    expect((await chat({ user: "customer-1" })).status).toBe(200);
    expect((await chat({}, { "x-litellm-customer-id": "customer-2" })).status).toBe(200);
  });
});

describe("litellm_settings.key_generation_settings", () => {
  let gw: Gateway;
  const keyOf: Record<string, string> = {};
  const post = (path: string, json: unknown, key = MASTER_KEY) => gw.request(path, { method: "POST", json, key });
  beforeAll(async () => {
    gw = await startGateway({
      configYaml: `
litellm_settings:
  key_generation_settings:
    team_key_generation: { allowed_team_member_roles: ["admin"], required_params: ["tags"] }
    personal_key_generation: { allowed_user_roles: ["proxy_admin"] }
`,
    });
    await post("/team/new", { team_id: "t1" });
    for (const [userId, role] of [["lead", "admin"], ["dev", "user"]] as const) {
      expect((await post("/user/new", { user_id: userId, user_role: "internal_user" })).status).toBe(200); // its own key: not governed
      await post("/team/member_add", { team_id: "t1", member: { user_id: userId, role } });
      keyOf[userId] = ((await (await post("/key/generate", { user_id: userId })).json()) as Json).key;
    }
  });
  afterAll(() => gw.close());

  test("team keys: only allowed team roles, with the required fields; proxy admins always", async () => {
    const byMember = await post("/key/generate", { team_id: "t1", user_id: "dev", tags: ["x"] }, keyOf.dev!);
    expect([byMember.status, (await errorOf(byMember)).message]).toEqual([400, "Team member role user not in allowed_team_member_roles=['admin']"]);
    const untagged = await post("/key/generate", { team_id: "t1", user_id: "lead" }, keyOf.lead!);
    expect([untagged.status, (await errorOf(untagged)).message]).toEqual([400, "Required param tags not in data"]);
    expect((await post("/key/generate", { team_id: "t1", user_id: "lead", tags: ["x"] }, keyOf.lead!)).status).toBe(200);
    expect((await post("/key/generate", { team_id: "t1" })).status).toBe(200);
    expect((await post("/key/service-account/generate", { team_id: "t1" }, keyOf.lead!)).status).toBe(400);
  });

  test("personal keys: only the allowed user roles", async () => {
    const refused = await post("/key/generate", {}, keyOf.dev!);
    expect([refused.status, (await errorOf(refused)).message]).toEqual([
      400,
      "Personal key creation has been restricted by admin. Allowed roles=['proxy_admin']. Your role=internal_user",
    ]);
    expect((await post("/key/generate", { user_id: "dev" })).status).toBe(200);
  });
});

describe("default_internal_user_params, key alias format, client-side tags", () => {
  let gw: Gateway;
  const post = (path: string, json: unknown, key = MASTER_KEY) => gw.request(path, { method: "POST", json, key });
  beforeAll(async () => {
    gw = await startGateway({
      configYaml: `${MODEL_LIST}litellm_settings:
  default_internal_user_params: { user_role: internal_user, models: ["gpt-4o"], max_budget: 3, available_teams: ["t9"] }
  max_internal_user_budget: 10
  enable_key_alias_format_validation: true
general_settings:
  reject_clientside_metadata_tags: true
`,
    });
  });
  afterAll(() => gw.close());

  test("a new user takes default_internal_user_params for what it leaves out", async () => {
    const plain = (await (await post("/user/new", { user_id: "u1", auto_create_key: false })).json()) as Json;
    expect(plain).toMatchObject({ user_role: "internal_user", models: ["gpt-4o"], max_budget: 3 });
    const own = (await (await post("/user/new", { user_id: "u2", user_role: "proxy_admin_viewer", models: ["claude"], auto_create_key: false })).json()) as Json;
    expect(own).toMatchObject({ user_role: "proxy_admin_viewer", models: ["claude"], max_budget: 3 });
  });

  test("key aliases must have the format", async () => {
    for (const alias of ["a", "-lead", "team/bot@prod.", "has space"]) {
      const res = await post("/key/generate", { key_alias: alias });
      expect([alias, res.status, (await errorOf(res)).param]).toEqual([alias, 400, "key_alias"]);
    }
    expect((await post("/key/generate", { key_alias: "team/bot@prod.v2" })).status).toBe(200);
  });

  test("tags sent by the client are refused; the key's are the only ones", async () => {
    const chat = (json: Json) => post("/v1/chat/completions", { model: "gpt-4o", messages: [], mock_response: "ok", ...json });
    const refused = await chat({ metadata: { tags: ["free-lunch"] } });
    expect([refused.status, (await errorOf(refused)).param]).toEqual([400, "metadata.tags"]);
    expect((await chat({ tags: ["x"] })).status).toBe(400);
    expect((await chat({ metadata: { trace: "t" } })).status).toBe(200);
  });
});

describe("general_settings.global_max_parallel_requests", () => {
  const mock = new MockUpstream();
  const capOfOne = `${MODEL_LIST.replace("api_key:", `api_base: "${mock.url}/v1", api_key:`)}general_settings:\n  global_max_parallel_requests: 1\n`;
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ listen: true, configYaml: capOfOne });
  });
  afterAll(async () => {
    await gw.close();
    await mock.close();
  });
  const chat = (signal?: AbortSignal) =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      signal,
      headers: { authorization: `Bearer ${MASTER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
    });

  test("a call beyond the cap is a 429 while the first is in flight; the slot frees when it ends", async () => {
    mock.cue({ kind: "hang" });
    const stop = new AbortController();
    const hanging = chat(stop.signal).catch(() => undefined);
    while (mock.received.length === 0) await Bun.sleep(5);
    const refused = await chat();
    expect(refused.status).toBe(429);
    expect(await errorOf(refused)).toMatchObject({ type: "throttling_error" });
    const aborted = mock.nextAbort();
    stop.abort();
    await hanging;
    await aborted;
    let after = await chat();
    for (let i = 0; after.status === 429 && i < 50; i++) {
      await Bun.sleep(10); // the gateway settles the aborted call right after the upstream is told
      after = await chat();
    }
    expect(after.status).toBe(200);
  });
});

for (const dialect of ["sqlite", "pg"] as const) {
describe.skipIf(dialect === "pg" && !PG_URL)(`general_settings.store_prompts_in_spend_logs on ${dialect}`, () => {
  const mock = new MockUpstream();
  const keeping = `${MODEL_LIST.replace("api_key:", `api_base: "${mock.url}/v1", api_key:`)}general_settings:\n  store_prompts_in_spend_logs: true\n`;
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ listen: true, configYaml: keeping, dialect });
  });
  afterAll(async () => {
    await gw.close();
    await mock.close();
  });
  const logOf = async (id: string) => {
    await gw.committed();
    const logs = (await (await gw.request(`/spend/logs?request_id=${id}`)).json()) as Json[];
    expect(logs).toHaveLength(1);
    return logs[0]!;
  };
  const messages = [{ role: "user", content: "Say hello" }];

  test("each spend log keeps the request's messages and the answer, a stream's assembled", async () => {
    const plain = await gw.request("/v1/chat/completions", { method: "POST", json: { model: "gpt-4o", messages } });
    const body = (await plain.json()) as Json;
    const kept = await logOf(body.id);
    expect(kept.messages).toEqual(messages);
    expect(kept.response).toEqual(body);

    const streamed = await gw.request("/v1/chat/completions", { method: "POST", json: { model: "gpt-4o", messages, stream: true } });
    const events = (await streamed.text()).split("\n\n").filter((e) => e.startsWith("data: {")).map((e) => JSON.parse(e.slice(6)) as Json);
    const text = events.map((e) => e.choices?.[0]?.delta?.content ?? "").join("");
    expect(text).toBe(MOCK_TEXT);
    const log = await logOf(events[0]!.id);
    expect(log.messages).toEqual(messages);
    expect(log.response).toMatchObject({ id: events[0]!.id, choices: [{ message: { role: "assistant", content: MOCK_TEXT }, finish_reason: "stop" }] });
    expect(log.response.usage.total_tokens).toBe(11);
  });
});
}

describe("litellm_settings.timezone", () => {
  // 2031-01-15 12:00Z is 17:30 in India (UTC+5:30): the next midnight there is 18:30Z the same day.
  const IST_MIDNIGHT = "2031-01-15T18:30:00.000Z";
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ configYaml: "litellm_settings:\n  timezone: Asia/Kolkata\n", now: () => NOW });
  });
  afterAll(() => gw.close());
  const post = async (path: string, json: unknown) => (await (await gw.request(path, { method: "POST", json })).json()) as Json;

  test("budget resets align to the zone's midnight for keys, users, teams, end users and tiers", async () => {
    expect((await post("/key/generate", { budget_duration: "1d" })).budget_reset_at).toBe(IST_MIDNIGHT);
    expect((await post("/user/new", { user_id: "tz-user", budget_duration: "1d", auto_create_key: false })).budget_reset_at).toBe(IST_MIDNIGHT);
    expect((await post("/team/new", { team_id: "tz-team", budget_duration: "1d" })).budget_reset_at).toBe(IST_MIDNIGHT);
    expect((await post("/customer/new", { user_id: "tz-customer", max_budget: 1, budget_duration: "1d" })).litellm_budget_table.budget_reset_at).toBe(IST_MIDNIGHT);
    expect((await post("/budget/new", { budget_id: "tz-tier", max_budget: 1, budget_duration: "1d" })).budget_reset_at).toBe(IST_MIDNIGHT);
    // A month: the 1st at 00:00 in India, which is the last day of the month before in UTC.
    expect((await post("/key/generate", { budget_duration: "1mo" })).budget_reset_at).toBe("2031-01-31T18:30:00.000Z");
  });

  test("the reset job schedules the next period in the zone too", async () => {
    const made = await post("/key/generate", { budget_duration: "1d" });
    const k = gw.store.t.keys;
    await gw.store.db.update(k).set({ budgetResetAt: new Date(NOW - 1) }).where(eq(k.token, made.token));
    const deps = { store: gw.store, invalidation: gw.deps.invalidation, book: gw.deps.spend!.book, ledger: gw.deps.spend!.ledger, log: gw.deps.log, timeZone: "Asia/Kolkata" };
    expect((await resetDueBudgets(deps, NOW)).key).toBeGreaterThanOrEqual(1);
    const [row] = await gw.store.db.select().from(k).where(eq(k.token, made.token));
    expect(row!.budgetResetAt!.toISOString()).toBe(IST_MIDNIGHT);
  });

  test("an unknown zone stops the start with its path", () => {
    expect(() => parseConfig("litellm_settings:\n  timezone: Mars/Olympus_Mons\n", {}, "test")).toThrow("litellm_settings.timezone: unknown time zone 'Mars/Olympus_Mons'");
  });
});
