// litellm_settings.store_audit_logs (contract §1.2 /audit): each change of a key, user, team or
// model through the admin API leaves one row (who, which action, before and after, no secrets);
// GET /audit filters and pages them, GET /audit/{id} reads one. On SQLite and Postgres.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { hashKey } from "../../src/auth/key-format.ts";
import { errorOf, type Gateway, MASTER_KEY, PG_URL, startGateway } from "../support/harness.ts";

type Json = Record<string, any>;

const CONFIG = `
general_settings:
  master_key: ${MASTER_KEY}
  api_base_allowed_hosts: ["127.0.0.1"]
litellm_settings:
  store_audit_logs: true
`;

for (const dialect of ["sqlite", "pg"] as const) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`audit logs on ${dialect}`, () => {
    let gw: Gateway;
    const post = (path: string, json: unknown, key = MASTER_KEY, headers: Record<string, string> = {}) => gw.request(path, { method: "POST", json, key, headers });
    const ok = async (res: Response) => {
      if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
      return (await res.json()) as Json;
    };
    const audit = async (query: string, key = MASTER_KEY) => (await ok(await gw.request(`/audit?page_size=100&${query}`, { key }))) as Json;
    const entriesFor = async (objectId: string) => ((await audit(`object_id=${encodeURIComponent(objectId)}&sort_order=asc`)).audit_logs as Json[]);

    beforeAll(async () => {
      gw = await startGateway({ dialect, configYaml: CONFIG });
    });
    afterAll(() => gw.close());

    test("a key's life: created, updated, blocked, rotated, deleted; values as the API shows them, never the secret", async () => {
      const made = await ok(await post("/key/generate", { key_alias: `audited-${dialect}`, max_budget: 5 }));
      await ok(await post("/key/update", { key: made.key, max_budget: 7 }));
      await ok(await post("/key/block", { key: made.key }));
      const rotated = await ok(await post("/key/regenerate", { key: made.key }));
      await ok(await post("/key/delete", { keys: [rotated.key] }));

      const first = await entriesFor(made.token);
      expect(first.map((e) => e.action)).toEqual(["created", "updated", "blocked", "rotated"]);
      for (const e of first) expect(e).toMatchObject({ table_name: "LiteLLM_VerificationToken", changed_by: "default_user_id", changed_by_api_key: "master_key" });
      expect(first[0]).toMatchObject({ before_value: null, updated_values: { token: made.token, max_budget: 5, key_alias: `audited-${dialect}` } });
      expect(first[1]).toMatchObject({ before_value: { max_budget: 5 }, updated_values: { max_budget: 7 } });
      expect(first[2]).toMatchObject({ before_value: { blocked: false }, updated_values: { blocked: true } });
      expect(first[3]).toMatchObject({ before_value: { token: made.token }, updated_values: { token: rotated.token } });
      const gone = await entriesFor(rotated.token);
      expect(gone).toEqual([expect.objectContaining({ action: "deleted", before_value: expect.objectContaining({ token: rotated.token }), updated_values: {} })]);
      // No plaintext key anywhere in the log.
      const everything = JSON.stringify(await audit(""));
      expect(everything).not.toContain(made.key);
      expect(everything).not.toContain(rotated.key);
    });

    test("users, teams and models; the caller and its key hash; an admin's litellm-changed-by header", async () => {
      const user = await ok(await post("/user/new", { user_id: `ann-${dialect}`, user_role: "internal_user" }));
      await ok(await post("/user/update", { user_id: `ann-${dialect}`, max_budget: 3 }, MASTER_KEY, { "litellm-changed-by": "ops-bot" }));
      const team = await ok(await post("/team/new", { team_id: `t-${dialect}`, team_alias: "A" }));
      await ok(await post("/team/member_add", { team_id: team.team_id, member: { user_id: `ann-${dialect}`, role: "user" } }));
      const teamKey = await ok(await post("/key/generate", { team_id: team.team_id }));
      await ok(await post("/team/delete", { team_ids: [team.team_id] }));
      expect((await entriesFor(teamKey.token)).map((e) => e.action)).toEqual(["created", "deleted"]);
      await ok(await post("/model/new", { model_name: "audited", litellm_params: { model: "openai/gpt-4o", api_key: "sk-upstream-secret", api_base: "http://127.0.0.1:9/v1" }, model_info: { id: `m-${dialect}` } }));
      await ok(await post("/model/delete", { id: `m-${dialect}` }));

      // The key /user/new made is recorded too; deleting a team records its keys' deletion.
      expect(await entriesFor(hashKey(user.key))).toEqual([expect.objectContaining({ action: "created", updated_values: expect.objectContaining({ user_id: `ann-${dialect}` }) })]);
      const userLog = await entriesFor(`ann-${dialect}`);
      expect(userLog.map((e) => [e.table_name, e.action, e.changed_by])).toEqual([
        ["LiteLLM_UserTable", "created", "default_user_id"],
        ["LiteLLM_UserTable", "updated", "ops-bot"],
      ]);
      expect(userLog[1]).toMatchObject({ before_value: { max_budget: null }, updated_values: { max_budget: 3 } });
      expect((await entriesFor(team.team_id)).map((e) => e.action)).toEqual(["created", "updated", "deleted"]);
      expect((await entriesFor(team.team_id))[1]!.updated_values.members_with_roles).toContainEqual(expect.objectContaining({ user_id: `ann-${dialect}` }));
      const modelLog = await entriesFor(`m-${dialect}`);
      expect(modelLog.map((e) => [e.table_name, e.action])).toEqual([["LiteLLM_ProxyModelTable", "created"], ["LiteLLM_ProxyModelTable", "deleted"]]);
      expect(JSON.stringify(modelLog)).not.toContain("sk-upstream-secret");

      // A user's own change: their id and their key's hash; the header is not theirs to set.
      await ok(await post("/key/generate", { key_alias: `own-${dialect}` }, user.key, { "litellm-changed-by": "someone-else" }));
      const own = (await audit(`changed_by=ann-${dialect}`)).audit_logs as Json[];
      expect(own).toEqual([expect.objectContaining({ action: "created", changed_by_api_key: hashKey(user.key), updated_values: expect.objectContaining({ key_alias: `own-${dialect}` }) })]);
    });

    test("refused or failed changes leave nothing; filters, paging, one entry by id; admins and viewers only", async () => {
      const before = (await audit("")).total;
      expect((await post("/key/update", { key: "sk-does-not-exist", max_budget: 1 })).status).toBe(404);
      expect((await post("/team/update", { team_id: "nope", max_budget: 1 })).status).toBe(404);
      expect((await post("/key/generate", { max_budget: "lots" })).status).toBe(400);
      expect((await audit("")).total).toBe(before);

      const updates = await audit("action=updated&table_name=LiteLLM_VerificationToken");
      expect(updates.audit_logs.every((e: Json) => e.action === "updated" && e.table_name === "LiteLLM_VerificationToken")).toBe(true);
      const paged = await ok(await gw.request("/audit?page_size=2&page=2"));
      expect(paged).toMatchObject({ page: 2, page_size: 2, total: before, total_pages: Math.ceil(before / 2) });
      expect(paged.audit_logs).toHaveLength(2);
      const newest = (await ok(await gw.request("/audit?page_size=1"))).audit_logs[0];
      const oldest = (await ok(await gw.request("/audit?page_size=1&sort_order=asc"))).audit_logs[0];
      expect(Date.parse(newest.updated_at)).toBeGreaterThanOrEqual(Date.parse(oldest.updated_at));
      expect(await ok(await gw.request(`/audit/${newest.id}`))).toEqual(newest);
      const missing = await gw.request("/audit/nope");
      expect(missing.status).toBe(404);
      expect((await errorOf(missing)).message).toBe("Audit log with ID nope not found");
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      expect((await audit(`start_date=${tomorrow}`)).total).toBe(0);
      expect((await gw.request("/audit?action=renamed")).status).toBe(400);
      expect((await gw.request("/audit?start_date=soon")).status).toBe(400);

      const viewer = await ok(await post("/user/new", { user_id: `viewer-${dialect}`, user_role: "proxy_admin_viewer" }));
      const plain = await ok(await post("/user/new", { user_id: `plain-${dialect}`, user_role: "internal_user" }));
      expect((await gw.request("/audit", { key: viewer.key })).status).toBe(200);
      expect((await gw.request("/audit", { key: plain.key })).status).toBe(401);
    });
  });
}

describe("audit logs off (the default)", () => {
  test("changes write no rows", async () => {
    const gw = await startGateway();
    try {
      await gw.request("/key/generate", { method: "POST", json: {} });
      expect(((await (await gw.request("/audit")).json()) as Json).total).toBe(0);
    } finally {
      await gw.close();
    }
  });
});
