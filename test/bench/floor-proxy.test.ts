// The floor proxies of bench/floors.ts answer like the baseline: the same stream and the same JSON,
// byte for byte but the answer's id (the mock gives each answer its own), and a 401 without the key. A floor that dropped or mangled chunks would measure
// less work than a gateway must do.
import { afterAll, expect, test } from "bun:test";
import { startBaselineProxy } from "../../bench/baseline-proxy.ts";
import { bodyText } from "../../bench/bodies.ts";
import { startFloorProxy } from "../../bench/floor-proxy.ts";
import { startMockUpstream } from "../../bench/mock-upstream.ts";

const KEY = "sk-floor-test";
const mock = startMockUpstream(0);
const upstream = `http://127.0.0.1:${mock.port}`;
const baseline = startBaselineProxy({ port: 0, upstream, keys: [KEY] });
const floors = { read: startFloorProxy({ port: 0, upstream, keys: [KEY], observe: "read" }), tee: startFloorProxy({ port: 0, upstream, keys: [KEY], observe: "tee" }) };
afterAll(() => {
  for (const s of [mock, baseline, floors.read, floors.tee]) s.stop(true);
});

// The mock's answer ids, all alike: what stays must be the same bytes.
const sameIds = (text: string) => text.replaceAll(/chatcmpl-bench-[a-z0-9]+/g, "chatcmpl-bench-ID");

const post = (port: number | undefined, body: string, key = KEY) =>
  fetch(`http://127.0.0.1:${port}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body });

for (const observe of ["read", "tee"] as const) {
  test(`--observe ${observe}: the stream and the JSON answer are the baseline's, byte for byte but the id`, async () => {
    const server = floors[observe];
    for (const kind of ["stream", "small"] as const) {
      const [expected, got] = await Promise.all([post(baseline.port, bodyText(kind)), post(server.port, bodyText(kind))]);
      expect(got.status).toBe(200);
      expect(got.headers.get("content-type")).toBe(expected.headers.get("content-type"));
      const [text, expectedText] = [await got.text(), await expected.text()];
      expect(text).not.toBe(expectedText); // two answers, two ids
      expect(sameIds(text)).toBe(sameIds(expectedText));
      if (kind === "stream") expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    }
    expect((await post(server.port, bodyText("small"), "sk-wrong")).status).toBe(401);
  });
}
