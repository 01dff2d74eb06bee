// Who may call which key route (contract §1.2, §1.4, §2.4), over HTTP, on SQLite and Postgres.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { hashKey } from "../../src/auth/key-format.ts";
import { errorOf, type Gateway, MASTER_KEY, PG_URL, startGateway } from "../support/harness.ts";

type Json = Record<string, any>;

for (const dialect of ["sqlite", "pg"] as const) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`key route roles on ${dialect}`, () => {
    let gw: Gateway;
    const keyOf: Record<string, string> = {};

    const post = (path: string, json: unknown, key: string) => gw.request(path, { method: "POST", json, key });
    const get = (path: string, key: string) => gw.request(path, { key });
    const generateAs = async (json: Json, key = MASTER_KEY) => (await (await post("/key/generate", json, key)).json()) as Json;

    beforeAll(async () => {
      gw = await startGateway({ dialect });
      const users = [
        { userId: "admin1", userRole: "proxy_admin" },
        { userId: "viewer", userRole: "proxy_admin_viewer" },
        { userId: "alice", userRole: "internal_user" },
        { userId: "bob", userRole: "internal_user" },
        { userId: "iview", userRole: "internal_user_viewer" },
        { userId: "norole", userRole: null },
      ];
      await gw.store.db.insert(gw.store.t.users).values(users);
      await gw.store.db.insert(gw.store.t.teamMembers).values({ teamId: "eng", userId: "alice", role: "admin" });
      for (const { userId } of users) keyOf[userId] = (await generateAs({ user_id: userId })).key;
      keyOf.ghost = (await generateAs({ user_id: "ghost" })).key; // no user row: role "unknown"
      keyOf.ownerless = (await generateAs({})).key;
    });
    afterAll(() => gw.close());

    test("a key whose user is unknown may use LLM and info routes, but manage nothing", async () => {
      for (const who of ["ghost", "ownerless"]) {
        expect((await get("/models", keyOf[who]!)).status).toBe(200);
        expect((await get("/key/info", keyOf[who]!)).status).toBe(200);
        const refused = await post("/key/generate", {}, keyOf[who]!);
        expect(refused.status).toBe(401);
        const userId = who === "ghost" ? "ghost" : "null";
        expect((await errorOf(refused)).message).toBe(
          `Only proxy admin can be used to generate, delete, update info for new keys/users/teams. Route=/key/generate. Your role=unknown. Your user_id=${userId}`,
        );
        expect((await post("/key/delete", { keys: [keyOf[who]] }, keyOf[who]!)).status).toBe(401);
      }
    });

    test("an internal user creates keys only for themselves, and manages only their own", async () => {
      const own = await post("/key/generate", {}, keyOf.alice!);
      expect(own.status).toBe(200);
      const ownKey = (await own.json()) as Json;
      expect(ownKey.user_id).toBe("alice");
      expect(ownKey.created_by).toBe("alice");

      const forBob = await post("/key/generate", { user_id: "bob" }, keyOf.alice!);
      expect(forBob.status).toBe(403);
      expect((await errorOf(forBob)).message).toBe("User can only create keys for themselves. Got user_id=bob, Your ID=alice");

      const delBob = await post("/key/delete", { keys: [keyOf.bob] }, keyOf.alice!);
      expect(delBob.status).toBe(403);
      expect((await errorOf(delBob)).message).toBe("You are not authorized to delete this key");
      expect((await get(`/key/info?key=${keyOf.bob}`, keyOf.alice!)).status).toBe(403);
      expect((await post("/key/update", { key: keyOf.bob, max_budget: 1 }, keyOf.alice!)).status).toBe(403);
      expect((await post("/key/regenerate", { key: keyOf.bob }, keyOf.alice!)).status).toBe(403);
      expect((await post("/key/block", { key: ownKey.key }, keyOf.alice!)).status).toBe(403);
      expect((await post("/key/update", { key: ownKey.key, spend: 0 }, keyOf.alice!)).status).toBe(403);
      const giveAway = await post("/key/update", { key: ownKey.key, user_id: "bob" }, keyOf.alice!);
      expect(giveAway.status).toBe(403);

      expect((await post("/key/update", { key: ownKey.key, max_budget: 2 }, keyOf.alice!)).status).toBe(200);
      expect((await get(`/key/info?key=${ownKey.token}`, keyOf.alice!)).status).toBe(200);

      const list = (await (await get("/key/list", keyOf.alice!)).json()) as Json;
      expect(list.keys.sort()).toEqual([hashKey(keyOf.alice!), ownKey.token].sort());
      expect((await get("/key/list?user_id=bob", keyOf.alice!)).status).toBe(403);

      expect((await post("/key/delete", { keys: [ownKey.key] }, keyOf.alice!)).status).toBe(200);
    });

    test("a team admin manages the team's keys (the team seam)", async () => {
      const teamKey = await generateAs({ user_id: "bob", team_id: "eng" });
      expect((await post("/key/update", { key: teamKey.key, rpm_limit: 5 }, keyOf.alice!)).status).toBe(200);
      expect((await post(`/key/${teamKey.token}/reset_spend`, { reset_to: 0 }, keyOf.alice!)).status).toBe(200);
      const list = (await (await get("/key/list", keyOf.alice!)).json()) as Json;
      expect(list.keys).toContain(teamKey.token);
      expect((await post(`/key/${teamKey.token}/reset_spend`, { reset_to: 0 }, keyOf.bob!)).status).toBe(403);
    });

    test("viewers read but never write", async () => {
      for (const who of ["viewer", "iview"]) {
        const res = await post("/key/generate", {}, keyOf[who]!);
        expect(res.status).toBe(403);
        expect((await errorOf(res)).message).toContain(`user not allowed to access this route, role= ${who === "viewer" ? "proxy_admin_viewer" : "internal_user_viewer"}`);
        expect((await post("/key/delete", { keys: [keyOf.bob] }, keyOf[who]!)).status).toBe(403);
      }
      expect((await get(`/key/info?key=${keyOf.bob}`, keyOf.viewer!)).status).toBe(200);
      const all = (await (await get("/key/list?size=100", keyOf.viewer!)).json()) as Json;
      expect(all.total_count).toBeGreaterThanOrEqual(8);
      expect((await get(`/key/info?key=${keyOf.bob}`, keyOf.iview!)).status).toBe(403);
      expect((await get("/key/info", keyOf.iview!)).status).toBe(200);
    });

    test("a user with no role counts as internal_user", async () => {
      expect((await post("/key/generate", {}, keyOf.norole!)).status).toBe(200);
      expect((await post("/key/generate", { user_id: "alice" }, keyOf.norole!)).status).toBe(403);
    });

    test("a proxy_admin user's key does everything the master key does on key routes", async () => {
      const made = await post("/key/generate", { user_id: "bob" }, keyOf.admin1!);
      expect(made.status).toBe(200);
      const { key } = (await made.json()) as Json;
      expect((await post("/key/block", { key }, keyOf.admin1!)).status).toBe(200);
      expect((await post("/key/unblock", { key }, keyOf.admin1!)).status).toBe(200);
      expect((await post("/key/delete", { keys: [key] }, keyOf.admin1!)).status).toBe(200);
    });

    test("a changed user role applies once the user cache is invalidated", async () => {
      await gw.store.db.update(gw.store.t.users).set({ userRole: "proxy_admin" }).where(eq(gw.store.t.users.userId, "bob"));
      expect((await post("/key/generate", { user_id: "alice" }, keyOf.bob!)).status).toBe(403); // cached role
      await gw.deps.invalidation.user("bob");
      expect((await post("/key/generate", { user_id: "alice" }, keyOf.bob!)).status).toBe(200);
    });

    test("key_type and allowed_routes restrict a key to route groups", async () => {
      const llmOnly = await generateAs({ key_type: "llm_api" });
      expect(llmOnly.allowed_routes).toEqual(["llm_api_routes"]);
      expect((await get("/models", llmOnly.key)).status).toBe(200);
      const refused = await get("/key/info", llmOnly.key);
      expect(refused.status).toBe(403);
      expect((await errorOf(refused)).message).toBe(
        'Virtual key is not allowed to call this route. Only allowed to call routes: ["llm_api_routes"]. Tried to call route: /key/info',
      );
      const readOnly = await generateAs({ key_type: "read_only", user_id: "admin1" });
      expect((await get("/key/info", readOnly.key)).status).toBe(200);
      expect((await post("/key/generate", {}, readOnly.key)).status).toBe(403);
      const exact = await generateAs({ allowed_routes: ["/key/info"] });
      expect((await get("/key/info", exact.key)).status).toBe(200);
      expect((await get("/models", exact.key)).status).toBe(403);
    });

    test("LiteLLM's other key routes: /v2/key/info, /key/aliases, /key/health, /key/service-account/generate", async () => {
      const alpha = await generateAs({ user_id: "alice", key_alias: "svc-alpha" });
      await generateAs({ user_id: "alice", key_alias: "svc-beta" });
      // bob may have been made an admin by now: carol is the plain internal user here.
      await gw.store.db.insert(gw.store.t.users).values({ userId: "carol", userRole: "internal_user" });
      const carol = (await generateAs({ user_id: "carol" })).key as string;
      const gamma = await generateAs({ user_id: "carol", key_alias: "svc-gamma" });
      await generateAs({ key_alias: "x%y" });
      await generateAs({ key_alias: "x_z" });

      // /v2/key/info: several keys by plaintext or hash, unknown ones left out, never a plaintext.
      const many = await post("/v2/key/info", { keys: [alpha.key, gamma.token, "sk-nobody-has-this-key-000"] }, MASTER_KEY);
      expect(many.status).toBe(200);
      const body = (await many.json()) as Json;
      expect(body.key).toEqual([alpha.key, gamma.token, "sk-nobody-has-this-key-000"]);
      expect(body.info.map((k: Json) => k.key_alias).sort()).toEqual(["svc-alpha", "svc-gamma"]);
      expect(JSON.stringify(body)).not.toContain(gamma.key);
      expect((await post("/v2/key/info", { keys: [gamma.key] }, keyOf.alice!)).status).toBe(403);
      expect((await post("/v2/key/info", { keys: [alpha.key] }, keyOf.alice!)).status).toBe(200);
      expect((await post("/v2/key/info", { keys: [] }, MASTER_KEY)).status).toBe(400);

      // /key/aliases: alphabetical, paged, searched in any case; `%` and `_` are plain characters.
      const aliases = async (query: string, key = MASTER_KEY) => (await (await get(`/key/aliases?${query}`, key)).json()) as Json;
      expect(await aliases("search=svc-")).toEqual({ aliases: ["svc-alpha", "svc-beta", "svc-gamma"], total_count: 3, current_page: 1, total_pages: 1, size: 50 });
      expect(await aliases("search=svc-&size=2&page=2")).toMatchObject({ aliases: ["svc-gamma"], total_count: 3, total_pages: 2, size: 2 });
      expect((await aliases("search=SVC-B")).aliases).toEqual(["svc-beta"]);
      expect((await aliases("search=%25")).aliases).toEqual(["x%y"]);
      expect((await aliases("search=_")).aliases).toEqual(["x_z"]);
      // An internal user sees the aliases of the keys they may list.
      expect((await aliases("search=svc-", keyOf.alice!)).aliases).toEqual(["svc-alpha", "svc-beta"]);
      expect((await aliases("search=svc-", carol)).aliases).toEqual(["svc-gamma"]);
      expect((await get("/key/aliases?size=101", MASTER_KEY)).status).toBe(400);

      const health = await post("/key/health", {}, keyOf.alice!);
      expect([health.status, await health.json()]).toEqual([200, { key: "healthy", logging_callbacks: null }]);

      // A service account: a team key of no user; proxy admins and the team's admins make them
      // (members only when the team allows it: test/http/team-member-permissions.test.ts).
      const noTeam = await post("/key/service-account/generate", {}, MASTER_KEY);
      expect(noTeam.status).toBe(400);
      expect((await errorOf(noTeam)).message).toBe("team_id is required for service account keys. Please specify `team_id` in the request body.");
      for (const maker of [MASTER_KEY, keyOf.alice!]) {
        const made = await post("/key/service-account/generate", { team_id: "eng", user_id: "alice", max_budget: 5 }, maker);
        expect(made.status).toBe(200);
        const account = (await made.json()) as Json;
        expect(account).toMatchObject({ team_id: "eng", user_id: null, max_budget: 5 });
        expect((await get("/key/info", account.key)).status).toBe(200);
      }
      const outsider = await post("/key/service-account/generate", { team_id: "eng" }, carol);
      expect(outsider.status).toBe(401);
      expect(await errorOf(outsider)).toMatchObject({ type: "team_member_permission_error", param: "/key/service-account/generate" });
    });

    test("/key/bulk_update: proxy admins only; each key is changed, or refused with its reason, on its own", async () => {
      const one = await generateAs({ max_budget: 1 });
      const two = await generateAs({});
      const missing = "sk-this-key-was-never-made-0000";
      const res = await post("/key/bulk_update", {
        keys: [
          { key: one.key, max_budget: 7, tags: ["batch"] },
          { key: two.token, team_id: "eng" },
          { key: missing, max_budget: 1 },
          { key: one.token, budget_id: "tier-1" },
          { key: two.key, max_budget: -1 },
        ],
      }, MASTER_KEY);
      expect(res.status).toBe(200);
      const body = (await res.json()) as Json;
      expect(body.total_requested).toBe(5);
      expect(body.successful_updates.map((u: Json) => [u.key, u.key_info.max_budget, u.key_info.team_id])).toEqual([
        [one.key, 7, null],
        [two.token, null, "eng"],
      ]);
      expect(body.successful_updates[0].key_info.tags).toEqual(["batch"]);
      expect(body.failed_updates.map((f: Json) => [f.key, f.failed_reason])).toEqual([
        [missing, "Key sk-...0000 not found."],
        [one.token, "budget_id is not supported on keys: set max_budget (and budget_duration with /key/update)"],
        [two.key, "max_budget cannot be negative. Received: -1"],
      ]);
      expect(body.failed_updates[2].key_info).toEqual({ key: two.key, max_budget: -1 });
      expect(((await (await get(`/key/info?key=${one.key}`, MASTER_KEY)).json()) as Json).info.max_budget).toBe(7);
      expect(((await (await get(`/key/info?key=${two.key}`, MASTER_KEY)).json()) as Json).info).toMatchObject({ team_id: "eng", max_budget: null });

      const refused = await post("/key/bulk_update", { keys: [{ key: keyOf.alice, max_budget: 100 }] }, keyOf.alice!);
      expect(refused.status).toBe(403);
      expect((await errorOf(refused)).message).toBe("Only proxy admins can perform bulk key updates");
      expect((await errorOf(await post("/key/bulk_update", { keys: [] }, MASTER_KEY))).message).toBe("No keys provided for update");
      const tooMany = await post("/key/bulk_update", { keys: Array.from({ length: 501 }, () => ({ key: one.key })) }, MASTER_KEY);
      expect([tooMany.status, (await errorOf(tooMany)).message]).toEqual([400, "Maximum 500 keys can be updated at once. Found 501 keys."]);
    });
  });
}
