// What turning limits on costs per call, in-process: the admit + settle path of the rate-limit
// hooks (key rpm + tpm + max_parallel_requests, memory buckets) and of the budget book (key budget,
// reserve + settle), timed per call with performance.now(), without the database write that follows
// a settlement (the ledger is measured by the spend benchmarks). Usage: bun bench/hooks-overhead.ts [calls]
import { parseConfig } from "../src/config/load.ts";
import { openStore } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import type { CallContext, CallOutcome } from "../src/proxy/hooks.ts";
import { createRateLimitHooks } from "../src/ratelimit/hooks.ts";
import { BudgetBook } from "../src/spend/budget-book.ts";
import { createSpend } from "../src/spend/hooks.ts";
import { percentile } from "./stats.ts";

const calls = Number(process.argv[2] ?? 200_000);
const store = openStore(":memory:");
await migrate(store);
const { config } = parseConfig("", {}, "bench");

const key = {
  token: "bench-key", keyName: "sk-...bench", keyAlias: null, userId: null, teamId: null,
  rpmLimit: 1e12, tpmLimit: 1e15, maxParallelRequests: 1_000, modelRpmLimit: null, modelTpmLimit: null,
  maxBudgetNano: 1e15, spendNano: 0,
};
const ctx = (i: number): CallContext => ({
  callId: `c${i}`, kind: "chat", route: "/v1/chat/completions",
  principal: { kind: "key", token: key.token, key, user: undefined, team: undefined, role: "unknown" } as unknown as CallContext["principal"],
  requestedModel: "gpt-4o", modelGroup: "gpt-4o", stream: false,
  body: { model: "gpt-4o", messages: [{ role: "user", content: "hello there, how are you?" }], max_tokens: 64 },
  endUserId: null,
  startedAtMs: 0,
});
const outcome: CallOutcome = {
  status: "success", httpStatus: 200, usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 } as CallOutcome["usage"],
  deployment: undefined, provider: "openai", upstreamModel: "gpt-4o", apiBase: undefined, startedAtMs: 0, endedAtMs: 1,
};

async function time(name: string, one: (i: number) => Promise<void>) {
  for (let i = 0; i < 20_000; i++) await one(-i - 1); // warm up the JIT
  const us: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await one(i);
    us.push((performance.now() - t0) * 1000);
  }
  us.sort((a, b) => a - b);
  console.log(`${name.padEnd(44)} p50 ${percentile(us, 50).toFixed(2)} µs   p90 ${percentile(us, 90).toFixed(2)} µs   p99 ${percentile(us, 99).toFixed(2)} µs   (${calls} calls)`);
}

const noop = async (_i: number) => {};
await time("baseline (an awaited no-op)", noop);

const limits = createRateLimitHooks({ config, store, now: Date.now });
await time("rate limits: admit + settle (rpm, tpm, parallel)", async (i) => {
  const c = ctx(i);
  await limits.admit(c);
  await limits.settle(c, outcome);
});

const book = new BudgetBook(async () => ({ spendNano: 0, maxBudgetNano: 1e15 }), Date.now);
const refs = [{ scope: "key" as const, id: key.token }];
const labels = new Map<string, string>();
const known = { ref: refs[0]!, row: key, label: "bench" };
await time("budget: admit (reserve) + settle", async () => {
  const d = await book.admit(refs, 1_000, labels, known);
  if (!d.ok) throw new Error("refused");
  book.settle(d.reservation, refs, 900);
});

// The whole admission the gateway runs for a call (cost estimate from the prompt, budget reservation,
// rate limits), then the rate-limit settle and the budget release; only the ledger write is left out.
const spend = createSpend({ store, config, now: Date.now });
await time("composed: budget + limits admit, settle/release", async (i) => {
  const c = ctx(i);
  await spend.hooks.admit(c);
  await limits.admit(c);
  await limits.settle(c, outcome);
  spend.hooks.abandon!(c);
});

await spend.close();
await store.close();
