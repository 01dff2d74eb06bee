// Streaming over real sockets: chunks reach the client at the upstream's pace (nothing buffered),
// a client disconnect aborts the upstream call, and per-deployment timeouts end stuck calls.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { type Gateway, MASTER_KEY, startGateway, spendLogCount, spendLogGrownFrom } from "../support/harness.ts";
import { MOCK_TEXT_PIECES, MockUpstream } from "../support/mock-upstream.ts";

let mock: MockUpstream;
let gw: Gateway;

beforeAll(async () => {
  mock = new MockUpstream();
  gw = await startGateway({
    listen: true,
    configYaml: `model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_base: "${mock.url}/v1", api_key: sk-up }
  - model_name: impatient
    litellm_params: { model: openai/gpt-4o, api_base: "${mock.url}/v1", api_key: sk-up, timeout: 0.3, stream_timeout: 0.3 }
`,
  });
});

afterAll(async () => {
  await gw.close();
  await mock.close();
});

/** Reads one SSE `data:` payload at a time from a fetch body. */
function eventReader(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let pending = "";
  return {
    async next(): Promise<string | undefined> {
      for (;;) {
        const end = pending.indexOf("\n\n");
        if (end >= 0) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          return block.replace(/^data: /, "");
        }
        const { done, value } = await reader.read();
        if (done) return undefined;
        pending += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

const within = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, Bun.sleep(ms).then(() => { throw new Error(`${what}: nothing within ${ms} ms`); })]);

const streamRequest = (model = "gpt-4o", signal?: AbortSignal) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    signal,
    headers: { authorization: `Bearer ${MASTER_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "hi" }] }),
  });

test("each upstream chunk reaches the client before the next one is even produced", async () => {
  mock.cue({ kind: "gated" });
  const pending = streamRequest();
  // Bun sends a streamed response's headers with its first chunk, so the first piece goes first.
  mock.release();
  const res = await within(pending, 2000, "response");
  expect(res.status).toBe(200);
  const events = eventReader(res);
  for (const [i, piece] of MOCK_TEXT_PIECES.entries()) {
    // The mock writes the next piece only when released: if the gateway buffered, this would hang.
    if (i > 0) mock.release();
    const data = JSON.parse((await within(events.next(), 2000, `piece ${JSON.stringify(piece)}`))!);
    expect(data.choices[0].delta.content).toBe(piece);
  }
  mock.release(); // finish chunk
  expect(JSON.parse((await within(events.next(), 2000, "finish"))!).choices[0].finish_reason).toBe("stop");
  mock.release(); // usage chunk: asked for upstream, hidden from this client
  mock.release(); // [DONE]
  expect(await within(events.next(), 2000, "[DONE]")).toBe("[DONE]");
});

test("arrival times follow the upstream's pace; figures for the report", async () => {
  const gapMs = 120;
  mock.cue({ kind: "slow", chunkDelayMs: gapMs });
  const started = performance.now();
  const res = await streamRequest();
  const events = eventReader(res);
  const arrivals: number[] = [];
  while ((await events.next()) !== undefined) arrivals.push(performance.now() - started);
  const gaps = arrivals.slice(1, 5).map((t, i) => t - arrivals[i]!);
  for (const gap of gaps) expect(gap).toBeGreaterThan(gapMs * 0.7);

  // Added time to first byte: the same stream straight from the mock and through the gateway.
  const ttfb = async (url: string, headers: Record<string, string>) => {
    const t0 = performance.now();
    const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ model: "gpt-4o", stream: true, messages: [{ role: "user", content: "hi" }] }) });
    const reader = r.body!.getReader();
    await reader.read();
    const ms = performance.now() - t0;
    await reader.cancel();
    return ms;
  };
  const direct: number[] = [];
  const viaGateway: number[] = [];
  for (let i = 0; i < 30; i++) {
    direct.push(await ttfb(`${mock.url}/v1/chat/completions`, {}));
    viaGateway.push(await ttfb(`${gw.url}/v1/chat/completions`, { authorization: `Bearer ${MASTER_KEY}` }));
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const added = median(viaGateway) - median(direct);
  console.log(`arrival gaps (upstream every ${gapMs} ms): ${gaps.map((g) => g.toFixed(1)).join(", ")} ms; TTFB direct ${median(direct).toFixed(2)} ms, via gateway ${median(viaGateway).toFixed(2)} ms, added ${added.toFixed(2)} ms (median of 30)`);
  expect(added).toBeLessThan(25);
});

test("a client disconnect mid-stream aborts the upstream call, and the call is still settled", async () => {
  mock.cue({ kind: "gated" });
  const client = new AbortController();
  const pending = streamRequest("gpt-4o", client.signal);
  mock.release();
  const res = await pending;
  const callId = res.headers.get("x-litellm-call-id")!;
  const events = eventReader(res);
  await within(events.next(), 2000, "first piece");
  const aborted = mock.nextAbort();
  client.abort();
  await within(aborted, 5000, "upstream abort");
  expect(mock.abortCount).toBeGreaterThan(0);
  // Settled once (a spend log row): no usage arrived, so it is logged as a failure at zero cost.
  const logged = async () => {
    await gw.committed();
    return gw.store.db.select().from(gw.store.t.spendLogs).where(eq(gw.store.t.spendLogs.requestId, callId));
  };
  let rows = await logged();
  for (let i = 0; i < 100 && rows.length === 0; i++) rows = await Bun.sleep(20).then(logged);
  expect(rows.map((r) => [r.status, r.spendNano])).toEqual([["failure", 0]]);
});

test("a client gone before the stream's first piece went out: the call is still settled and the upstream aborted", async () => {
  const before = await spendLogCount(gw);
  mock.cue({ kind: "gated" });
  const client = new AbortController();
  const sent = mock.received.length;
  const pending = streamRequest("gpt-4o", client.signal).catch((e) => e);
  while (mock.received.length === sent) await Bun.sleep(5);
  client.abort();
  expect(await pending).toBeInstanceOf(Error);
  await Bun.sleep(50);
  // The first piece arrives after the client left: the gateway answers nobody.
  const aborted = mock.nextAbort();
  mock.release();
  await within(aborted, 5000, "upstream abort");
  expect(await spendLogGrownFrom(gw, before)).toBe(before + 1);
});

test("a client disconnect while waiting for a non-streaming answer aborts the upstream call", async () => {
  mock.cue({ kind: "hang" });
  const client = new AbortController();
  const aborted = mock.nextAbort();
  const before = mock.received.length;
  const pending = fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    signal: client.signal,
    headers: { authorization: `Bearer ${MASTER_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }),
  }).catch((e) => e);
  // The request must have reached the upstream before the client leaves.
  while (mock.received.length === before) await Bun.sleep(5);
  client.abort();
  await within(aborted, 5000, "upstream abort");
  expect(await pending).toBeInstanceOf(Error);
});

test("timeout: a hung upstream becomes a 408 naming the model group", async () => {
  mock.cue({ kind: "hang" });
  const res = await gw.request("/v1/chat/completions", { method: "POST", json: { model: "impatient", messages: [{ role: "user", content: "hi" }] } });
  expect(res.status).toBe(408);
  const body = (await res.json()) as any;
  expect(body.error.message).toContain("timed out after 0.3s");
  expect(body.error.message).toContain("Received Model Group=impatient");
});

test("stream_timeout: a stream that goes silent ends with one error event and the upstream is aborted", async () => {
  mock.cue({ kind: "gated" });
  const aborted = mock.nextAbort();
  const pending = streamRequest("impatient");
  mock.release(); // one piece, then silence
  const res = await pending;
  expect(res.status).toBe(200);
  const text = await within(res.text(), 5000, "stream end");
  expect(text).not.toContain("[DONE]");
  const events = text.trim().split("\n\n").map((e) => JSON.parse(e.replace(/^data: /, "")));
  expect(events[0].choices[0].delta.content).toBe(MOCK_TEXT_PIECES[0]);
  expect(events).toHaveLength(2);
  expect(events[1].error.message).toContain("timed out after 0.3s");
  await within(aborted, 5000, "upstream abort");
});

test("stream_timeout before the first byte: a 408 in OpenAI shape", async () => {
  mock.cue({ kind: "gated" });
  const res = await streamRequest("impatient");
  expect(res.status).toBe(408);
});
