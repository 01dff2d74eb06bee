// LiteLLM's duration strings (contract §4.1): "30s", "30m", "1h", "30d", "2w", "1mo". Used for key
// expiry (`duration`, exact: now + d) and budget periods (`budget_duration`, aligned resets, §4.2).
// Pure: every function takes the clock as an argument.

export type DurationUnit = "s" | "m" | "h" | "d" | "w" | "mo";
export interface Duration {
  readonly amount: number;
  readonly unit: DurationUnit;
}

export type ParsedDuration = { ok: true; duration: Duration | null } | { ok: false; reason: string };

// LiteLLM matches only a prefix (`30min` is 30 minutes); `mo` must win over `m`.
const GRAMMAR = /^(\d+)(mo|[smhdw])/;
// Spellings that mean "no duration": never expires / never resets.
const NEVER = new Set(["", "none", "null", "permanent", "-1"]);

export function parseDuration(value: string | null | undefined): ParsedDuration {
  if (value === null || value === undefined) return { ok: true, duration: null };
  const text = value.trim();
  if (NEVER.has(text.toLowerCase())) return { ok: true, duration: null };
  const m = GRAMMAR.exec(text);
  if (!m) {
    const reason = /^\d+$/.test(text)
      ? `Unsupported duration unit in '${value}': use s, m, h, d, w or mo (e.g. "30d").`
      : `Invalid duration format '${value}': expected a number and a unit (s, m, h, d, w, mo), e.g. "30s", "1h", "30d", "1mo".`;
    return { ok: false, reason };
  }
  const amount = Number(m[1]);
  if (amount <= 0 || !Number.isSafeInteger(amount)) return { ok: false, reason: `Duration '${value}' must be a positive whole number of units.` };
  return { ok: true, duration: { amount, unit: m[2] as DurationUnit } };
}

const UNIT_MS: Record<Exclude<DurationUnit, "mo">, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** now + d, exact. Months keep the day of the month, clamped to the month's last day. */
export function addDuration(nowMs: number, d: Duration): number {
  if (d.unit !== "mo") return nowMs + d.amount * UNIT_MS[d.unit];
  const t = new Date(nowMs);
  const targetMonth = t.getUTCMonth() + d.amount;
  const year = t.getUTCFullYear() + Math.floor(targetMonth / 12);
  const month = targetMonth % 12;
  const day = Math.min(t.getUTCDate(), daysInMonth(year, month));
  return Date.UTC(year, month, day, t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds(), t.getUTCMilliseconds());
}

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month + 1, 0)).getUTCDate();

/** When a key with this `duration` expires; null = never. */
export function expiresAt(nowMs: number, d: Duration | null): Date | null {
  return d ? new Date(addDuration(nowMs, d)) : null;
}

/**
 * The next budget reset for a `budget_duration`, aligned like LiteLLM's
 * get_next_standardized_reset_time (UTC): Ns/Nm/Nh → next multiple of N within the day; 1d/24h →
 * next midnight; 7d/1w → next Monday 00:00; 30d and Nmo → 1st of next month; other Nd → today
 * 00:00 + N days; other Nw → today 00:00 + N weeks.
 */
export function budgetResetAt(nowMs: number, d: Duration): Date {
  const t = new Date(nowMs);
  const midnight = Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate());
  const firstOfNextMonth = Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 1);
  const { amount, unit } = d;
  if (unit === "mo") return new Date(firstOfNextMonth);
  if ((unit === "d" && amount === 1) || (unit === "h" && amount === 24)) return new Date(midnight + UNIT_MS.d);
  if ((unit === "d" && amount === 7) || (unit === "w" && amount === 1)) {
    const daysSinceMonday = (t.getUTCDay() + 6) % 7;
    return new Date(midnight + (7 - daysSinceMonday) * UNIT_MS.d);
  }
  if (unit === "d" && amount === 30) return new Date(firstOfNextMonth);
  if (unit === "d") return new Date(midnight + amount * UNIT_MS.d);
  if (unit === "w") return new Date(midnight + amount * UNIT_MS.w);
  // s, m, h: the next multiple of the period counted from midnight; past the day's end, midnight.
  const stepMs = amount * UNIT_MS[unit];
  const sinceMidnight = nowMs - midnight;
  const next = midnight + (Math.floor(sinceMidnight / stepMs) + 1) * stepMs;
  return new Date(Math.min(next, midnight + UNIT_MS.d));
}
