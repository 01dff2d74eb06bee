import { expect, test } from "bun:test";
import { GatewayError } from "../../src/errors.ts";
import type { CallContext, CallOutcome } from "../../src/proxy/hooks.ts";
import { composeCallHooks } from "../../src/spend/compose-hooks.ts";

const ctx = { callId: "c1" } as CallContext;

test("a later refusal abandons earlier admissions; headers of all parts are merged", async () => {
  const events: string[] = [];
  const budget = {
    admit: async () => (events.push("budget admit"), { headers: { a: "1" } }),
    settle: async () => ({ headers: { cost: "0.1" } }),
    abandon: () => void events.push("budget abandon"),
  };
  const limiter = {
    admit: async () => {
      events.push("limiter admit");
      throw new GatewayError({ status: 429, type: "throttling_error", message: "no" });
    },
    settle: async () => ({ headers: { rl: "2" } }),
  };
  await expect(composeCallHooks(budget, limiter).admit(ctx)).rejects.toThrow("no");
  expect(events).toEqual(["budget admit", "limiter admit", "budget abandon"]);
  const ok = composeCallHooks(budget, { ...limiter, admit: async () => ({ headers: { b: "2" } }) });
  expect(await ok.admit(ctx)).toEqual({ headers: { a: "1", b: "2" } });
  expect(await ok.settle(ctx, {} as CallOutcome)).toEqual({ headers: { cost: "0.1", rl: "2" } });
});
