// Bun's fetch sends at most 256 requests at once unless BUN_CONFIG_MAX_HTTP_REQUESTS was set when
// the process started; the gateway sets it for itself (src/raise-upstream-limit.ts). 300 calls to
// an upstream that answers after a second all finish in about a second, not two.
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { startBinary } from "./support/binary.ts";
import { tempPath } from "./support/harness.ts";

const CALLS = 300;
const UPSTREAM_MS = 1_000;

const upstream = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  idleTimeout: 0,
  async fetch() {
    await Bun.sleep(UPSTREAM_MS);
    return Response.json({ id: "c1", object: "chat.completion", created: 1, model: "slow", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
  },
});
afterAll(() => upstream.stop(true));

/** One HTTP/1.1 call on its own socket (the test's own fetch is capped at 256 too); resolves to the status. */
function rawCall(port: number, key: string): Promise<number> {
  const body = JSON.stringify({ model: "slow", messages: [{ role: "user", content: "hi" }] });
  const request = `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
  return new Promise((resolve, reject) => {
    let text = "";
    void Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open: (s) => void s.write(request),
        data: (_s, chunk) => void (text += chunk.toString()),
        close: () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)),
        error: (_s, err) => reject(err),
      },
    }).catch(reject);
  });
}

test(`${CALLS} calls at once to a 1 s upstream finish together: no cap of 256 upstream requests`, async () => {
  const config = tempPath("upstream-limit.yaml");
  writeFileSync(config, `model_list:
  - model_name: slow
    litellm_params: {model: openai/slow, api_base: http://127.0.0.1:${upstream.port}/v1, api_key: sk-upstream}
general_settings: {master_key: sk-limit-master}
`);
  // From source, as `bun src/main.ts`: started without the variable, like a user's shell.
  const gw = await startBinary(process.execPath, [path.join(import.meta.dir, "..", "src", "main.ts"), "serve", "--config", config, "--db", tempPath("upstream-limit.db")]);
  try {
    expect(gw.stderr()).toContain("max_upstream_requests=65535");
    const started = performance.now();
    const statuses = await Promise.all(Array.from({ length: CALLS }, () => rawCall(gw.port, "sk-limit-master")));
    const ms = performance.now() - started;
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    // With Bun's default the last 44 would wait for the first answers: about 2 s in all.
    expect(ms).toBeLessThan(UPSTREAM_MS * 1.6);
  } finally {
    await gw.stop();
  }
}, 30_000);
