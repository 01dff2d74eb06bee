import { describe, expect, test } from "bun:test";
import { addDuration, budgetResetAt, isKnownTimeZone, parseDuration } from "../../src/policy/duration.ts";

const at = (iso: string) => Date.parse(iso);

describe("parseDuration", () => {
  test.each([
    ["30s", 30, "s"], ["30m", 30, "m"], ["1h", 1, "h"], ["30d", 30, "d"], ["2w", 2, "w"], ["1mo", 1, "mo"],
    ["30min", 30, "m"], // LiteLLM matches a prefix only
    [" 12h ", 12, "h"],
  ])("%p → %p %p", (text, amount, unit) => {
    expect(parseDuration(text)).toEqual({ ok: true, duration: { amount, unit } as never });
  });

  test.each([null, undefined, "", "permanent", "PERMANENT", "none", "null", "-1"])("%p means never", (text) => {
    expect(parseDuration(text)).toEqual({ ok: true, duration: null });
  });

  test.each([
    ["30", "Unsupported duration unit"],
    ["thirty days", "Invalid duration format"],
    ["30y", "Invalid duration format"],
    ["d30", "Invalid duration format"],
    ["0d", "positive"],
  ])("%p is refused (%p)", (text, reason) => {
    const parsed = parseDuration(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });
});

describe("addDuration (key expiry: exact)", () => {
  const now = at("2026-01-31T10:07:00Z");
  test.each([
    [{ amount: 2, unit: "s" }, "2026-01-31T10:07:02.000Z"],
    [{ amount: 30, unit: "m" }, "2026-01-31T10:37:00.000Z"],
    [{ amount: 1, unit: "h" }, "2026-01-31T11:07:00.000Z"],
    [{ amount: 30, unit: "d" }, "2026-03-02T10:07:00.000Z"],
    [{ amount: 2, unit: "w" }, "2026-02-14T10:07:00.000Z"],
    [{ amount: 1, unit: "mo" }, "2026-02-28T10:07:00.000Z"], // clamped to the month's end
    [{ amount: 13, unit: "mo" }, "2027-02-28T10:07:00.000Z"],
  ] as const)("%p", (d, expected) => {
    expect(new Date(addDuration(now, d)).toISOString()).toBe(expected);
  });
});

describe("budgetResetAt (aligned, UTC)", () => {
  const wed = at("2026-01-07T10:07:00Z"); // a Wednesday
  test.each([
    [{ amount: 30, unit: "m" }, "2026-01-07T10:30:00.000Z"],
    [{ amount: 30, unit: "s" }, "2026-01-07T10:07:30.000Z"],
    [{ amount: 6, unit: "h" }, "2026-01-07T12:00:00.000Z"],
    [{ amount: 1, unit: "d" }, "2026-01-08T00:00:00.000Z"],
    [{ amount: 24, unit: "h" }, "2026-01-08T00:00:00.000Z"],
    [{ amount: 7, unit: "d" }, "2026-01-12T00:00:00.000Z"], // next Monday
    [{ amount: 1, unit: "w" }, "2026-01-12T00:00:00.000Z"],
    [{ amount: 30, unit: "d" }, "2026-02-01T00:00:00.000Z"],
    [{ amount: 1, unit: "mo" }, "2026-02-01T00:00:00.000Z"],
    [{ amount: 3, unit: "d" }, "2026-01-10T00:00:00.000Z"],
  ] as const)("%p", (d, expected) => {
    expect(budgetResetAt(wed, d).toISOString()).toBe(expected);
  });

  test("a Monday's weekly reset is the next Monday, not today", () => {
    expect(budgetResetAt(at("2026-01-12T00:00:00Z"), { amount: 1, unit: "w" }).toISOString()).toBe("2026-01-19T00:00:00.000Z");
  });

  test("an hourly period that does not divide the day ends at midnight", () => {
    expect(budgetResetAt(at("2026-01-07T22:30:00Z"), { amount: 5, unit: "h" }).toISOString()).toBe("2026-01-08T00:00:00.000Z");
  });
});

describe("budget resets in litellm_settings.timezone", () => {
  const reset = (now: string, budgetDuration: string, timeZone: string) => {
    const parsed = parseDuration(budgetDuration);
    if (!parsed.ok || !parsed.duration) throw new Error(budgetDuration);
    return budgetResetAt(Date.parse(now), parsed.duration, timeZone).toISOString();
  };
  test.each([
    // India (UTC+5:30, no DST): 20:00Z is already 01:30 the next day there.
    ["2026-12-07T20:00:00Z", "1d", "Asia/Kolkata", "2026-12-08T18:30:00.000Z"],
    ["2026-12-07T10:00:00Z", "1d", "Asia/Kolkata", "2026-12-07T18:30:00.000Z"],
    ["2026-12-07T20:00:00Z", "7d", "Asia/Kolkata", "2026-12-13T18:30:00.000Z"], // Tuesday there → Monday 00:00
    ["2026-12-07T20:00:00Z", "1mo", "Asia/Kolkata", "2026-12-31T18:30:00.000Z"],
    ["2026-12-07T20:00:00Z", "30m", "Asia/Kolkata", "2026-12-07T20:30:00.000Z"],
    // New York across the spring DST change (2026-03-08): midnight is 05:00Z before it, 04:00Z after.
    ["2026-03-08T03:00:00Z", "1d", "America/New_York", "2026-03-08T05:00:00.000Z"],
    ["2026-03-08T12:00:00Z", "1d", "America/New_York", "2026-03-09T04:00:00.000Z"],
    // UTC is the default and unchanged.
    ["2026-12-07T20:00:00Z", "1d", "UTC", "2026-12-08T00:00:00.000Z"],
  ])("%s + %s in %s → %s", (now, duration, zone, expected) => {
    expect(reset(now, duration, zone)).toBe(expected);
  });

  test("unknown zones are told apart from known ones", () => {
    expect(isKnownTimeZone("Europe/Berlin")).toBe(true);
    expect(isKnownTimeZone("UTC")).toBe(true);
    expect(isKnownTimeZone("Mars/Olympus_Mons")).toBe(false);
  });
});
