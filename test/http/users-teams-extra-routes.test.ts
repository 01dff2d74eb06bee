// LiteLLM's remaining user and team routes (contract §1.5, §1.6): /team/available and joining an
// available team, /team/filter/ui, /user/filter/ui, /user/bulk_update,
// /user/daily/activity/aggregated, and /health/services. On SQLite and Postgres.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { errorOf, type Gateway, MASTER_KEY, PG_URL, startGateway } from "../support/harness.ts";

type Json = Record<string, any>;

const CONFIG = `
general_settings:
  master_key: ${MASTER_KEY}
litellm_settings:
  default_internal_user_params:
    available_teams: ["open-a", "open-b", "open-missing"]
`;

for (const dialect of ["sqlite", "pg"] as const) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`extra user and team routes on ${dialect}`, () => {
    let gw: Gateway;
    const keyOf: Record<string, string> = {};
    const post = (path: string, json: unknown, key = MASTER_KEY) => gw.request(path, { method: "POST", json, key });
    const get = (path: string, key = MASTER_KEY) => gw.request(path, { key });
    const ok = async (res: Response) => {
      if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
      return (await res.json()) as any;
    };

    beforeAll(async () => {
      gw = await startGateway({ dialect, configYaml: CONFIG });
      for (const [team_id, team_alias] of [["open-a", "Open Alpha"], ["open-b", "Open Beta"], ["closed", "Closed 100%_Team"]]) {
        await ok(await post("/team/new", { team_id, team_alias }));
      }
      for (const [user_id, user_email, user_role] of [
        ["Carol", "Carol@Example.com", "internal_user"],
        ["dave", "dave@example.org", "internal_user"],
        ["viewer", "viewer@example.org", "proxy_admin_viewer"],
      ]) {
        keyOf[user_id!] = (await ok(await post("/user/new", { user_id, user_email, user_role }))).key;
      }
      await ok(await post("/team/member_add", { team_id: "closed", member: { user_id: "dave", role: "user" } }));
    });
    afterAll(() => gw.close());

    test("/team/available lists the configured teams the caller is not in; a user joins one on their own", async () => {
      const ids = (teams: Json[]) => teams.map((t) => t.team_id).sort();
      expect(ids(await ok(await get("/team/available", keyOf.Carol)))).toEqual(["open-a", "open-b"]);
      // Joining: themselves, as a plain member.
      const joined = await post("/team/member_add", { team_id: "open-a", member: { user_id: "Carol" } }, keyOf.Carol);
      expect(joined.status).toBe(200);
      expect(ids(await ok(await get("/team/available", keyOf.Carol)))).toEqual(["open-b"]);
      // Not someone else, not as admin, not a team that is not on the list.
      expect((await post("/team/member_add", { team_id: "open-b", member: { user_id: "dave" } }, keyOf.Carol)).status).toBe(403);
      expect((await post("/team/member_add", { team_id: "open-b", member: { user_id: "Carol", role: "admin" } }, keyOf.Carol)).status).toBe(403);
      expect((await post("/team/member_add", { team_id: "closed", member: { user_id: "Carol" } }, keyOf.Carol)).status).toBe(403);
      // Anyone may read an available team's member permissions.
      expect((await get("/team/permissions_list?team_id=open-b", keyOf.dave)).status).toBe(200);
      expect((await get("/team/permissions_list?team_id=closed", keyOf.dave)).status).toBe(403);
    });

    test("/team/available without a configured list is a 400", async () => {
      const bare = await startGateway({ dialect });
      try {
        const res = await bare.request("/team/available");
        expect(res.status).toBe(400);
        expect((await errorOf(res)).message).toStartWith("No available teams for user to join.");
      } finally {
        await bare.close();
      }
    });

    test("/team/filter/ui: id or alias contains the text in any case, literally; non-admins search their own teams", async () => {
      const ids = (teams: Json[]) => teams.map((t) => t.team_id);
      expect(ids(await ok(await get("/team/filter/ui?team_alias=OPEN")))).toEqual(["open-b", "open-a"]); // newest first
      expect(ids(await ok(await get("/team/filter/ui?team_id=open&team_alias=beta")))).toEqual(["open-b"]);
      expect(ids(await ok(await get("/team/filter/ui?team_alias=100%25_")))).toEqual(["closed"]);
      expect(ids(await ok(await get("/team/filter/ui?team_alias=%25")))).toEqual(["closed"]);
      expect(ids(await ok(await get("/team/filter/ui?page_size=1&page=2&team_id=open")))).toEqual(["open-a"]);
      expect((await ok(await get("/team/filter/ui?team_id=closed")))[0]).toMatchObject({ team_alias: "Closed 100%_Team", members_with_roles: expect.any(Array) });
      expect(ids(await ok(await get("/team/filter/ui", keyOf.dave)))).toEqual(["closed"]);
      expect((await get("/team/filter/ui?page_size=101")).status).toBe(400);
    });

    test("/user/filter/ui: user_id or user_email contains the text in any case; admins and admin viewers only", async () => {
      expect(await ok(await get("/user/filter/ui?user_email=EXAMPLE.COM"))).toEqual([{ user_id: "Carol", user_email: "Carol@Example.com" }]);
      expect(await ok(await get("/user/filter/ui?user_id=caro"))).toEqual([{ user_id: "Carol", user_email: "Carol@Example.com" }]);
      const closed = (await ok(await get("/user/filter/ui?team_id=closed", keyOf.viewer))) as Json[];
      expect(closed).toContainEqual({ user_id: "dave", user_email: "dave@example.org" });
      expect(closed.map((u) => u.user_id)).not.toContain("Carol");
      expect(await ok(await get("/user/filter/ui?user_id=%25"))).toEqual([]);
      const all = (await ok(await get("/user/filter/ui?page_size=100"))) as Json[];
      expect(all.map((u) => u.user_id)).toEqual(expect.arrayContaining(["Carol", "dave", "viewer"]));
      expect((await get("/user/filter/ui", keyOf.dave)).status).toBe(401);
    });

    test("/user/bulk_update: listed users each changed or refused on their own; all_users for everyone", async () => {
      const res = await ok(await post("/user/bulk_update", {
        users: [{ user_id: "Carol", max_budget: 7 }, { user_email: "dave@example.org", user_alias: "Dave" }, { user_alias: "nobody" }],
      }));
      expect(res).toMatchObject({ total_requested: 3, successful_updates: 2, failed_updates: 1 });
      expect(res.results[0]).toMatchObject({ user_id: "Carol", success: true, error: null, updated_user: { max_budget: 7 } });
      expect(res.results[1]).toMatchObject({ user_id: "dave", user_email: "dave@example.org", success: true, updated_user: { user_alias: "Dave" } });
      expect(res.results[2]).toMatchObject({ user_id: null, success: false, error: "Either user id or user email must be provided", updated_user: null });
      expect((await ok(await get("/user/info?user_id=Carol"))).user_info.max_budget).toBe(7);

      const everyone = await ok(await post("/user/bulk_update", { all_users: true, user_updates: { tpm_limit: 42 } }));
      expect(everyone.failed_updates).toBe(0);
      expect(everyone.total_requested).toBeGreaterThanOrEqual(3);
      for (const id of ["Carol", "dave", "viewer"]) expect((await ok(await get(`/user/info?user_id=${id}`))).user_info.tpm_limit).toBe(42);

      const refusal = async (json: unknown, status: number, message: string, key = MASTER_KEY) => {
        const r = await post("/user/bulk_update", json, key);
        expect(r.status).toBe(status);
        expect((await errorOf(r)).message).toContain(message);
      };
      await refusal({}, 400, "Must specify either 'users' for individual updates or 'all_users=True'");
      await refusal({ users: [] }, 400, "Must specify either");
      await refusal({ all_users: true }, 400, "Must specify either");
      await refusal({ all_users: true, users: [{ user_id: "Carol" }], user_updates: {} }, 400, "Cannot specify both 'users' and 'all_users=True'");
      await refusal({ users: Array.from({ length: 501 }, (_, i) => ({ user_id: `u${i}` })) }, 400, "Maximum 500 users can be updated at once. Found 501 users.");
      await refusal({ all_users: true, user_updates: { user_email: "one@example.org" } }, 400, "user_email");
      await refusal({ users: [{ user_id: "dave", max_budget: 1 }] }, 401, "Only proxy admin", keyOf.dave);
      // Nothing was changed by the refusals.
      expect((await ok(await get("/user/info?user_id=dave"))).user_info.max_budget).toBeNull();
    });

    test("/user/daily/activity/aggregated: the whole range on one page; dates required; non-admins see their own", async () => {
      const day = new Date().toISOString().slice(0, 10);
      const res = await ok(await get(`/user/daily/activity/aggregated?start_date=${day}&end_date=${day}`));
      expect(res).toMatchObject({ results: expect.any(Array), metadata: { page: 1, total_pages: 1, has_more: false } });
      const missing = await get(`/user/daily/activity/aggregated?start_date=${day}`);
      expect(missing.status).toBe(400);
      expect(await errorOf(missing)).toMatchObject({ message: "Please provide start_date and end_date", param: "end_date" });
      expect((await get(`/user/daily/activity/aggregated?start_date=${day}&end_date=${day}`, keyOf.dave)).status).toBe(200);
      expect((await get(`/user/daily/activity/aggregated?start_date=${day}&end_date=${day}&user_id=Carol`, keyOf.dave)).status).toBe(403);
    });

    test("/health/services: a known integration is not set up (422), an unknown one is a 400; admins only", async () => {
      const slack = await get("/health/services?service=slack_budget_alerts");
      expect(slack.status).toBe(422);
      expect(await errorOf(slack)).toMatchObject({ param: "service", code: "422" });
      const unknown = await get("/health/services?service=pagerduty");
      expect(unknown.status).toBe(400);
      expect((await errorOf(unknown)).message).toStartWith("Service must be in list. Service=pagerduty not in");
      expect((await get("/health/services")).status).toBe(400);
      expect((await get("/health/services?service=slack", keyOf.dave)).status).toBe(401);
    });
  });
}
