// The multi-instance goals with real OS processes: three compiled gateways on one Postgres
// database, driven together. A key's rpm limit admits at most limit × 1.01 across them (LiteLLM
// without Redis admits limit × replicas), and 1,000 concurrent calls against a budget overshoot
// it by at most one call's cost.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { buildBinary, type RunningBinary, startBinary } from "./support/binary.ts";
import { freshPostgresUrl, PG_URL, tempPath } from "./support/harness.ts";

const MASTER = "sk-multi-process-master";
// mock_response usage: 10 prompt + 20 completion tokens of gpt-4o ($2.50 / $10 per Mtok).
const CALL_USD = 0.000225;
const auth = (key: string) => ({ authorization: `Bearer ${key}`, "content-type": "application/json" });

describe.skipIf(!PG_URL)("three gateway processes on one Postgres", () => {
  let db: Awaited<ReturnType<typeof freshPostgresUrl>>;
  const gws: RunningBinary[] = [];

  beforeAll(async () => {
    const bin = await buildBinary();
    db = await freshPostgresUrl();
    const config = tempPath("multi.yaml");
    writeFileSync(config, `model_list:\n  - model_name: gpt-4o\n    litellm_params: {model: openai/gpt-4o, api_key: sk-unused}\ngeneral_settings: {master_key: ${MASTER}}\n`);
    for (let i = 0; i < 3; i++) {
      gws.push(await startBinary(bin, ["--config", config, "--db", db.url]));
    }
  }, 120_000);
  afterAll(async () => {
    for (const g of gws) await g.stop();
    await db?.drop();
  });

  const generate = async (body: unknown): Promise<string> => {
    const res = await fetch(`${gws[0]!.url}/key/generate`, { method: "POST", headers: auth(MASTER), body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { key: string }).key;
  };
  const chat = (i: number, key: string, extra: Record<string, unknown> = {}) =>
    fetch(`${gws[i % 3]!.url}/v1/chat/completions`, {
      method: "POST",
      headers: auth(key),
      body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }], mock_response: "hello", ...extra }),
    }).then(async (r) => {
      await r.arrayBuffer();
      return r.status;
    });

  test("an rpm limit holds across the three processes", async () => {
    const limit = 60;
    const key = await generate({ rpm_limit: limit });
    const statuses = await Promise.all(Array.from({ length: limit * 3 }, (_, i) => chat(i, key)));
    const admitted = statuses.filter((s) => s === 200).length;
    const perProcess = [0, 1, 2].map((p) => statuses.filter((s, i) => s === 200 && i % 3 === p).length);
    console.log(`rpm ${limit}, ${limit * 3} calls over 3 processes: ${admitted} admitted (${perProcess.join(" + ")}), ${statuses.filter((s) => s === 429).length} refused with 429`);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(admitted).toBeLessThanOrEqual(Math.floor(limit * 1.01));
    // Within a minute, refill adds at most a token or two while the burst runs.
    expect(admitted).toBeGreaterThanOrEqual(limit - 1);
  }, 60_000);

  test("1,000 concurrent calls against a budget overshoot it by at most one call", async () => {
    const budgetUsd = 10 * CALL_USD;
    const key = await generate({ max_budget: budgetUsd });
    const statuses = await Promise.all(Array.from({ length: 1_000 }, (_, i) => chat(i, key, { max_tokens: 20 })));
    const admitted = statuses.filter((s) => s === 200).length;
    const info = await fetch(`${gws[1]!.url}/key/info?key=${encodeURIComponent(key)}`, { headers: auth(MASTER) });
    const spendUsd = ((await info.json()) as { info: { spend: number } }).info.spend;
    const overshootUsd = spendUsd - budgetUsd;
    console.log(`budget ${budgetUsd} USD, 1,000 calls over 3 processes: ${admitted} admitted, spend ${spendUsd} USD, overshoot ${overshootUsd.toFixed(9)} USD (one call = ${CALL_USD})`);
    expect(statuses.every((s) => s === 200 || s === 400)).toBe(true);
    expect(spendUsd).toBeCloseTo(admitted * CALL_USD, 9);
    expect(overshootUsd).toBeLessThanOrEqual(CALL_USD + 1e-12);
  }, 60_000);
});
