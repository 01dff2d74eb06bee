// An error thrown outside any request must not end a serving gateway: it is logged, and the
// gateway keeps answering. Without the handlers Bun exits on the first of these.
import { expect, test } from "bun:test";
import path from "node:path";
import { startBinary } from "./support/binary.ts";
import { tempPath } from "./support/harness.ts";

const ROOT = path.join(import.meta.dir, "..");

test("a throwing timer and an unawaited rejection are logged; the gateway keeps serving", async () => {
  const preload = path.join(import.meta.dir, "support", "stray-errors-preload.ts");
  const gw = await startBinary(process.execPath, ["--preload", preload, path.join(ROOT, "src", "main.ts"), "serve", "--db", tempPath("stray.db")], {
    LITELLM_MASTER_KEY: "sk-stray-master",
  });
  try {
    await gw.waitForLog("uncaught exception outside a request: serving goes on error=\"Error: boom from a library timer\"");
    await gw.waitForLog("unhandled rejection outside a request: serving goes on error=\"Error: a rejection nobody awaits\"");
    await Bun.sleep(100);
    expect(gw.proc.exitCode).toBeNull();
    const res = await fetch(`${gw.url}/health/liveliness`);
    expect(res.status).toBe(200);
    const keys = await fetch(`${gw.url}/key/list`, { headers: { authorization: "Bearer sk-stray-master" } });
    expect(keys.status).toBe(200);
  } finally {
    await gw.stop();
  }
}, 30_000);
