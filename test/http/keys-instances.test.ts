// Two gateway instances on one Postgres: a change through A applies on B (LISTEN/NOTIFY).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { errorOf, freshPostgresUrl, type Gateway, MASTER_KEY, PG_URL, startGateway } from "../support/harness.ts";

describe.skipIf(!PG_URL)("two instances sharing one Postgres", () => {
  let a: Gateway;
  let b: Gateway;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const db = await freshPostgresUrl();
    drop = db.drop;
    a = await startGateway({ databaseUrl: db.url, listen: true });
    b = await startGateway({ databaseUrl: db.url, listen: true });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await drop();
  });

  const post = (gw: Gateway, path: string, json: unknown) => gw.request(path, { method: "POST", json, key: MASTER_KEY });
  const callWith = (gw: Gateway, key: string) => gw.request("/key/info", { key });

  /** Polls B until it answers `status` for the key; returns how long that took. */
  async function untilStatus(gw: Gateway, key: string, status: number, limitMs = 1000): Promise<number> {
    const started = performance.now();
    while (performance.now() - started < limitMs) {
      if ((await callWith(gw, key)).status === status) return performance.now() - started;
      await Bun.sleep(10);
    }
    throw new Error(`key did not answer ${status} within ${limitMs} ms`);
  }

  test("a block on A refuses the key on B within 1 s, and an unblock on A restores it", async () => {
    const { key } = (await (await post(a, "/key/generate", {})).json()) as { key: string };
    expect((await callWith(b, key)).status).toBe(200); // cached on B
    expect((await post(a, "/key/block", { key })).status).toBe(200);
    expect(await untilStatus(b, key, 401)).toBeLessThan(1000);
    expect((await errorOf(await callWith(b, key))).message).toContain("Key is blocked");
    expect((await post(a, "/key/unblock", { key })).status).toBe(200);
    expect(await untilStatus(b, key, 200)).toBeLessThan(1000);
  });

  test("delete and regenerate on A apply on B within 1 s", async () => {
    const { key } = (await (await post(a, "/key/generate", {})).json()) as { key: string };
    expect((await callWith(b, key)).status).toBe(200);
    const { key: fresh } = (await (await post(a, "/key/regenerate", { key })).json()) as { key: string };
    await untilStatus(b, key, 401);
    expect((await callWith(b, fresh)).status).toBe(200);
    expect((await post(a, "/key/delete", { keys: [fresh] })).status).toBe(200);
    await untilStatus(b, fresh, 401);
  });

  test("an update on A (a new allowed_routes list) applies on B", async () => {
    const { key } = (await (await post(a, "/key/generate", {})).json()) as { key: string };
    expect((await callWith(b, key)).status).toBe(200);
    expect((await post(a, "/key/update", { key, allowed_routes: ["llm_api_routes"] })).status).toBe(200);
    await untilStatus(b, key, 403);
  });
});
