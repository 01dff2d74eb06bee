// Budgets hold across instances: three gateways on one Postgres database, 1,000 concurrent calls
// spread over them, and the budget's total spend overshoots by at most one call. Each instance
// leases its share of the budget (src/spend/budget-leases.ts), so none admits against budget
// another one has taken. Without leasing each instance would admit a full budget of its own.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { hashKey } from "../../src/auth/key-format.ts";
import { freshPostgresUrl, type Gateway, PG_URL, startGateway } from "../support/harness.ts";

// mock_response usage: 10 prompt + 20 completion tokens of gpt-4o ($2.50 / $10 per Mtok).
const CALL_NANO = 225_000;
const CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-upstream-unused }
`;

async function post(g: Gateway, path: string, json: unknown) {
  const res = await g.request(path, { method: "POST", json });
  const body = (await res.json()) as Record<string, any>;
  if (res.status !== 200) throw new Error(`${path} → ${res.status} ${JSON.stringify(body)}`);
  return body;
}

const chat = (g: Gateway, key: string, extra: Record<string, unknown> = {}) =>
  g.request("/v1/chat/completions", {
    method: "POST",
    key,
    json: { model: "gpt-4o", messages: [{ role: "user", content: "hi" }], mock_response: "hello there", ...extra },
  });

describe.skipIf(!PG_URL)("budgets across three instances on one Postgres", () => {
  let db: Awaited<ReturnType<typeof freshPostgresUrl>>;
  const gws: Gateway[] = [];

  beforeAll(async () => {
    db = await freshPostgresUrl();
    for (let i = 0; i < 3; i++) gws.push(await startGateway({ databaseUrl: db.url, configYaml: CONFIG }));
  });
  afterAll(async () => {
    for (const g of gws) await g.close();
    await db.drop();
  });

  /** 1,000 calls at once, round-robin over the instances; returns the statuses per instance. */
  async function burst(key: string, extra: Record<string, unknown>) {
    const statuses = await Promise.all(Array.from({ length: 1_000 }, (_, i) => chat(gws[i % 3]!, key, extra).then((r) => r.status)));
    return { statuses, ok: statuses.filter((s) => s === 200).length, perInstance: [0, 1, 2].map((k) => statuses.filter((s, i) => s === 200 && i % 3 === k).length) };
  }

  const spendOf = async (table: "keys" | "teams", id: string) => {
    await Promise.all(gws.map((g) => g.committed()));
    const t = gws[0]!.store.t;
    const rows = table === "keys"
      ? await gws[0]!.store.db.select({ s: t.keys.spendNano }).from(t.keys).where(eq(t.keys.token, id))
      : await gws[0]!.store.db.select({ s: t.teams.spendNano }).from(t.teams).where(eq(t.teams.teamId, id));
    return rows[0]!.s;
  };

  for (const { name, extra } of [
    { name: "tight estimate (max_tokens 20)", extra: { max_tokens: 20 } },
    { name: "default estimate (1,024 output tokens: one call's estimate exceeds the budget)", extra: {} },
  ]) {
    test(`key budget of 10 calls, ${name}: overshoot ≤ one call`, async () => {
      const budgetNano = 10 * CALL_NANO;
      const { key, token } = await post(gws[0]!, "/key/generate", { max_budget: budgetNano / 1e9 });
      const started = performance.now();
      const { statuses, ok, perInstance } = await burst(key, extra);
      const ms = performance.now() - started;
      const spendNano = await spendOf("keys", token);
      const overshootNano = spendNano - budgetNano;
      console.log(
        `three instances, 1,000 concurrent calls, key budget ${budgetNano} nano, ${name}: ${ok} admitted (${perInstance.join(" + ")}), ` +
          `spend ${spendNano} nano, overshoot ${overshootNano} nano (one call = ${CALL_NANO}), ${ms.toFixed(0)} ms`,
      );
      expect(statuses.filter((s) => s !== 200 && s !== 400)).toEqual([]);
      expect(spendNano).toBe(ok * CALL_NANO);
      expect(overshootNano).toBeLessThanOrEqual(CALL_NANO);
      if (extra.max_tokens) expect(spendNano).toBeGreaterThanOrEqual(budgetNano - CALL_NANO);
      else expect(ok).toBeGreaterThanOrEqual(1);
    });
  }

  test("a team budget of 20 calls over keys of its members on three instances: overshoot ≤ one call", async () => {
    const budgetNano = 20 * CALL_NANO;
    await post(gws[0]!, "/team/new", { team_id: "shared-team", max_budget: budgetNano / 1e9 });
    const keys: string[] = [];
    for (const u of ["ann", "ben", "cat"]) {
      await post(gws[0]!, "/user/new", { user_id: u });
      await post(gws[0]!, "/team/member_add", { team_id: "shared-team", member: { user_id: u, role: "user" } });
      keys.push((await post(gws[0]!, "/key/generate", { user_id: u, team_id: "shared-team" })).key);
    }
    const statuses = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) => chat(gws[i % 3]!, keys[Math.floor(i / 3) % 3]!, { max_tokens: 20 }).then((r) => r.status)),
    );
    const ok = statuses.filter((s) => s === 200).length;
    const spendNano = await spendOf("teams", "shared-team");
    console.log(`three instances, team budget ${budgetNano} nano: ${ok} admitted, spend ${spendNano} nano, overshoot ${spendNano - budgetNano} nano`);
    expect(statuses.filter((s) => s !== 200 && s !== 400)).toEqual([]);
    expect(spendNano).toBe(ok * CALL_NANO);
    expect(spendNano - budgetNano).toBeLessThanOrEqual(CALL_NANO);
    expect(spendNano).toBeGreaterThanOrEqual(budgetNano - CALL_NANO);
  });

  test("raising a budget applies to the next call on any instance, and the raise is spent exactly", async () => {
    const { key } = await post(gws[0]!, "/key/generate", { max_budget: CALL_NANO / 1e9 });
    expect((await chat(gws[0]!, key, { max_tokens: 20 })).status).toBe(200);
    for (const g of gws) expect((await chat(g, key, { max_tokens: 20 })).status).toBe(400);
    await post(gws[0]!, "/key/update", { key, max_budget: (3 * CALL_NANO) / 1e9 });
    // The update reaches the other instances' key caches by NOTIFY: wait for that signal.
    const token = hashKey(key);
    for (const g of gws) {
      for (let i = 0; i < 200 && (await g.deps.keys.get(token))?.maxBudgetNano !== 3 * CALL_NANO; i++) await Bun.sleep(5);
    }
    expect((await chat(gws[2]!, key, { max_tokens: 20 })).status).toBe(200);
    // One more call's worth is left somewhere; slack another instance holds is not lost, only not
    // lent out: the raise is never overspent.
    const more = [];
    for (const g of [...gws, ...gws]) more.push((await chat(g, key, { max_tokens: 20 })).status);
    expect(more.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
    expect(more.filter((s) => s !== 200 && s !== 400)).toEqual([]);
  });
});
