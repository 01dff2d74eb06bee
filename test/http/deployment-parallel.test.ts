// A deployment's max_parallel_requests over HTTP (LiteLLM's router semaphore): calls beyond the cap
// wait for a slot instead of failing, a stream holds its slot until it ends, and a client that
// gives up while waiting leaves the queue. The mock upstream holds each streamed piece until told.
import { afterAll, beforeAll, beforeEach, expect, test } from "bun:test";
import { type Gateway, MASTER_KEY, startGateway } from "../support/harness.ts";
import { MockUpstream } from "../support/mock-upstream.ts";
import { routerFor } from "../../src/router/router.ts";

let mock: MockUpstream;
let gw: Gateway;

beforeAll(async () => {
  mock = new MockUpstream();
  gw = await startGateway({
    listen: true,
    configYaml: `model_list:
  - model_name: capped
    litellm_params: { model: openai/gpt-4o, api_base: "${mock.url}/v1", api_key: sk-up, max_parallel_requests: 2 }
    model_info: { id: capped-1 }
  - model_name: single
    litellm_params: { model: openai/gpt-4o, api_base: "${mock.url}/v1", api_key: sk-up }
    model_info: { id: single-1 }
router_settings:
  default_max_parallel_requests: 1
general_settings:
  master_key: ${MASTER_KEY}
`,
  });
});
afterAll(async () => {
  await gw.close();
  await mock.close();
});
beforeEach(() => mock.reset());

const stream = (model: string, signal?: AbortSignal) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    signal,
    headers: { authorization: `Bearer ${MASTER_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "hi" }] }),
  });

async function until(what: string, ok: () => boolean, ms = 3000): Promise<void> {
  const end = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

const slots = (id: string) => routerFor(gw.deps.config).slots.stateOf(id);

test("with max_parallel_requests: 2, a third stream waits for one of the first two to end, then runs", async () => {
  for (let i = 0; i < 3; i++) mock.cue({ kind: "gated" });
  const calls = [stream("capped"), stream("capped"), stream("capped")];
  await until("two upstream requests", () => mock.received.length === 2);
  await until("one waiter", () => slots("capped-1").waiting === 1);
  await Bun.sleep(50);
  expect(mock.received.length).toBe(2); // the third is held back, not sent, not refused
  // Let pieces go until the first stream ends and the third reaches the upstream.
  await until("the third upstream request", () => {
    mock.release();
    return mock.received.length === 3;
  });
  const finished = Promise.all(calls.map(async (c) => {
    const res = await c;
    return [res.status, (await res.text()).endsWith("data: [DONE]\n\n")];
  }));
  await until("every stream to end", () => {
    mock.release();
    return slots("capped-1").inUse === 0;
  });
  expect(await finished).toEqual([[200, true], [200, true], [200, true]]);
  expect(slots("capped-1")).toEqual({ inUse: 0, waiting: 0 });
});

test("router_settings.default_max_parallel_requests: 1 caps a deployment with no cap of its own; a client that gives up while waiting leaves the queue", async () => {
  mock.cue({ kind: "gated" });
  const first = stream("single");
  await until("the first upstream request", () => mock.received.length === 1);
  const quitter = new AbortController();
  const leaving = stream("single", quitter.signal).catch((e: Error) => e.name);
  await until("a waiter", () => slots("single-1").waiting === 1);
  quitter.abort();
  expect(await leaving).toBe("AbortError");
  await until("the waiter to leave", () => slots("single-1").waiting === 0);
  await until("the first stream to end", () => {
    mock.release();
    return slots("single-1").inUse === 0;
  });
  expect((await first).status).toBe(200);
  // Nobody took the quitter's place in the upstream, and the next call runs at once.
  expect(mock.received.length).toBe(1);
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${MASTER_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "single", messages: [{ role: "user", content: "hi" }] }),
  });
  expect(res.status).toBe(200);
  expect(slots("single-1")).toEqual({ inUse: 0, waiting: 0 });
});
