// The seed's onboarding journey (user → key → first call) and team management, over HTTP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { errorOf, type Gateway, PG_URL, startGateway } from "../support/harness.ts";
import { MOCK_TEXT, MockUpstream } from "../support/mock-upstream.ts";

type Json = Record<string, any>;

for (const dialect of ["sqlite", "pg"] as const) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`users and teams on ${dialect}`, () => {
    let gw: Gateway;
    let mock: MockUpstream;
    const post = async (path: string, json: unknown, key?: string | null) => gw.request(path, { method: "POST", json, key });
    const postOk = async (path: string, json: unknown, key?: string | null): Promise<Json> => {
      const res = await post(path, json, key);
      if (res.status !== 200) throw new Error(`${path} → ${res.status} ${await res.text()}`);
      return (await res.json()) as Json;
    };
    const get = async (path: string, key?: string | null) => gw.request(path, { key });

    beforeAll(async () => {
      mock = new MockUpstream();
      gw = await startGateway({
        dialect,
        configYaml: `model_list:\n  - model_name: gpt-3.5-turbo\n    litellm_params: {model: openai/gpt-3.5-turbo, api_base: "${mock.url}/v1", api_key: sk-upstream}\n`,
      });
    });
    afterAll(async () => {
      await gw.close();
      await mock.close();
    });

    test("the seed's journey: create a user, generate their key, validate it on /v1/models", async () => {
      const user = await postOk("/user/new", { user_email: "user@example.com" });
      expect(user.user_id).toMatch(/[0-9a-f-]{36}/);
      expect(user.user_email).toBe("user@example.com");
      expect(user.key).toMatch(/^sk-/); // auto_create_key defaults to true
      const generated = await postOk("/key/generate", { user_id: user.user_id, max_budget: 100 });
      expect(generated.max_budget).toBe(100);
      for (const key of [user.key, generated.key]) {
        const models = await get("/v1/models", key);
        expect(models.status).toBe(200);
        expect(((await models.json()) as Json).data.map((m: Json) => m.id)).toEqual(["gpt-3.5-turbo"]);
      }
      expect((await get("/v1/models", "sk-not-a-real-key")).status).toBe(401);

      // Step 4 of the seed, word for word: the hello-world call with the user's key.
      const hello = await gw.request("/v1/chat/completions", {
        method: "POST",
        key: generated.key,
        headers: { "Content-Type": "application/json" },
        body: `{
    "model": "gpt-3.5-turbo",
    "messages": [{"role": "user", "content": "Hello!"}]
  }`,
      });
      expect(hello.status).toBe(200);
      const completion = (await hello.json()) as Json;
      expect(completion.object).toBe("chat.completion");
      expect(completion.choices[0].message.content).toBe(MOCK_TEXT);
      expect(mock.last().body.messages).toEqual([{ role: "user", content: "Hello!" }]);

      const info = (await (await get(`/user/info?user_id=${user.user_id}`)).json()) as Json;
      expect(info.user_info.user_email).toBe("user@example.com");
      expect(info.keys).toHaveLength(2);
      expect(JSON.stringify(info)).not.toContain(user.key);
      expect(JSON.stringify(info)).not.toContain(generated.key);
    });

    test("auto_create_key: false gives no key; emails are unique case-insensitively; ids are unique", async () => {
      const u = await postOk("/user/new", { user_id: "ada", user_email: "Ada@Example.com", auto_create_key: false, user_role: "internal_user" });
      expect(u.key).toBe("");
      const dupEmail = await post("/user/new", { user_email: "ada@example.COM" });
      expect(dupEmail.status).toBe(409);
      expect((await errorOf(dupEmail)).message).toContain("already exists");
      const dupId = await post("/user/new", { user_id: "ada" });
      expect(dupId.status).toBe(409);
      expect((await errorOf(dupId)).message).toBe("User with id ada already exists");
      const badRole = await post("/user/new", { user_role: "superuser" });
      expect(badRole.status).toBe(400);
      expect((await errorOf(badRole)).param).toBe("user_role");
    });

    test("list with filters and pagination; update; unknown user is 404", async () => {
      for (let i = 0; i < 5; i++) await postOk("/user/new", { user_id: `page-${i}`, auto_create_key: false });
      const page = (await (await get("/user/list?user_ids=page-&page=2&page_size=2")).json()) as Json;
      expect(page.total).toBe(5);
      expect(page.total_pages).toBe(3);
      expect(page.users).toHaveLength(2);
      const upd = await postOk("/user/update", { user_id: "page-0", max_budget: 5, user_alias: "zero" });
      expect(upd.data).toMatchObject({ user_id: "page-0", max_budget: 5, user_alias: "zero" });
      const cleared = await postOk("/user/update", { user_id: "page-0", max_budget: null, user_alias: null });
      expect(cleared.data).toMatchObject({ max_budget: null, user_alias: "zero" }); // null ignored except max_budget
      const missing = await get("/user/info?user_id=nobody");
      expect(missing.status).toBe(404);
      expect((await errorOf(missing)).message).toBe("User nobody not found");
    });

    test("deleting a user deletes their keys: the next request with one is refused", async () => {
      const u = await postOk("/user/new", { user_id: "leaver" });
      expect((await get("/v1/models", u.key)).status).toBe(200);
      const del = await postOk("/user/delete", { user_ids: ["leaver"] });
      expect(del.deleted_keys).toBe(1);
      expect((await get("/v1/models", u.key)).status).toBe(401);
      expect((await post("/user/delete", { user_ids: ["leaver"] })).status).toBe(404);
    });

    test("teams: create with members (the creator joins as admin), add, update, remove members", async () => {
      await postOk("/user/new", { user_id: "tm-1", auto_create_key: false });
      const team = await postOk("/team/new", { team_alias: "eng", members_with_roles: [{ role: "admin", user_id: "tm-1" }], rpm_limit: 99 });
      expect(team.team_alias).toBe("eng");
      const byId = (a: Json, b: Json) => String(a.user_id).localeCompare(String(b.user_id));
      expect(team.members_with_roles.sort(byId)).toEqual([{ role: "admin", user_id: "default_user_id" }, { role: "admin", user_id: "tm-1" }]);
      const added = await postOk("/team/member_add", { team_id: team.team_id, member: [{ role: "user", user_email: "new@corp.com" }] });
      expect(added.members_with_roles).toHaveLength(3);
      const newUserId = added.updated_users[0].user_id;
      expect((await (await get(`/user/info?user_id=${newUserId}`)).json() as Json).user_info.user_email).toBe("new@corp.com");
      const dup = await post("/team/member_add", { team_id: team.team_id, member: { role: "user", user_id: newUserId } });
      expect(dup.status).toBe(400);
      expect((await errorOf(dup)).message).toContain("already in team");
      const mu = await postOk("/team/member_update", { team_id: team.team_id, user_id: newUserId, max_budget_in_team: 2.5, role: "admin" });
      expect(mu).toMatchObject({ max_budget_in_team: 2.5, role: "admin" });
      const upd = await postOk("/team/update", { team_id: team.team_id, team_alias: "platform", rpm_limit: null });
      expect(upd.data).toMatchObject({ team_alias: "platform", rpm_limit: null });
      const info = (await (await get(`/team/info?team_id=${team.team_id}`)).json()) as Json;
      expect(info.team_memberships.find((m: Json) => m.user_id === newUserId).max_budget_in_team).toBe(2.5);
      await postOk("/team/member_delete", { team_id: team.team_id, user_id: newUserId });
      const gone = await post("/team/member_delete", { team_id: team.team_id, user_id: newUserId });
      expect(gone.status).toBe(400);
      expect((await errorOf(gone)).message).toBe("User not found in team");
      expect((await post("/team/new", { team_id: team.team_id })).status).toBe(400);
    });

    test("deleting a team deletes its keys; /team/info is then 404", async () => {
      const team = await postOk("/team/new", { team_id: "doomed" });
      const key = await postOk("/key/generate", { team_id: "doomed" });
      expect((await get("/v1/models", key.key)).status).toBe(200);
      const del = await postOk("/team/delete", { team_ids: ["doomed"] });
      expect(del.deleted_keys).toBe(1);
      expect((await get("/v1/models", key.key)).status).toBe(401);
      expect((await get(`/team/info?team_id=${team.team_id}`)).status).toBe(404);
    });

    test("a blocked team's keys are refused until it is unblocked", async () => {
      await postOk("/team/new", { team_id: "blockme" });
      const key = await postOk("/key/generate", { team_id: "blockme" });
      await postOk("/team/block", { team_id: "blockme" });
      const refused = await get("/v1/models", key.key);
      expect(refused.status).toBe(401);
      expect((await errorOf(refused)).message).toContain("Team=blockme is blocked");
      await postOk("/team/unblock", { team_id: "blockme" });
      expect((await get("/v1/models", key.key)).status).toBe(200);
    });

    test("a team key sees only models allowed by both the key and the team; members inherit nothing personal", async () => {
      await postOk("/team/new", { team_id: "narrow", models: ["gpt-4o"] });
      const teamKey = await postOk("/key/generate", { team_id: "narrow" });
      const listed = (await (await get("/v1/models", teamKey.key)).json()) as Json;
      expect(listed.data).toEqual([]); // the proxy serves only gpt-3.5-turbo; the team allows only gpt-4o
      const call = await post("/v1/chat/completions", { model: "gpt-3.5-turbo", messages: [{ role: "user", content: "hi" }], mock_response: "x" }, teamKey.key);
      expect(call.status).toBe(401);
      expect((await errorOf(call)).type).toBe("team_model_access_denied");

      // A personal key with no models of its own inherits its user's list.
      const u = await postOk("/user/new", { user_id: "restricted", models: ["gpt-4o"], auto_create_key: false });
      const personal = await postOk("/key/generate", { user_id: u.user_id });
      const denied = await post("/v1/chat/completions", { model: "gpt-3.5-turbo", messages: [{ role: "user", content: "hi" }], mock_response: "x" }, personal.key);
      expect(denied.status).toBe(401);
      expect((await errorOf(denied)).type).toBe("user_model_access_denied");
    });
  });
}
