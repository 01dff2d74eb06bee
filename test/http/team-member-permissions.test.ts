// A team's `team_member_permissions` decide what its plain members may do to the team's keys
// (contract §1.6, §2.4; LiteLLM's tests/otel_tests/test_team_member_permissions.py, step by step),
// and /team/permissions_list + /team/permissions_update read and set them. On SQLite and Postgres.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { hashKey } from "../../src/auth/key-format.ts";
import { errorOf, type Gateway, MASTER_KEY, PG_URL, startGateway } from "../support/harness.ts";

type Json = Record<string, any>;

const ALL_PERMISSIONS = [
  "/key/generate", "/key/update", "/key/delete", "/key/info", "/key/regenerate", "/key/service-account/generate",
  "/key/{key_id}/regenerate", "/key/list", "/key/block", "/key/unblock", "/key/bulk_update", "/team/key/bulk_update",
  "/team/daily/activity", "/team/daily/activity/aggregated", "/spend/logs", "/spend/logs/v2", "/key/{key_id}/reset_spend",
  "/key/aliases", "/key/access_group_assignment",
];

for (const dialect of ["sqlite", "pg"] as const) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`team member permissions on ${dialect}`, () => {
    let gw: Gateway;
    let n = 0;
    const post = (path: string, json: unknown, key = MASTER_KEY) => gw.request(path, { method: "POST", json, key });
    const get = (path: string, key = MASTER_KEY) => gw.request(path, { key });
    const ok = async (res: Response) => {
      if (res.status !== 200) throw new Error(`${res.status}: ${await res.text()}`);
      return (await res.json()) as Json;
    };
    const expectPermissionError = async (res: Response, route: string) => {
      expect(res.status).toBe(401);
      const error = await errorOf(res);
      expect(error).toMatchObject({ type: "team_member_permission_error", param: route, code: "401" });
      return error.message;
    };

    /** A team with these permissions, a plain member (made by /user/new with team_id, as the otel test) and a team key made by the master key. */
    async function teamWithMember(permissions: string[] | null) {
      const teamId = `team-${dialect}-${++n}`;
      await ok(await post("/team/new", { team_id: teamId, ...(permissions === null ? {} : { team_member_permissions: permissions }) }));
      const member = await ok(await post("/user/new", { user_id: `member-${teamId}`, user_role: "internal_user", team_id: teamId }));
      const teamKey = await ok(await post("/key/generate", { team_id: teamId }));
      return { teamId, memberKey: member.key as string, teamKey: teamKey.key as string };
    }

    beforeAll(async () => {
      gw = await startGateway({ dialect });
    });
    afterAll(() => gw.close());

    test("by default a plain member may read the team's keys and change none of them", async () => {
      const { teamId, memberKey, teamKey } = await teamWithMember(null);
      const message = await expectPermissionError(await post("/key/generate", { team_id: teamId }, memberKey), "/key/generate");
      expect(message).toContain(`You only have access to the following endpoints: ['/key/info', '/key/health'] for team ${teamId}`);
      await expectPermissionError(await post("/key/update", { key: teamKey, team_id: "ATTACKER_TEAM_ID" }, memberKey), "/key/update");
      await expectPermissionError(await post("/key/delete", { keys: [teamKey] }, memberKey), "/key/delete");
      await expectPermissionError(await post("/key/regenerate", { key: teamKey }, memberKey), "/key/regenerate");
      await expectPermissionError(await post("/key/service-account/generate", { team_id: teamId }, memberKey), "/key/service-account/generate");
      expect((await get(`/key/info?key=${teamKey}`, memberKey)).status).toBe(200);
      // Owning a team key does not matter: the team decides.
      const own = await ok(await post("/key/generate", { team_id: teamId, user_id: `member-${teamId}` }));
      await expectPermissionError(await post("/key/update", { key: own.key, max_budget: 1 }, memberKey), "/key/update");
      // A personal key stays its owner's to change.
      const personal = await ok(await post("/key/generate", {}, memberKey));
      expect((await post("/key/update", { key: personal.key, max_budget: 1 }, memberKey)).status).toBe(200);
      // Nothing changed on the team key.
      expect((await ok(await get(`/key/info?key=${teamKey}`))).info.team_id).toBe(teamId);
    });

    test("with /key/update, /key/delete and /key/info a member edits and deletes team keys, and still creates none", async () => {
      const { teamId, memberKey, teamKey } = await teamWithMember(["/key/update", "/key/delete", "/key/info"]);
      expect((await post("/key/update", { key: teamKey, team_id: teamId, max_budget: 3 }, memberKey)).status).toBe(200);
      expect((await ok(await get(`/key/info?key=${teamKey}`))).info.max_budget).toBe(3);
      // Moving it to another team still takes an admin of that team.
      expect((await post("/key/update", { key: teamKey, team_id: "ATTACKER_TEAM_ID" }, memberKey)).status).toBe(403);
      await expectPermissionError(await post("/key/generate", { team_id: teamId }, memberKey), "/key/generate");
      await expectPermissionError(await post("/key/regenerate", { key: teamKey }, memberKey), "/key/regenerate");
      expect((await post("/key/delete", { keys: [teamKey] }, memberKey)).status).toBe(200);
      expect((await get(`/key/info?key=${teamKey}`)).status).toBe(404);
    });

    test("with /key/generate a member (added by /team/member_add) creates team keys, and changes none", async () => {
      const teamId = `team-${dialect}-${++n}`;
      await ok(await post("/team/new", { team_id: teamId, team_member_permissions: ["/key/generate"] }));
      const user = await ok(await post("/user/new", { user_id: `gen-${teamId}`, user_role: "internal_user" }));
      await ok(await post("/team/member_add", { team_id: teamId, member: { role: "user", user_id: `gen-${teamId}` } }));
      const made = await post("/key/generate", { team_id: teamId }, user.key);
      expect(made.status).toBe(200);
      const created = (await made.json()) as Json;
      expect(created.team_id).toBe(teamId);
      const teamKey = await ok(await post("/key/generate", { team_id: teamId }));
      for (const [path, body] of [["/key/update", { key: teamKey.key, max_budget: 1 }], ["/key/delete", { keys: [teamKey.key] }], ["/key/regenerate", { key: teamKey.key }]] as const) {
        await expectPermissionError(await post(path, body, user.key), path);
      }
      // Nor the key they created themselves.
      await expectPermissionError(await post("/key/update", { key: created.key, max_budget: 1 }, user.key), "/key/update");
    });

    test("team admins need no permissions, wildcards and the path form of regenerate count, outsiders are refused", async () => {
      const { teamId, teamKey } = await teamWithMember(null);
      const admin = await ok(await post("/user/new", { user_id: `admin-${teamId}`, user_role: "internal_user" }));
      await gw.store.db.insert(gw.store.t.teamMembers).values({ teamId, userId: `admin-${teamId}`, role: "admin" });
      expect((await post("/key/update", { key: teamKey, max_budget: 2 }, admin.key)).status).toBe(200);
      expect((await post("/key/generate", { team_id: teamId }, admin.key)).status).toBe(200);

      const other = await teamWithMember(["/key/*"]);
      expect((await post("/key/update", { key: other.teamKey, max_budget: 2 }, other.memberKey)).status).toBe(200);
      const rotated = await ok(await post("/key/regenerate", { key: other.teamKey }, other.memberKey));
      // Someone who is not in the team at all.
      const message = await expectPermissionError(await post("/key/update", { key: rotated.key, max_budget: 1 }, admin.key), "/key/update");
      expect(message).toBe(`User admin-${teamId} does not belong to team ${other.teamId}. Team-scoped key management endpoints can only be used for keys in your own team.`);

      const third = await teamWithMember(["/key/{key_id}/regenerate"]);
      expect((await post(`/key/${encodeURIComponent(third.teamKey)}/regenerate`, {}, third.memberKey)).status).toBe(200);
    });

    test("a plain member lists their own keys and the team's service accounts, not other members' team keys", async () => {
      const { teamId, memberKey, teamKey } = await teamWithMember(null);
      await ok(await post("/user/new", { user_id: `other-${teamId}`, user_role: "internal_user", team_id: teamId, auto_create_key: false }));
      const othersKey = await ok(await post("/key/generate", { team_id: teamId, user_id: `other-${teamId}` }));
      const listed = ((await ok(await get("/key/list?size=100", memberKey))).keys as string[]).sort();
      expect(listed).toEqual([hashKey(memberKey), hashKey(teamKey)].sort());
      expect(listed).not.toContain(othersKey.token);
    });

    test("/team/permissions_list and /team/permissions_update: read and set by proxy and team admins, checked, applied at once", async () => {
      const { teamId, memberKey, teamKey } = await teamWithMember(null);
      expect(await ok(await get(`/team/permissions_list?team_id=${teamId}`))).toEqual({
        team_id: teamId,
        team_member_permissions: ["/key/info", "/key/health"],
        all_available_permissions: ALL_PERMISSIONS,
      });
      const plain = await get(`/team/permissions_list?team_id=${teamId}`, memberKey);
      expect(plain.status).toBe(403);
      expect((await errorOf(plain)).message).toBe(`Call not allowed. User not proxy admin OR team admin. route=/team/permissions_list, team_id=${teamId}`);
      expect((await post("/team/permissions_update", { team_id: teamId, team_member_permissions: ["/key/update"] }, memberKey)).status).toBe(403);
      expect((await get("/team/permissions_list?team_id=nope")).status).toBe(404);
      expect((await get("/team/permissions_list")).status).toBe(400);

      await expectPermissionError(await post("/key/update", { key: teamKey, max_budget: 4 }, memberKey), "/key/update");
      const updated = await ok(await post("/team/permissions_update", { team_id: teamId, team_member_permissions: ["/key/update"] }));
      expect(updated).toMatchObject({ team_id: teamId, team_member_permissions: ["/key/update"] });
      expect((await ok(await get(`/team/permissions_list?team_id=${teamId}`))).team_member_permissions).toEqual(["/key/update"]);
      expect((await post("/key/update", { key: teamKey, max_budget: 4 }, memberKey)).status).toBe(200);

      const typo = await post("/team/permissions_update", { team_id: teamId, team_member_permissions: ["/key/generat"] });
      expect(typo.status).toBe(400);
      expect(await errorOf(typo)).toMatchObject({ param: "team_member_permissions" });
      expect((await errorOf(await post("/team/new", { team_member_permissions: ["/team/new"] }))).param).toBe("team_member_permissions");
      expect((await post("/team/permissions_update", { team_id: teamId })).status).toBe(400);
      // The typo changed nothing.
      expect((await ok(await get(`/team/permissions_list?team_id=${teamId}`))).team_member_permissions).toEqual(["/key/update"]);
    });
  });
}
