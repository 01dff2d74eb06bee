// Runtime models on two instances sharing one Postgres: a model added on A is callable on B within
// 1 s, and a deletion on A takes it off B as fast (LISTEN/NOTIFY payload "models:").
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { freshPostgresUrl, type Gateway, MASTER_KEY, PG_URL, startGateway } from "../support/harness.ts";
import { MockUpstream } from "../support/mock-upstream.ts";

describe.skipIf(!PG_URL)("runtime models on two instances sharing one Postgres", () => {
  let a: Gateway;
  let b: Gateway;
  let mock: MockUpstream;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    mock = new MockUpstream();
    const db = await freshPostgresUrl();
    drop = db.drop;
    const configYaml = `general_settings:\n  master_key: ${MASTER_KEY}\n  api_base_allowed_hosts: ["127.0.0.1"]\n`;
    a = await startGateway({ databaseUrl: db.url, configYaml });
    b = await startGateway({ databaseUrl: db.url, configYaml });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await drop();
    await mock.close();
  });

  const chat = (gw: Gateway, model: string) =>
    gw.request("/v1/chat/completions", { method: "POST", json: { model, messages: [{ role: "user", content: "hi" }] } });

  /** Polls until the instance answers `status` for the model; returns how long that took. */
  async function untilStatus(gw: Gateway, model: string, status: number, limitMs = 1000): Promise<number> {
    const started = performance.now();
    while (performance.now() - started < limitMs) {
      if ((await chat(gw, model)).status === status) return performance.now() - started;
      await Bun.sleep(10);
    }
    throw new Error(`${model} did not answer ${status} within ${limitMs} ms`);
  }

  test("added on A: callable on A at once and on B within 1 s; deleted on A: 400 on A at once and on B within 1 s", async () => {
    expect((await chat(b, "shared-model")).status).toBe(400);
    const res = await a.request("/model/new", {
      method: "POST",
      json: { model_name: "shared-model", litellm_params: { model: "openai/gpt-4o", api_base: `${mock.url}/v1`, api_key: "sk-upstream-pg-secret" }, model_info: { id: "shared-1" } },
    });
    expect(res.status).toBe(200);
    expect((await chat(a, "shared-model")).status).toBe(200);
    const addedMs = await untilStatus(b, "shared-model", 200);
    expect(addedMs).toBeLessThan(1000);
    // B decrypted the key with the same master key.
    expect(mock.last().headers.authorization).toBe("Bearer sk-upstream-pg-secret");

    expect((await a.request("/model/delete", { method: "POST", json: { id: "shared-1" } })).status).toBe(200);
    expect((await chat(a, "shared-model")).status).toBe(400);
    const deletedMs = await untilStatus(b, "shared-model", 400);
    expect(deletedMs).toBeLessThan(1000);
    console.log(`runtime model propagation to B: added ${addedMs.toFixed(0)} ms, deleted ${deletedMs.toFixed(0)} ms`);
  });

  test("the key is sealed in Postgres too", async () => {
    await a.request("/model/new", {
      method: "POST",
      json: { model_name: "pg-sealed", litellm_params: { model: "openai/x", api_base: `${mock.url}/v1`, api_key: "sk-upstream-pg-secret-2" } },
    });
    const pg = (a.store.raw as { pg: import("postgres").Sql }).pg;
    const rows = await pg`select litellm_params::text as p from models where model_name = 'pg-sealed'`;
    expect(rows[0]!.p).not.toContain("sk-upstream-pg-secret-2");
    expect(rows[0]!.p).toContain("tgenc:v1:");
  });
});
