// litellm_settings.default_key_generate_params / upperbound_key_generate_params as pure decisions.
import { describe, expect, test } from "bun:test";
import { withinKeyBounds, withKeyDefaults } from "../../src/policy/key-params.ts";
import { withInternalUserDefaults } from "../../src/policy/user-params.ts";

const NOW = Date.UTC(2031, 0, 15);
const BOUNDS = { max_budget: 100, rpm_limit: 1000, duration: "30d", budget_duration: "1mo" };

describe("default_key_generate_params", () => {
  test("fills what is left out, null, or an empty models list or metadata; keeps what is sent", () => {
    const defaults = { max_budget: 1.5, models: ["gpt-4o"], metadata: { setting: "default" }, duration: "7d" };
    expect(withKeyDefaults({ models: [], metadata: {}, max_budget: null } as Record<string, unknown>, defaults)).toEqual({ max_budget: 1.5, models: ["gpt-4o"], metadata: { setting: "default" }, duration: "7d" });
    expect(withKeyDefaults({ max_budget: 3, models: ["claude"], duration: "1h" }, defaults)).toMatchObject({ max_budget: 3, models: ["claude"], duration: "1h" });
    const body = {};
    expect(withKeyDefaults(body, undefined)).toBe(body);
  });
});

describe("upperbound_key_generate_params", () => {
  test("a new key gets the bound for what it leaves out; values within it pass", () => {
    const check = withinKeyBounds({ max_budget: 50, duration: "2w" } as Record<string, unknown>, BOUNDS, NOW, true);
    expect(check).toEqual({ ok: true, body: { max_budget: 50, duration: "2w", rpm_limit: 1000, budget_duration: "1mo" } });
    expect(withinKeyBounds({ max_budget: null }, BOUNDS, NOW, true)).toMatchObject({ ok: true, body: { max_budget: 100 } });
  });

  test("a value over a bound is refused with LiteLLM's message", () => {
    expect(withinKeyBounds({ max_budget: 100.01 }, BOUNDS, NOW, true)).toEqual({
      ok: false,
      field: "max_budget",
      message: "max_budget is over max limit set in config - user_value=100.01; max_value=100",
    });
    expect(withinKeyBounds({ rpm_limit: 1001 }, BOUNDS, NOW, true)).toMatchObject({ ok: false, field: "rpm_limit" });
    expect(withinKeyBounds({ duration: "31d" }, BOUNDS, NOW, true)).toMatchObject({ ok: false, field: "duration" });
    // "1mo" from Jan 15 is 31 days; 5w is 35.
    expect(withinKeyBounds({ budget_duration: "31d" }, BOUNDS, NOW, true)).toMatchObject({ ok: true });
    expect(withinKeyBounds({ budget_duration: "5w" }, BOUNDS, NOW, true)).toMatchObject({ ok: false, field: "budget_duration" });
    // Never expires is longer than any bound.
    expect(withinKeyBounds({ duration: "-1" }, BOUNDS, NOW, true)).toMatchObject({ ok: false, message: "duration is over max limit set in config - user_value=-1; max_value=30d" });
  });

  test("a change is judged on what it sends: left out passes, null (no limit) is over", () => {
    expect(withinKeyBounds({ key: "sk-x", tpm_limit: 5 }, BOUNDS, NOW, false)).toEqual({ ok: true, body: { key: "sk-x", tpm_limit: 5 } });
    expect(withinKeyBounds({ max_budget: null }, BOUNDS, NOW, false)).toEqual({
      ok: false,
      field: "max_budget",
      message: "max_budget is over max limit set in config - user_value=None; max_value=100",
    });
  });
});

describe("max_internal_user_budget", () => {
  const settings = { max_internal_user_budget: 10, internal_user_budget_duration: "1mo" };
  type NewUser = { user_role?: string; max_budget?: number; budget_duration?: string };
  test("an internal user without a budget gets it; other roles and set budgets are kept", () => {
    expect(withInternalUserDefaults<NewUser>({ user_role: "internal_user" }, settings)).toEqual({ user_role: "internal_user", max_budget: 10, budget_duration: "1mo" });
    expect(withInternalUserDefaults<NewUser>({ user_role: "internal_user", max_budget: 2 }, settings)).toEqual({ user_role: "internal_user", max_budget: 2, budget_duration: "1mo" });
    expect(withInternalUserDefaults<NewUser>({ user_role: "proxy_admin" }, settings)).toEqual({ user_role: "proxy_admin" });
    expect(withInternalUserDefaults<NewUser>({}, settings)).toEqual({});
  });
});
