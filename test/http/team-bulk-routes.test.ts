// LiteLLM's bulk team routes: /team/permissions_bulk_update (append permissions to several teams,
// or all) and /team/bulk_member_add (many members at once, each on its own). SQLite and Postgres.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { errorOf, type Gateway, MASTER_KEY, PG_URL, startGateway } from "../support/harness.ts";

type Json = Record<string, any>;

for (const dialect of ["sqlite", "pg"] as const) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`bulk team routes on ${dialect}`, () => {
    let gw: Gateway;
    const keyOf: Record<string, string> = {};
    const post = (path: string, json: unknown, key = MASTER_KEY) => gw.request(path, { method: "POST", json, key });
    const ok = async (res: Response) => {
      if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
      return (await res.json()) as any;
    };
    const permissionsOf = async (teamId: string) => (await ok(await gw.request(`/team/permissions_list?team_id=${teamId}`))).team_member_permissions;

    beforeAll(async () => {
      gw = await startGateway({ dialect });
      await ok(await post("/team/new", { team_id: "plain" }));
      await ok(await post("/team/new", { team_id: "listed", team_member_permissions: ["/key/generate"] }));
      await ok(await post("/team/new", { team_id: "other" }));
      for (const user_id of ["ann", "bob"]) keyOf[user_id] = (await ok(await post("/user/new", { user_id, user_role: "internal_user" }))).key;
    });
    afterAll(() => gw.close());

    test("/team/permissions_bulk_update appends to the teams named, then to every team; bad input changes nothing", async () => {
      const baseline = await permissionsOf("plain");
      const refused: [unknown, number, string?][] = [
        [{ permissions: ["/key/update"] }, 400, "team_ids"],
        [{ permissions: ["/key/update"], team_ids: ["plain"], apply_to_all_teams: true }, 400, "team_ids"],
        [{ permissions: ["/key/teleport"], team_ids: ["plain"] }, 400, "permissions"],
        [{ permissions: [], team_ids: ["plain"] }, 400],
        [{ permissions: ["/key/update"], team_ids: ["plain", "no-such-team"] }, 404],
      ];
      for (const [json, status, param] of refused) {
        const res = await post("/team/permissions_bulk_update", json);
        expect(res.status).toBe(status);
        if (param) expect((await errorOf(res)).param).toBe(param);
      }
      // Proxy admins only: LiteLLM's route check answers anyone else with a 401.
      expect((await post("/team/permissions_bulk_update", { permissions: ["/key/update"], apply_to_all_teams: true }, keyOf.ann)).status).toBe(401);
      expect(await permissionsOf("plain")).toEqual(baseline);

      const named = await ok(await post("/team/permissions_bulk_update", { permissions: ["/key/update", "/key/generate", "/key/update"], team_ids: ["plain", "listed"] }));
      expect(named).toMatchObject({ teams_updated: 2, permissions_appended: ["/key/update", "/key/generate"] });
      // A team without a list starts from the baseline /team/permissions_list showed for it.
      expect(await permissionsOf("plain")).toEqual([...baseline, "/key/update", "/key/generate"]);
      expect(await permissionsOf("listed")).toEqual(["/key/generate", "/key/update"]);
      expect(await permissionsOf("other")).toEqual(baseline);

      const all = await ok(await post("/team/permissions_bulk_update", { permissions: ["/key/delete"], apply_to_all_teams: true }));
      expect(all.teams_updated).toBe(3);
      for (const team of ["plain", "listed", "other"]) expect(await permissionsOf(team)).toContain("/key/delete");
      expect(await permissionsOf("listed")).toEqual(["/key/generate", "/key/update", "/key/delete"]);
    });

    test("/team/bulk_member_add: each member succeeds or fails on its own; all_users adds everyone", async () => {
      await ok(await post("/team/new", { team_id: "crew" }));
      const out = await ok(await post("/team/bulk_member_add", {
        team_id: "crew",
        members: [{ user_id: "ann" }, { user_email: "new.person@example.com", role: "admin" }, { user_id: "ann", role: "admin" }, {}],
        max_budget_in_team: 5,
      }));
      expect(out).toMatchObject({ team_id: "crew", total_requested: 4, successful_additions: 2, failed_additions: 2 });
      expect(out.results.map((r: Json) => r.success)).toEqual([true, true, false, false]);
      expect(out.results[2].error).toContain("already in team");
      expect(out.results[3].error).toContain("user_id or a user_email");
      expect(out.results[0].updated_team_membership).toMatchObject({ user_id: "ann", role: "user", max_budget_in_team: 5 });
      const newcomer = out.results[1].user_id;
      expect(out.results[1].updated_team_membership).toMatchObject({ user_id: newcomer, role: "admin" });
      const roles = Object.fromEntries(out.updated_team.members_with_roles.map((m: Json) => [m.user_id, m.role]));
      expect(roles).toMatchObject({ ann: "user", [newcomer]: "admin" });

      // Refused before anything is added: nobody to add, too many, a caller who is no team admin.
      const tooMany = Array.from({ length: 501 }, (_, i) => ({ user_id: `many-${i}` }));
      for (const [json, key, status] of [
        [{ team_id: "crew", members: [] }, MASTER_KEY, 400],
        [{ team_id: "crew", members: tooMany }, MASTER_KEY, 400],
        [{ team_id: "crew", members: [{ user_id: "bob" }] }, keyOf.bob, 403],
        [{ team_id: "no-such-team", members: [{ user_id: "bob" }] }, MASTER_KEY, 404],
      ] as const) {
        expect((await post("/team/bulk_member_add", json, key)).status).toBe(status);
      }
      const info = await ok(await gw.request("/team/info?team_id=crew"));
      expect(info.team_info.members_with_roles.length).toBe(out.updated_team.members_with_roles.length);
      // The team's admin (the newcomer has no key; ann is made admin by the master key) may add members.
      await ok(await post("/team/member_update", { team_id: "crew", user_id: "ann", role: "admin" }));
      expect((await ok(await post("/team/bulk_member_add", { team_id: "crew", members: [{ user_id: "bob" }] }, keyOf.ann))).successful_additions).toBe(1);

      await ok(await post("/team/new", { team_id: "everyone" }));
      const everyone = await ok(await post("/team/bulk_member_add", { team_id: "everyone", all_users: true }));
      expect(everyone.results.filter((r: Json) => r.success).map((r: Json) => r.user_id)).toEqual(expect.arrayContaining(["ann", "bob", newcomer]));
      // The team's creator is in it already: that one addition fails, the others go in.
      for (const r of everyone.results.filter((r: Json) => !r.success)) expect(r.error).toContain("already in team");
      expect(everyone.failed_additions).toBeLessThanOrEqual(1);
      expect(everyone.total_requested).toBe(everyone.updated_team.members_with_roles.length);
    });
  });
}
