// The role matrix for the user and team routes: every route × every role × own/other resource,
// with LiteLLM's statuses (contract §1.2, §3.4), on SQLite and Postgres.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Gateway, MASTER_KEY, PG_URL, startGateway } from "../support/harness.ts";

type Json = Record<string, any>;
const CALLERS = ["master", "admin", "viewer", "internal", "internal_viewer", "team_admin", "team_member", "unknown"] as const;
type Caller = (typeof CALLERS)[number];
type Expected = Record<Caller, number>;

// Shorthands for the common rows.
const adminOnly: Expected = { master: 200, admin: 200, viewer: 403, internal: 401, internal_viewer: 403, team_admin: 401, team_member: 401, unknown: 401 };
const readAll: Expected = { master: 200, admin: 200, viewer: 200, internal: 403, internal_viewer: 403, team_admin: 403, team_member: 403, unknown: 403 };
const teamAdmins: Expected = { master: 200, admin: 200, viewer: 403, internal: 403, internal_viewer: 403, team_admin: 200, team_member: 403, unknown: 401 };

for (const dialect of ["sqlite", "pg"] as const) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`user and team routes × roles on ${dialect}`, () => {
    let gw: Gateway;
    const keys = {} as Record<Caller, string>;
    const userIdOf: Partial<Record<Caller, string>> = {};
    let seq = 0;
    const fresh = (p: string) => `${p}-${++seq}`;
    const asMaster = async (path: string, json: unknown): Promise<Json> => {
      const res = await gw.request(path, { method: "POST", json });
      if (res.status !== 200) throw new Error(`${path} → ${res.status} ${await res.text()}`);
      return (await res.json()) as Json;
    };

    beforeAll(async () => {
      gw = await startGateway({ dialect });
      keys.master = MASTER_KEY;
      const roles: [Caller, string][] = [["admin", "proxy_admin"], ["viewer", "proxy_admin_viewer"], ["internal", "internal_user"],
        ["internal_viewer", "internal_user_viewer"], ["team_admin", "internal_user"], ["team_member", "internal_user"]];
      for (const [caller, role] of roles) {
        const u = await asMaster("/user/new", { user_id: `u-${caller}`, user_role: role });
        keys[caller] = u.key;
        userIdOf[caller] = u.user_id;
      }
      keys.unknown = (await asMaster("/key/generate", { user_id: "ghost-without-a-row" })).key;
      await asMaster("/team/new", { team_id: "T", members_with_roles: [{ role: "admin", user_id: "u-team_admin" }, { role: "user", user_id: "u-team_member" }] });
      await asMaster("/user/new", { user_id: "someone-else", auto_create_key: false });
    });
    afterAll(() => gw.close());

    const routes: { name: string; expected: Expected; call: (key: string, caller: Caller) => Promise<Response> }[] = [
      { name: "POST /user/new", expected: adminOnly, call: (key) => gw.request("/user/new", { method: "POST", key, json: { user_id: fresh("new") } }) },
      {
        name: "GET /user/info (own)",
        // The master key's default_user_id has a row once it created a team (it joined as admin).
        expected: { master: 200, admin: 200, viewer: 200, internal: 200, internal_viewer: 200, team_admin: 200, team_member: 200, unknown: 404 },
        call: (key, c) => gw.request(`/user/info?user_id=${userIdOf[c] ?? (c === "unknown" ? "ghost-without-a-row" : "default_user_id")}`, { key }),
      },
      { name: "GET /user/info (other)", expected: readAll, call: (key) => gw.request("/user/info?user_id=someone-else", { key }) },
      { name: "GET /user/list", expected: { ...readAll, unknown: 401 }, call: (key) => gw.request("/user/list", { key }) },
      { name: "POST /user/update (other)", expected: adminOnly, call: (key) => gw.request("/user/update", { method: "POST", key, json: { user_id: "someone-else", user_alias: "x" } }) },
      {
        name: "POST /user/delete (other)",
        expected: adminOnly,
        call: async (key) => {
          const target = fresh("victim");
          await asMaster("/user/new", { user_id: target, auto_create_key: false });
          return gw.request("/user/delete", { method: "POST", key, json: { user_ids: [target] } });
        },
      },
      { name: "POST /team/new", expected: adminOnly, call: (key) => gw.request("/team/new", { method: "POST", key, json: { team_id: fresh("team") } }) },
      {
        name: "GET /team/info (own team)",
        expected: { master: 200, admin: 200, viewer: 200, internal: 403, internal_viewer: 403, team_admin: 200, team_member: 200, unknown: 403 },
        call: (key) => gw.request("/team/info?team_id=T", { key }),
      },
      {
        name: "GET /v2/team/list (another user's)",
        expected: { master: 200, admin: 200, viewer: 200, internal: 401, internal_viewer: 401, team_admin: 401, team_member: 401, unknown: 401 },
        call: (key) => gw.request("/v2/team/list?user_id=someone-else", { key }),
      },
      {
        name: "GET /v2/user/info (other): 404 when not the caller's to read",
        expected: { master: 200, admin: 200, viewer: 200, internal: 404, internal_viewer: 404, team_admin: 404, team_member: 404, unknown: 404 },
        call: (key) => gw.request("/v2/user/info?user_id=someone-else", { key }),
      },
      {
        name: "GET /team/list (all)",
        expected: { master: 200, admin: 200, viewer: 200, internal: 200, internal_viewer: 200, team_admin: 200, team_member: 200, unknown: 200 },
        call: (key) => gw.request("/team/list", { key }),
      },
      {
        name: "GET /team/list (another user's)",
        expected: { master: 200, admin: 200, viewer: 200, internal: 401, internal_viewer: 401, team_admin: 401, team_member: 401, unknown: 401 },
        call: (key) => gw.request("/team/list?user_id=someone-else", { key }),
      },
      { name: "POST /team/update", expected: adminOnly, call: (key) => gw.request("/team/update", { method: "POST", key, json: { team_id: "T", team_alias: fresh("alias") } }) },
      {
        name: "POST /team/member_add",
        expected: teamAdmins,
        call: (key) => gw.request("/team/member_add", { method: "POST", key, json: { team_id: "T", member: { role: "user", user_email: `${fresh("m")}@corp.com` } } }),
      },
      {
        name: "POST /team/model/add",
        expected: teamAdmins,
        call: (key) => gw.request("/team/model/add", { method: "POST", key, json: { team_id: "T", models: ["gpt-4o"] } }),
      },
      {
        name: "POST /team/model/delete",
        expected: teamAdmins,
        call: (key) => gw.request("/team/model/delete", { method: "POST", key, json: { team_id: "T", models: ["gpt-4o"] } }),
      },
      {
        name: "POST /team/member_update",
        expected: teamAdmins,
        call: (key) => gw.request("/team/member_update", { method: "POST", key, json: { team_id: "T", user_id: "u-team_member", max_budget_in_team: 5 } }),
      },
      {
        name: "POST /team/member_delete",
        expected: teamAdmins,
        call: async (key) => {
          const userId = fresh("leaving");
          await asMaster("/team/member_add", { team_id: "T", member: { role: "user", user_id: userId } });
          return gw.request("/team/member_delete", { method: "POST", key, json: { team_id: "T", user_id: userId } });
        },
      },
      { name: "POST /team/block", expected: adminOnly, call: (key) => gw.request("/team/unblock", { method: "POST", key, json: { team_id: "T" } }) },
      {
        name: "POST /team/delete",
        expected: adminOnly,
        call: async (key) => {
          const teamId = fresh("doomed");
          await asMaster("/team/new", { team_id: teamId });
          return gw.request("/team/delete", { method: "POST", key, json: { team_ids: [teamId] } });
        },
      },
    ];

    for (const route of routes) {
      test(route.name, async () => {
        const got = {} as Record<Caller, number>;
        for (const caller of CALLERS) got[caller] = (await route.call(keys[caller], caller)).status;
        expect(got).toEqual(route.expected);
      });
    }

    test("/team/model/add and /team/model/delete change the team's model list", async () => {
      await asMaster("/team/new", { team_id: "M" });
      expect((await asMaster("/team/model/add", { team_id: "M", models: ["a", "b"] })).models).toEqual(["a", "b"]);
      expect((await asMaster("/team/model/add", { team_id: "M", models: ["b", "c", "c"] })).models).toEqual(["a", "b", "c"]);
      expect((await asMaster("/team/model/delete", { team_id: "M", models: ["a", "zzz"] })).models).toEqual(["b", "c"]);
      const missing = await gw.request("/team/model/add", { method: "POST", json: { team_id: "nope", models: ["a"] } });
      expect(missing.status).toBe(404);
      expect((await gw.request("/team/model/add", { method: "POST", json: { team_id: "M", models: [] } })).status).toBe(400);
    });

    test("/v2/team/list pages and filters the teams a caller may see; /v2/user/info is the user alone", async () => {
      for (const id of ["P1", "P2", "P3"]) await asMaster("/team/new", { team_id: id, team_alias: `pager-${id}` });
      const list = async (query: string, key = MASTER_KEY) => (await (await gw.request(`/v2/team/list?${query}`, { key })).json()) as Json;
      const first = await list("page_size=2");
      expect(first).toMatchObject({ page: 1, page_size: 2 });
      expect(first.teams).toHaveLength(2);
      expect(first.total_pages).toBe(Math.ceil(first.total / 2));
      expect((await list("team_alias=pager-P2")).teams.map((t: Json) => t.team_id)).toEqual(["P2"]);
      expect((await list("team_id=P3")).total).toBe(1);
      // A member sees only their teams, even when asking for another by id.
      const mine = await list("page_size=100", keys.team_member);
      expect(mine.teams.map((t: Json) => t.team_id)).toEqual(["T"]);
      expect((await list("team_id=P1", keys.team_member)).total).toBe(0);
      expect((await gw.request("/v2/team/list?page_size=101")).status).toBe(400);

      const own = (await (await gw.request(`/v2/user/info?user_id=${userIdOf.team_member}`, { key: keys.team_member })).json()) as Json;
      expect(own).toMatchObject({ user_id: userIdOf.team_member, teams: ["T"] });
      expect(own.keys).toBeUndefined();
      expect((await gw.request("/v2/user/info?user_id=nobody-at-all")).status).toBe(404);
    });

    test("refusals carry LiteLLM's messages in the OpenAI shape", async () => {
      const res = await gw.request("/user/new", { method: "POST", key: keys.internal, json: {} });
      const body = (await res.json()) as Json;
      expect(body.error.message).toContain("Only proxy admin can be used to generate, delete, update info for new keys/users/teams");
      const member = await gw.request("/team/member_add", { method: "POST", key: keys.team_member, json: { team_id: "T", member: { user_id: "x" } } });
      expect(((await member.json()) as Json).error.message).toBe("Call not allowed. User not proxy admin OR team admin. route=/team/member_add, team_id=T");
      const other = await gw.request("/user/info?user_id=someone-else", { key: keys.internal });
      expect(((await other.json()) as Json).error.message).toContain("key not allowed to access this user's info");
    });
  });
}
