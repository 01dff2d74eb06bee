// The key management API over a real listener, on SQLite and (with TEST_DATABASE_URL) on Postgres.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { hashKey } from "../../src/auth/key-format.ts";
import { errorOf, type Gateway, MASTER_KEY, PG_URL, startGateway } from "../support/harness.ts";

type Json = Record<string, any>;

for (const dialect of ["sqlite", "pg"] as const) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`keys on ${dialect}`, () => {
    let gw: Gateway;
    let clockMs = Date.parse("2026-03-04T10:00:00Z");

    beforeAll(async () => {
      gw = await startGateway({ dialect, listen: true, now: () => clockMs });
    });
    afterAll(() => gw.close());

    const post = (path: string, json: unknown, key: string | null = MASTER_KEY) => gw.request(path, { method: "POST", json, key });
    const get = (path: string, key: string | null = MASTER_KEY) => gw.request(path, { key });
    const generate = async (json: Json = {}, key: string | null = MASTER_KEY) => {
      const res = await post("/key/generate", json, key);
      expect(res.status).toBe(200);
      return (await res.json()) as Json;
    };
    const countKeys = async () => (await gw.store.db.select().from(gw.store.t.keys)).length;
    // The cheapest authenticated call a key can make: proves whether the key is accepted right now.
    const callWith = (key: string) => get("/key/info", key);

    test("the seed's complete Python example: generate, info, update, list, delete", async () => {
      const headers = { Authorization: `Bearer ${MASTER_KEY}`, "Content-Type": "application/json" };
      const created = await fetch(`${gw.url}/key/generate`, {
        method: "POST",
        headers,
        body: JSON.stringify({ models: ["gpt-4", "gpt-3.5-turbo"], duration: "30d", max_budget: 100.0, tpm_limit: 100000, metadata: { team: "engineering" } }),
      });
      expect(created.status).toBe(200);
      const newKey = ((await created.json()) as Json).key as string;
      // sk- + at least 128 bits of randomness (22 base64url chars).
      expect(newKey).toMatch(/^sk-[A-Za-z0-9_-]{22,}$/);

      const info = await fetch(`${gw.url}/key/info?${new URLSearchParams({ key: newKey })}`, { headers });
      expect(info.status).toBe(200);
      const infoJson = (await info.json()) as Json;
      expect(infoJson.key).toBe(newKey);
      expect(infoJson.info).toMatchObject({
        key_name: `sk-...${newKey.slice(-4)}`,
        models: ["gpt-4", "gpt-3.5-turbo"],
        max_budget: 100,
        tpm_limit: 100000,
        spend: 0,
        metadata: { team: "engineering" },
        blocked: false,
        expires: new Date(clockMs + 30 * 86_400_000).toISOString(),
      });
      expect(infoJson.info.token).toBeUndefined();

      const updated = await fetch(`${gw.url}/key/update`, { method: "POST", headers, body: JSON.stringify({ key: newKey, max_budget: 150.0 }) });
      expect(updated.status).toBe(200);
      const afterUpdate = (await (await fetch(`${gw.url}/key/info?key=${newKey}`, { headers })).json()) as Json;
      expect(afterUpdate.info).toMatchObject({ max_budget: 150, tpm_limit: 100000, models: ["gpt-4", "gpt-3.5-turbo"], metadata: { team: "engineering" } });

      const list = await fetch(`${gw.url}/key/list`, { headers });
      expect(list.status).toBe(200);
      const keys = ((await list.json()) as Json).keys as string[];
      expect(keys).toContain(hashKey(newKey));
      expect(keys).not.toContain(newKey);

      const deleted = await fetch(`${gw.url}/key/delete`, { method: "POST", headers, body: JSON.stringify({ keys: [newKey] }) });
      expect(deleted.status).toBe(200);
      expect(await deleted.json()).toEqual({ deleted_keys: [newKey] });
      const gone = await fetch(`${gw.url}/key/info?key=${newKey}`, { headers });
      expect(gone.status).toBe(404);
      expect((await errorOf(gone)).message).toBe("Key not found in database");
    });

    test("the seed's curl calls", async () => {
      const created = await generate({
        models: ["gpt-4", "gpt-3.5-turbo"], duration: "30d", max_budget: 100.0, tpm_limit: 100000, rpm_limit: 1000,
        metadata: { team: "engineering", environment: "production" },
      });
      const key = created.key as string;
      expect(created).toMatchObject({ key_name: `sk-...${key.slice(-4)}`, token: hashKey(key), token_id: hashKey(key), rpm_limit: 1000, user_id: null, team_id: null });
      expect(created.expires).toBe(new Date(clockMs + 30 * 86_400_000).toISOString());

      const list = await get("/key/list");
      expect(list.status).toBe(200);
      expect(((await list.json()) as Json).keys).toContain(hashKey(key));

      // The seed's list loop reads key_name and spend: LiteLLM returns objects with return_full_object.
      const full = (await (await get("/key/list?return_full_object=true&size=100")).json()) as Json;
      const mine = full.keys.find((k: Json) => k.token === hashKey(key));
      expect(mine).toMatchObject({ key_name: `sk-...${key.slice(-4)}`, spend: 0 });
      expect(JSON.stringify(full)).not.toContain(key);

      const info = await get(`/key/info?key=${key}`);
      expect(((await info.json()) as Json).info).toMatchObject({ models: ["gpt-4", "gpt-3.5-turbo"], spend: 0, max_budget: 100, tpm_limit: 100000, rpm_limit: 1000 });

      const u1 = await post("/key/update", { key, max_budget: 200.0, tpm_limit: 200000 });
      expect(u1.status).toBe(200);
      expect(await u1.json()).toMatchObject({ key, max_budget: 200, tpm_limit: 200000, rpm_limit: 1000 });
      const u2 = await post("/key/update", { key, max_budget: 200.0, models: ["gpt-4", "claude-2"] });
      expect(await u2.json()).toMatchObject({ models: ["gpt-4", "claude-2"], tpm_limit: 200000 });

      expect((await post("/key/block", { key })).status).toBe(200);
      expect((await callWith(key)).status).toBe(401);
      expect((await post("/key/unblock", { key })).status).toBe(200);
      expect((await callWith(key)).status).toBe(200);

      const regenerated = await post("/key/regenerate", { key });
      expect(regenerated.status).toBe(200);
      const newKey = ((await regenerated.json()) as Json).key as string;
      expect(newKey).not.toBe(key);

      const deleted = await post("/key/delete", { keys: [newKey] });
      expect(await deleted.json()).toEqual({ deleted_keys: [newKey] });
    });

    test("100 concurrent generations: 100 distinct keys, and no plaintext anywhere in the database", async () => {
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => generate({ metadata: { i } })));
      const plaintexts = results.map((r) => r.key as string);
      expect(new Set(plaintexts).size).toBe(100);
      expect(new Set(results.map((r) => r.token)).size).toBe(100);
      const t = gw.store.t;
      const dump = JSON.stringify(
        await Promise.all([t.keys, t.keyGraceTokens, t.settings, t.users, t.teams, t.teamMembers, t.spendLogs].map((table) => gw.store.db.select().from(table))),
      );
      for (const p of plaintexts) {
        expect(dump).not.toContain(p);
        expect(dump).toContain(hashKey(p));
      }
      expect(dump).not.toContain(MASTER_KEY);
    });

    test("block and unblock take effect on the very next request (cache warmed first)", async () => {
      const { key } = await generate();
      expect((await callWith(key)).status).toBe(200); // now cached
      expect((await post("/key/block", { key: hashKey(key) })).status).toBe(200);
      const refused = await callWith(key);
      expect(refused.status).toBe(401);
      expect(await errorOf(refused)).toMatchObject({
        type: "auth_error",
        message: "Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin.",
      });
      const info = (await (await get(`/key/info?key=${key}`)).json()) as Json;
      expect(info.info.blocked).toBe(true);
      expect((await post("/key/unblock", { key })).status).toBe(200);
      expect((await callWith(key)).status).toBe(200);
    });

    test("delete takes effect on the very next request", async () => {
      const { key } = await generate();
      expect((await callWith(key)).status).toBe(200);
      expect((await post("/key/delete", { keys: [key] })).status).toBe(200);
      const refused = await callWith(key);
      expect(refused.status).toBe(401);
      expect((await errorOf(refused)).message).toContain("Invalid proxy server token passed");
    });

    test("a \"2s\" key works until its expiry and is refused with expired_key after", async () => {
      const { key, expires } = await generate({ duration: "2s" });
      expect(expires).toBe(new Date(clockMs + 2000).toISOString());
      expect((await callWith(key)).status).toBe(200);
      clockMs += 1999;
      expect((await callWith(key)).status).toBe(200);
      clockMs += 1;
      const refused = await callWith(key);
      expect(refused.status).toBe(401);
      expect(await errorOf(refused)).toMatchObject({ type: "expired_key", param: `sk-...${key.slice(-4)}` });
      // An admin can still look at it.
      expect((await get(`/key/info?key=${key}`)).status).toBe(200);
    });

    test("regenerate: same row, settings and spend; new secret; the old one dead on the next request", async () => {
      const created = await generate({ key_alias: `rot-${dialect}`, models: ["gpt-4"], max_budget: 10, spend: 1.25, metadata: { a: 1 } });
      const old = created.key as string;
      expect((await callWith(old)).status).toBe(200);
      const res = await post(`/key/${old}/regenerate`, {});
      expect(res.status).toBe(200);
      const fresh = (await res.json()) as Json;
      expect(fresh.key).not.toBe(old);
      expect(fresh).toMatchObject({ key_alias: `rot-${dialect}`, models: ["gpt-4"], max_budget: 10, spend: 1.25, metadata: { a: 1 }, token: hashKey(fresh.key) });
      expect((await callWith(old)).status).toBe(401);
      expect((await callWith(fresh.key)).status).toBe(200);
      expect(await countKeys()).toBeGreaterThan(0);
      const byAlias = (await (await get(`/key/list?key_alias=rot-${dialect}`)).json()) as Json;
      expect(byAlias.keys).toEqual([hashKey(fresh.key)]);
    });

    test("regenerate with a grace period: the old secret works until it ends", async () => {
      const { key: old } = await generate();
      const res = await post("/key/regenerate", { key: old, grace_period: "1h" });
      const { key: fresh } = (await res.json()) as Json;
      expect((await callWith(old)).status).toBe(200);
      expect((await callWith(fresh)).status).toBe(200);
      clockMs += 3_600_000;
      expect((await callWith(old)).status).toBe(401);
      expect((await callWith(fresh)).status).toBe(200);
    });

    test("update: only sent fields change, null clears, duration recomputes expiry, metadata is replaced", async () => {
      const { key } = await generate({ max_budget: 5, rpm_limit: 7, tpm_limit: 9, metadata: { a: 1, b: 2 }, duration: "1h", tags: ["x"] });
      const updated = (await (await post("/key/update", { key, rpm_limit: null, metadata: { c: 3 }, duration: "2h" })).json()) as Json;
      expect(updated).toMatchObject({ max_budget: 5, rpm_limit: null, tpm_limit: 9, metadata: { c: 3 }, expires: new Date(clockMs + 7_200_000).toISOString() });
      const never = (await (await post("/key/update", { key, duration: null, max_budget: null, tags: ["y"] })).json()) as Json;
      expect(never).toMatchObject({ expires: null, max_budget: null, metadata: { c: 3, tags: ["y"] }, tags: ["y"] });
      const period = (await (await post("/key/update", { key, budget_duration: "1d" })).json()) as Json;
      expect(period.budget_reset_at).toBe("2026-03-05T00:00:00.000Z".replace("2026-03-05", new Date(clockMs + 86_400_000).toISOString().slice(0, 10)));
      expect((await post("/key/update", { key: "sk-does-not-exist", rpm_limit: 1 })).status).toBe(404);
    });

    test("list: filters, pagination and counts", async () => {
      for (let i = 0; i < 5; i++) await generate({ user_id: `lister-${dialect}`, team_id: i % 2 ? "odd" : "even" });
      const page1 = (await (await get(`/key/list?user_id=lister-${dialect}&size=2&page=1`)).json()) as Json;
      expect(page1).toMatchObject({ total_count: 5, current_page: 1, total_pages: 3 });
      expect(page1.keys).toHaveLength(2);
      const page3 = (await (await get(`/key/list?user_id=lister-${dialect}&size=2&page=3`)).json()) as Json;
      expect(page3.keys).toHaveLength(1);
      const odd = (await (await get(`/key/list?user_id=lister-${dialect}&team_id=odd&return_full_object=true`)).json()) as Json;
      expect(odd.total_count).toBe(2);
      expect(odd.keys.every((k: Json) => k.team_id === "odd" && !("key" in k))).toBe(true);
      expect((await get("/key/list?size=101")).status).toBe(400);
    });

    test("list: key_hash finds one key (hash or sk-...); sort_by and sort_order order the pages", async () => {
      const owner = `sorter-${dialect}`;
      const made: Json[] = [];
      for (const [alias, budget] of [["b", 30], ["c", 10], ["a", 20]] as const) {
        made.push(await generate({ user_id: owner, key_alias: `${alias}-${dialect}`, max_budget: budget }));
        clockMs += 1_000;
      }
      const [b, c, a] = made as [Json, Json, Json];
      for (const ref of [b.token, b.key]) {
        const one = (await (await get(`/key/list?key_hash=${ref}`)).json()) as Json;
        expect(one).toMatchObject({ keys: [b.token], total_count: 1 });
      }
      expect(((await (await get(`/key/list?key_hash=${"0".repeat(64)}`)).json()) as Json).total_count).toBe(0);

      const order = async (query: string) => ((await (await get(`/key/list?user_id=${owner}&${query}`)).json()) as Json).keys;
      expect(await order("")).toEqual([a.token, c.token, b.token]); // newest first, as before
      expect(await order("sort_by=created_at&sort_order=asc")).toEqual([b.token, c.token, a.token]);
      expect(await order("sort_by=max_budget&sort_order=desc")).toEqual([b.token, a.token, c.token]);
      expect(await order("sort_by=key_alias&sort_order=asc")).toEqual([a.token, b.token, c.token]);
      expect(await order("sort_by=key_alias&sort_order=asc&size=2&page=2")).toEqual([c.token]);
      expect(await order("sort_by=token&sort_order=asc")).toEqual([a.token, b.token, c.token].sort());

      const unknownStatus = await get("/key/list?status=expired");
      expect([unknownStatus.status, (await errorOf(unknownStatus)).param]).toEqual([400, "status"]);
      expect((await get(`/key/list?status=active&key_hash=${b.token}`)).status).toBe(200);

      const bad = await get("/key/list?sort_by=colour");
      expect(bad.status).toBe(400);
      expect((await errorOf(bad)).message).toContain("sort_by must be one of: spend, max_budget, created_at");
      expect((await get("/key/list?sort_order=sideways")).status).toBe(400);
    });

    test("list: include_created_by_keys adds the keys a user made for others; expand=user adds each key's user", async () => {
      const maker = `maker-${dialect}`;
      await post("/user/new", { user_id: maker, user_email: `${maker}@example.org`, user_role: "internal_user", auto_create_key: false });
      const makerKey = await generate({ user_id: maker });
      // A key the maker created for nobody (an admin-made key would be created_by the admin).
      await gw.store.db.insert(gw.store.t.keys).values({ token: hashKey(`sk-made-by-${dialect}`), keyName: "sk-...made", createdBy: maker });
      const list = async (query: string, key = MASTER_KEY) => ((await (await get(`/key/list?${query}`, key)).json()) as Json).keys;
      expect(await list(`user_id=${maker}`)).toEqual([makerKey.token]);
      expect((await list(`user_id=${maker}&include_created_by_keys=true`)).sort()).toEqual([makerKey.token, hashKey(`sk-made-by-${dialect}`)].sort());
      // The maker themselves: the same, only when asked.
      expect(await list("", makerKey.key)).toEqual([makerKey.token]);
      expect((await list("include_created_by_keys=true", makerKey.key)).length).toBe(2);

      const expanded = (await list(`user_id=${maker}&expand=user`)) as Json[];
      expect(expanded).toHaveLength(1);
      expect(expanded[0]).toMatchObject({ token: makerKey.token, user_id: maker, user: { user_id: maker, user_email: `${maker}@example.org`, user_role: "internal_user" } });
      const ownerless = (await list(`key_hash=${hashKey(`sk-made-by-${dialect}`)}&expand=user`)) as Json[];
      expect(ownerless[0]!.user).toBeNull();
      expect((await get("/key/list?expand=team")).status).toBe(400);
    });

    test("list status=deleted: the keys /key/delete removed, as they were, newest first; the owner sees their own", async () => {
      const owner = `deleter-${dialect}`;
      const ownerKey = (await (await post("/user/new", { user_id: owner, user_role: "internal_user" })).json()) as Json;
      const gone = await generate({ user_id: owner, key_alias: `gone-${dialect}`, max_budget: 3 });
      const kept = await generate({ user_id: owner });
      const other = await generate({ key_alias: `other-gone-${dialect}` });
      expect((await post("/key/delete", { keys: [gone.key] })).status).toBe(200);
      clockMs += 1_000;
      expect((await post("/key/delete", { key_aliases: [`other-gone-${dialect}`] })).status).toBe(200);

      const deleted = async (query: string, key: string | null = MASTER_KEY) => (await (await get(`/key/list?status=deleted&${query}`, key)).json()) as Json;
      const all = await deleted("size=100");
      expect(all.keys.slice(0, 2)).toEqual([other.token, gone.token]);
      expect(all.keys).not.toContain(kept.token);
      const full = await deleted(`user_id=${owner}&return_full_object=true`);
      expect(full.total_count).toBe(1);
      expect(full.keys[0]).toMatchObject({ token: gone.token, key_alias: `gone-${dialect}`, max_budget: 3, user_id: owner, deleted_by: "default_user_id" });
      expect(Date.parse(full.keys[0].deleted_at)).toBe(clockMs - 1_000);
      // The owner lists their own deleted keys, and no one else's.
      expect((await deleted("size=100", ownerKey.key)).keys).toEqual([gone.token]);
      expect((await get(`/key/list?status=deleted&user_id=someone-else`, ownerKey.key)).status).toBe(403);
      // A deleted key stays deleted: the copy does not bring it back.
      expect((await callWith(gone.key)).status).toBe(401);
      // Regenerating keeps the old secret's row too, as LiteLLM.
      const rotated = (await (await post("/key/regenerate", { key: kept.key })).json()) as Json;
      expect((await deleted(`key_hash=${kept.token}`)).keys).toEqual([kept.token]);
      expect((await deleted(`key_hash=${rotated.token}`)).keys).toEqual([]);
    });

    test("PATCH /management/v1/keys/{key_id}: a merge patch; metadata merged, null clears; checked like /key/update", async () => {
      const made = await generate({ key_alias: `patched-${dialect}`, max_budget: 5, rpm_limit: 7, metadata: { team: "a", nested: { x: 1, y: 2 }, drop: true } });
      const patch = (keyId: string, json: unknown, key: string | null = MASTER_KEY) => gw.request(`/management/v1/keys/${keyId}`, { method: "PATCH", json, key });
      const res = await patch(made.token, { max_budget: 9, rpm_limit: null, metadata: { nested: { y: null, z: 3 }, drop: null, added: "yes" } });
      expect(res.status).toBe(200);
      const { data } = (await res.json()) as Json;
      expect(data).toMatchObject({ key_id: made.token, key_alias: `patched-${dialect}`, max_budget: 9, rpm_limit: null, metadata: { team: "a", nested: { x: 1, z: 3 }, added: "yes" } });
      expect(data.token).toBeUndefined();
      expect(JSON.stringify(data)).not.toContain(made.key);
      // The plaintext works as the id too; a field not sent is kept.
      const again = (await (await patch(made.key, { key_id: made.key, tpm_limit: 100 })).json()) as Json;
      expect(again.data).toMatchObject({ max_budget: 9, tpm_limit: 100 });

      const refused = async (res: Response, status: number, param: string | null) => {
        expect(res.status).toBe(status);
        expect((await errorOf(res)).param).toBe(param);
      };
      await refused(await patch(made.token, { key_id: "another" }), 400, "key_id");
      await refused(await patch(made.token, { key: made.key }), 400, "key");
      await refused(await patch(made.token, { colour: "blue" }), 400, "colour");
      await refused(await patch("0".repeat(64), { max_budget: 1 }), 404, "key");
      // Roles as /key/update: a user changes their own key, not someone else's.
      await post("/user/new", { user_id: `patcher-${dialect}`, user_role: "internal_user", auto_create_key: false });
      const own = await generate({ user_id: `patcher-${dialect}` });
      expect((await patch(own.token, { max_budget: 2 }, own.key)).status).toBe(200);
      expect((await patch(made.token, { max_budget: 2 }, own.key)).status).toBe(403);
    });

    test("limits beyond 32 bits (LiteLLM's BigInt columns) are stored and read back", async () => {
      const { key } = await generate({ tpm_limit: 10_000_000_000, rpm_limit: 5_000_000_000 });
      const info = (await (await gw.request(`/key/info?key=${key}`)).json()) as { info: { tpm_limit: number; rpm_limit: number } };
      expect([info.info.tpm_limit, info.info.rpm_limit]).toEqual([10_000_000_000, 5_000_000_000]);
    });

    test("reset_spend", async () => {
      const { key } = await generate({ spend: 3, max_budget: 5 });
      expect((await post(`/key/${key}/reset_spend`, { reset_to: 4 })).status).toBe(400);
      const res = await post(`/key/${hashKey(key)}/reset_spend`, { reset_to: 1 });
      expect(await res.json()).toEqual({ key_hash: hashKey(key), spend: 1, previous_spend: 3, max_budget: 5, budget_reset_at: null });
    });

    describe("bad input: a 400 with a clear message and nothing stored", () => {
      test.each([
        [{ max_budget: -1 }, "max_budget cannot be negative. Received: -1", "max_budget"],
        [{ soft_budget: -0.5 }, "soft_budget cannot be negative", "soft_budget"],
        [{ duration: "30" }, "Unsupported duration unit", "duration"],
        [{ duration: "30y" }, "Invalid duration format", "duration"],
        [{ budget_duration: "soon" }, "Invalid duration format", "budget_duration"],
        [{ key: "my-custom-key" }, "Invalid key format. LiteLLM Virtual Key must start with 'sk-'. Received: my-c****-key", "key"],
        [{ tpm_limit: "lots" }, "tpm_limit must be a whole number >= 0", "tpm_limit"],
        [{ rpm_limit: -1 }, "rpm_limit must be a whole number >= 0", "rpm_limit"],
        [{ tpm_limit: 1e300 }, "tpm_limit must be a whole number >= 0", "tpm_limit"],
        [{ max_parallel_requests: 3_000_000_000 }, "max_parallel_requests must be a whole number >= 0", "max_parallel_requests"],
        [{ models: "gpt-4" }, "models must be a list of model names", "models"],
        [{ metadata: [] }, "metadata must be a JSON object", "metadata"],
        [{ aliases: ["gpt-4"] }, "aliases must be an object of model name to model name", "aliases"],
        [{ model_rpm_limit: { "gpt-4": -5 } }, "model_rpm_limit must be an object mapping model names", "model_rpm_limit"],
        [{ key_type: "superuser" }, "key_type must be one of", "key_type"],
        [{ metadata: { blob: "x".repeat(70_000) } }, "metadata is too large", "metadata"],
      ])("%p", async (body, message, param) => {
        const before = await countKeys();
        const res = await post("/key/generate", body);
        expect(res.status).toBe(400);
        const error = await errorOf(res);
        expect(error.message).toContain(message);
        expect(error.param).toBe(param);
        expect(await countKeys()).toBe(before);
      });

      test("a duplicate alias, even from concurrent requests: exactly one wins", async () => {
        const alias = `dup-${dialect}`;
        const results = await Promise.all(Array.from({ length: 10 }, () => post("/key/generate", { key_alias: alias })));
        expect(results.filter((r) => r.status === 200)).toHaveLength(1);
        const refused = results.find((r) => r.status === 400)!;
        expect((await errorOf(refused)).message).toBe(`Key with alias '${alias}' already exists. Unique key aliases across all keys are required.`);
        const { key } = await generate();
        expect((await post("/key/update", { key, key_alias: alias })).status).toBe(400);
      });

      test("a custom sk- key is stored by hash and works; reusing its value is a 400", async () => {
        const custom = `sk-custom-${dialect}-0123456789abcdef`;
        const created = await generate({ key: custom });
        expect(created.key).toBe(custom);
        expect((await callWith(custom)).status).toBe(200);
        expect((await post("/key/generate", { key: custom })).status).toBe(400);
      });

      test("delete of nothing is a 404 No keys found", async () => {
        const res = await post("/key/delete", { keys: ["sk-nope"], key_aliases: ["nope"] });
        expect(res.status).toBe(404);
        expect((await errorOf(res)).message).toBe("No keys found");
      });
    });
  });
}
