// Bun's HTTP client thread runs under SCHED_BATCH once the gateway has sent a request upstream, so
// its wake-ups stop preempting the JavaScript thread; the JavaScript thread keeps its policy. Real
// threads of this test process, read back from /proc.
import { afterAll, describe, expect, test } from "bun:test";
import { batchHttpClientThread, threadPolicy, threadsNamed } from "../../src/proxy/http-thread-policy.ts";
import { fetchInTurn } from "../../src/proxy/fetch-in-turn.ts";

const SCHED_OTHER = 0;
const SCHED_BATCH = 3;
const linux = process.platform === "linux";

const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("ok") });
afterAll(() => server.stop(true));

async function policyOfHttpThread(waitFor: number, timeoutMs = 3_000): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const tids = threadsNamed("HTTP Client");
    const policy = tids.length > 0 ? threadPolicy(tids[0]!) : undefined;
    if (policy === waitFor || performance.now() > deadline) return policy;
    await Bun.sleep(10);
  }
}

describe.if(linux)("HTTP client thread policy", () => {
  test("after the gateway's first upstream request, fetch's thread is under SCHED_BATCH", async () => {
    expect(await (await fetchInTurn(`http://127.0.0.1:${server.port}/`, { method: "POST", body: "{}" })).text()).toBe("ok");
    expect(await policyOfHttpThread(SCHED_BATCH)).toBe(SCHED_BATCH);
  });

  test("the JavaScript thread keeps the normal policy", () => {
    expect(threadPolicy(process.pid)).toBe(SCHED_OTHER);
  });

  test("applying it again finds the thread and succeeds; TOLLGATE_HTTP_THREAD_POLICY=normal opts out", () => {
    expect(batchHttpClientThread({})).toBe("batch");
    expect(batchHttpClientThread({ TOLLGATE_HTTP_THREAD_POLICY: "normal" })).toBe("disabled");
  });
});
