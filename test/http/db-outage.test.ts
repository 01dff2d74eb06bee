// A database that cannot be reached is the server's state, not the caller's fault and not a bug:
// what needs it is answered 503 `no_db_connection` (never a 500), what is in memory keeps being
// served, and everything answers as before once the database is back. With
// allow_requests_on_db_unavailable, a key that cannot be checked is served as LiteLLM's fallback
// identity instead. Postgres, made to refuse connections the way the durability tests do it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { errorOf, freshPostgresUrl, type Gateway, PG_URL, startGateway } from "../support/harness.ts";

const MODELS = "model_list:\n  - model_name: m\n    litellm_params: { model: openai/m, api_base: 'http://127.0.0.1:9/v1' }\n";

/** A gateway on a database of its own, which `cut()` makes refuse connections until `restore()`. */
function gatewayOnOwnDatabase(configYaml: string) {
  let pg: Awaited<ReturnType<typeof freshPostgresUrl>>;
  let admin: postgres.Sql;
  const fixture = { gw: undefined as unknown as Gateway, cut, restore };
  const dbName = () => new URL(pg.url).pathname.slice(1);
  async function cut() {
    await admin.unsafe(`alter database ${dbName()} allow_connections false`);
    await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${dbName()} and pid <> pg_backend_pid()`;
  }
  async function restore() {
    await admin.unsafe(`alter database ${dbName()} allow_connections true`);
  }
  beforeAll(async () => {
    pg = await freshPostgresUrl();
    admin = postgres(PG_URL!, { max: 1, onnotice: () => {} });
    fixture.gw = await startGateway({ databaseUrl: pg.url, configYaml });
  });
  afterAll(async () => {
    await restore().catch(() => {});
    await fixture.gw?.close().catch(() => {});
    await admin.end();
    await pg.drop();
  }, 30_000);
  return fixture;
}

const chat = (gw: Gateway, key: string) =>
  gw.request("/v1/chat/completions", { method: "POST", key, json: { model: "m", messages: [{ role: "user", content: "hi" }], mock_response: "ok" } });

/** Polls until `path` answers `status` (the gateway reconnects on its own). */
async function untilStatus(gw: Gateway, path: string, key: string, status: number): Promise<number> {
  let seen = 0;
  for (let i = 0; i < 50 && seen !== status; i++) seen = (await Bun.sleep(100).then(() => gw.request(path, { key }))).status;
  return seen;
}

describe.skipIf(!PG_URL)("a Postgres outage seen through the API", () => {
  const f = gatewayOnOwnDatabase(MODELS);

  test("a key not in memory and an admin route get a 503; a key in memory is still served; all is well after", async () => {
    const known = ((await (await f.gw.request("/key/generate", { method: "POST", json: {} })).json()) as { key: string }).key;
    expect((await chat(f.gw, known)).status).toBe(200);
    const unknown = "sk-not-a-key-of-this-gateway-0123";

    await f.cut();
    const ready = await f.gw.request("/health/readiness", { key: null });
    expect([ready.status, ((await ready.json()) as { db: string }).db]).toEqual([503, "Not connected"]);
    for (const res of [await chat(f.gw, unknown), await f.gw.request("/key/list")]) {
      expect(res.status).toBe(503);
      const err = await errorOf(res);
      expect(err.type).toBe("no_db_connection");
      expect(err.message).toContain("database is unavailable");
    }
    // Authenticated, limited and budgeted from memory; the spend waits in the journal.
    expect((await chat(f.gw, known)).status).toBe(200);

    await f.restore();
    expect(await untilStatus(f.gw, "/v1/models", unknown, 401)).toBe(401);
    expect((await f.gw.request("/key/list")).status).toBe(200);
  }, 30_000);
});

describe.skipIf(!PG_URL)("general_settings.allow_requests_on_db_unavailable", () => {
  const f = gatewayOnOwnDatabase(`general_settings:\n  allow_requests_on_db_unavailable: true\n${MODELS}`);

  test("a key not in memory is served as the fallback identity, on the LLM routes only, and its spend lands once the database is back", async () => {
    const unchecked = "sk-could-not-be-checked-0123456789";
    await f.cut();
    const res = await chat(f.gw, unchecked);
    expect(res.status).toBe(200);
    const callId = res.headers.get("x-litellm-call-id")!;
    // Still ready, as LiteLLM: it serves through the outage.
    const ready = await f.gw.request("/health/readiness", { key: null });
    expect([ready.status, ((await ready.json()) as { db: string }).db]).toEqual([200, "Not connected"]);
    // Never an admin, and no route but the LLM ones.
    for (const path of ["/key/generate", "/user/new", "/team/new"]) {
      const refused = await f.gw.request(path, { method: "POST", key: unchecked, json: {} });
      expect([401, 403]).toContain(refused.status);
    }

    await f.restore();
    // Once the database answers, the key is checked again: it is no key of this gateway.
    expect(await untilStatus(f.gw, "/v1/models", unchecked, 401)).toBe(401);
    // The call served during the outage is in the spend log, under the fallback's token.
    const logged = async () => (await f.gw.store.db.select().from(f.gw.store.t.spendLogs)).filter((r) => r.requestId === callId);
    let rows = await logged();
    for (let i = 0; i < 100 && rows.length === 0; i++) rows = await Bun.sleep(100).then(logged);
    expect(rows.map((r) => r.apiKey)).toEqual(["litellm-db-unavailable-fallback"]);
  }, 30_000);
});
