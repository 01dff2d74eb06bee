// SIGTERM on the compiled binary: no new connections, the in-flight stream finishes, exit 0.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { MOCK_TEXT_PIECES, MockUpstream } from "./support/mock-upstream.ts";
import { buildBinary, startBinary } from "./support/binary.ts";
import { tempPath } from "./support/harness.ts";

let bin: string;
const mock = new MockUpstream();
beforeAll(async () => {
  bin = await buildBinary();
}, 120_000);
afterAll(() => mock.close());

test("an in-flight stream completes after SIGTERM and the process exits 0", async () => {
  const config = tempPath("shutdown.yaml");
  writeFileSync(config, `model_list:
  - model_name: slow
    litellm_params: {model: openai/slow, api_base: ${mock.url}/v1, api_key: sk-upstream}
general_settings: {master_key: sk-shutdown-master}
`);
  const gw = await startBinary(bin, ["--config", config, "--db", tempPath("shutdown.db")]);
  mock.cue({ kind: "gated" });
  mock.release(); // the gateway sends headers once the first piece arrives
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: "Bearer sk-shutdown-master", "content-type": "application/json" },
    body: JSON.stringify({ model: "slow", stream: true, messages: [{ role: "user", content: "hi" }] }),
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes(MOCK_TEXT_PIECES[0]!)) {
    const r = await reader.read();
    if (r.done) throw new Error(`stream ended early: ${text}`);
    text += decoder.decode(r.value, { stream: true });
  }

  gw.proc.kill("SIGTERM");
  await gw.waitForLog("shutting down");
  // The listener is closed for newcomers while the stream is still open.
  const newcomer = await fetch(`${gw.url}/health/liveliness`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status, (e: Error) => e.name);
  expect(newcomer).toBe("TypeError"); // connection refused

  for (let i = 0; i < 20; i++) mock.release(); // more than the pieces left: extras are harmless
  for (let r = await reader.read(); !r.done; r = await reader.read()) text += decoder.decode(r.value, { stream: true });
  expect(text).toContain(MOCK_TEXT_PIECES.at(-1)!);
  expect(text).toContain("data: [DONE]");
  expect(await gw.proc.exited).toBe(0);
  expect(gw.stderr()).toContain("stopped");
}, 30_000);
