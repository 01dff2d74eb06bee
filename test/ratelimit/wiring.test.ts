// Team, team-member and per-model team limits reach the limiter from the principal; a shared
// (Postgres) bucket that cannot be leased degrades to this instance's own bucket, never a 500.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { errorOf, type Gateway, PG_URL, startGateway } from "../support/harness.ts";

const CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-upstream-unused }
  - model_name: free
    litellm_params: { model: openai/some-free-model, api_key: sk-upstream-unused }
    model_info: { input_cost_per_token: 0, output_cost_per_token: 0 }
`;

const chat = (g: Gateway, key: string, model = "gpt-4o") =>
  g.request("/v1/chat/completions", {
    method: "POST",
    key,
    json: { model, messages: [{ role: "user", content: "hi" }], mock_response: "hello there" },
  });

async function post(g: Gateway, path: string, json: unknown) {
  const res = await g.request(path, { method: "POST", json });
  const body = (await res.json()) as Record<string, any>;
  if (res.status !== 200) throw new Error(`${path} → ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Calls until the first refusal (at most `max`); returns how many passed and the refusal. */
async function untilRefused(g: Gateway, key: string, max: number, model?: string) {
  for (let passed = 0; passed < max; passed++) {
    const res = await chat(g, key, model);
    if (res.status !== 200) return { passed, res };
  }
  return { passed: max, res: undefined };
}

for (const dialect of ["sqlite", ...(PG_URL ? ["pg" as const] : [])] as const) {
  describe(`team, member and per-model team limits on ${dialect}`, () => {
    let g: Gateway;
    beforeAll(async () => {
      g = await startGateway({ configYaml: CONFIG, dialect });
    });
    afterAll(() => g.close());

    test("a team's rpm limits every key of the team together", async () => {
      await post(g, "/team/new", { team_id: "t-rpm", rpm_limit: 3 });
      const a = (await post(g, "/key/generate", { team_id: "t-rpm" })).key;
      const b = (await post(g, "/key/generate", { team_id: "t-rpm" })).key;
      const statuses = [];
      for (const k of [a, b, a, b]) statuses.push((await chat(g, k)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await chat(g, a);
      expect(refused.status).toBe(429);
      expect((await errorOf(refused)).message).toContain("Rate limit exceeded for team: t-rpm");
      expect(refused.headers.get("x-ratelimit-team-limit-requests")).toBe("3");
    });

    test("a team's per-model rpm applies to that model only, and a key's own per-model limit overrides it", async () => {
      await post(g, "/team/new", { team_id: "t-model", model_rpm_limit: { "gpt-4o": 2 } });
      const key = (await post(g, "/key/generate", { team_id: "t-model" })).key;
      const limited = await untilRefused(g, key, 5);
      expect(limited.passed).toBe(2);
      expect((await errorOf(limited.res!)).message).toContain("Rate limit exceeded for model_per_team: t-model");
      expect((await untilRefused(g, key, 5, "free")).passed).toBe(5);
      const own = (await post(g, "/key/generate", { team_id: "t-model", model_rpm_limit: { "gpt-4o": 4 } })).key;
      expect((await untilRefused(g, own, 6)).passed).toBe(4);
    });

    test("a member's rpm in the team (team/member_update) limits that member's keys, and changes apply at once", async () => {
      await post(g, "/team/new", { team_id: "t-member" });
      await post(g, "/user/new", { user_id: "m-1" });
      await post(g, "/team/member_add", { team_id: "t-member", member: { user_id: "m-1", role: "user" } });
      const key = (await post(g, "/key/generate", { team_id: "t-member", user_id: "m-1" })).key;
      expect((await untilRefused(g, key, 3)).passed).toBe(3); // no member limit yet (and the row is cached)
      await post(g, "/team/member_update", { team_id: "t-member", user_id: "m-1", rpm_limit: 1 });
      // On Postgres the team invalidation arrives by NOTIFY; on SQLite it is immediate.
      for (let i = 0; i < 200 && (await chat(g, key)).status === 200; i++) await Bun.sleep(5);
      const refused = await chat(g, key);
      expect(refused.status).toBe(429);
      expect((await errorOf(refused)).message).toContain("Rate limit exceeded for team_member: t-member:m-1");
    });
  });
}

describe.skipIf(!PG_URL)("a failing Postgres lease on the request path", () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await startGateway({ configYaml: CONFIG, dialect: "pg" });
  });
  afterAll(async () => {
    await g.store.db.execute(`alter table if exists rate_limit_buckets_off rename to rate_limit_buckets` as never).catch(() => {});
    await g.close();
  });

  test("falls back to this instance's own bucket: limits still hold, no 500", async () => {
    const key = (await post(g, "/key/generate", { rpm_limit: 3 })).key;
    if (!("pg" in g.store.raw)) throw new Error("postgres expected");
    const pg = g.store.raw.pg;
    // The shared buckets' table disappears: every lease statement now fails.
    await pg.unsafe("alter table rate_limit_buckets rename to rate_limit_buckets_off");
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await chat(g, key, "free")).status);
      console.log(`rpm 3 with every lease failing: statuses ${statuses.join(",")}`);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
    } finally {
      await pg.unsafe("alter table rate_limit_buckets_off rename to rate_limit_buckets");
    }
  });
});
