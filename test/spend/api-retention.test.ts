// Spend-log retention with an injected clock: rows older than the period go, newer rows and the
// daily rollups stay (the spend views keep their history).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { deleteExpiredSpendLogs, retentionCutoff } from "../../src/spend/retention.ts";
import { type Gateway, MASTER_KEY, PG_URL, startGateway } from "../support/harness.ts";

const CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_key: sk-upstream-unused }
`;

describe("retention cutoff", () => {
  test.each([
    ["7d", "2031-03-10T12:00:00.000Z", "2031-03-03T12:00:00.000Z"],
    ["1h", "2031-03-10T12:00:00.000Z", "2031-03-10T11:00:00.000Z"],
    ["1mo", "2031-03-31T00:00:00.000Z", "2031-02-28T00:00:00.000Z"], // a calendar month back, clamped
    ["2mo", "2031-03-15T06:00:00.000Z", "2031-01-15T06:00:00.000Z"],
  ])("%s at %s keeps rows from %s", (period, now, cutoff) => {
    const unit = period.replace(/\d+/, "") as "d" | "h" | "mo";
    expect(retentionCutoff(Date.parse(now), { amount: Number.parseInt(period), unit }).toISOString()).toBe(cutoff);
  });
});

for (const dialect of ["sqlite", "pg"] as const) {
  describe.skipIf(dialect === "pg" && !PG_URL)(`spend-log retention on ${dialect}`, () => {
    let g: Gateway;
    let clock = Date.UTC(2031, 0, 1, 12);
    beforeAll(async () => {
      g = await startGateway({ configYaml: CONFIG, dialect, now: () => clock });
    });
    afterAll(() => g.close());

    test("rows past the period are deleted, newer rows and rollups kept", async () => {
      const call = () =>
        g.request("/v1/chat/completions", { method: "POST", key: MASTER_KEY, json: { model: "gpt-4o", messages: [{ role: "user", content: "hi" }], mock_response: "ok" } });
      for (const day of [1, 2, 9, 10]) {
        clock = Date.UTC(2031, 0, day, 12);
        expect((await call()).status).toBe(200);
      }
      const now = Date.UTC(2031, 0, 10, 13);
      await g.committed();
      expect(await deleteExpiredSpendLogs(g.store, { amount: 7, unit: "d" }, now)).toBe(2); // Jan 1 and Jan 2
      const left = (await (await g.request("/spend/logs?summarize=false")).json()) as { startTime: string }[];
      expect(left.map((r) => r.startTime).sort()).toEqual(["2031-01-09T12:00:00.000Z", "2031-01-10T12:00:00.000Z"]);
      expect(await deleteExpiredSpendLogs(g.store, { amount: 7, unit: "d" }, now)).toBe(0);
      const report = (await (await g.request("/global/spend/report?start_date=2031-01-01&end_date=2031-01-10&group_by=model")).json()) as unknown[];
      expect(report).toHaveLength(4);
    });
  });
}
