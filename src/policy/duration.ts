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
 * get_next_standardized_reset_time in `timeZone` (litellm_settings.timezone; UTC by default):
 * Ns/Nm/Nh → next multiple of N within the day; 1d/24h → next midnight; 7d/1w → next Monday
 * 00:00; 30d and Nmo → 1st of next month; other Nd → today 00:00 + N days; other Nw → today 00:00
 * + N weeks. Midnights are the zone's own: a day that DST shortens or lengthens is 23 or 25 hours.
 */
export function budgetResetAt(nowMs: number, d: Duration, timeZone = "UTC"): Date {
  const day = localDay(nowMs, timeZone);
  // Local calendar dates to instants; Date.UTC carries a day or month past its end.
  const at = (dayOffset: number, month = day.month, date = day.date) => localMidnight(timeZone, day.year, month, date + dayOffset);
  const midnight = at(0);
  const { amount, unit } = d;
  if (unit === "mo" || (unit === "d" && amount === 30)) return new Date(localMidnight(timeZone, day.year, day.month + 1, 1));
  if ((unit === "d" && amount === 1) || (unit === "h" && amount === 24)) return new Date(at(1));
  if ((unit === "d" && amount === 7) || (unit === "w" && amount === 1)) return new Date(at(7 - ((day.weekday + 6) % 7)));
  if (unit === "d") return new Date(at(amount));
  if (unit === "w") return new Date(at(7 * amount));
  // s, m, h: the next multiple of the period counted from midnight; past the day's end, midnight.
  const stepMs = amount * UNIT_MS[unit];
  const next = midnight + (Math.floor((nowMs - midnight) / stepMs) + 1) * stepMs;
  return new Date(Math.min(next, at(1)));
}

/** Whether `timeZone` is one this runtime knows (an IANA name such as "Europe/Berlin", or "UTC"). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric", weekday: "short" });
    formatters.set(timeZone, f);
  }
  return f;
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** The zone's wall clock at an instant: its date, weekday (0 = Sunday) and its offset from UTC. */
function localDay(atMs: number, timeZone: string): { year: number; month: number; date: number; weekday: number; offsetMs: number } {
  if (timeZone === "UTC") {
    const t = new Date(atMs);
    return { year: t.getUTCFullYear(), month: t.getUTCMonth(), date: t.getUTCDate(), weekday: t.getUTCDay(), offsetMs: 0 };
  }
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(atMs)) parts[p.type] = p.value;
  const [year, month, date] = [Number(parts.year), Number(parts.month) - 1, Number(parts.day)];
  const wall = Date.UTC(year, month, date, Number(parts.hour), Number(parts.minute), Number(parts.second));
  return { year, month, date, weekday: WEEKDAYS.indexOf(parts.weekday!), offsetMs: wall - (atMs - (((atMs % 1000) + 1000) % 1000)) };
}

/** The instant the zone's clock reads 00:00 on that date (the zone's offset then, found in two steps for DST). */
function localMidnight(timeZone: string, year: number, month: number, date: number): number {
  const wall = Date.UTC(year, month, date);
  if (timeZone === "UTC") return wall;
  const guess = wall - localDay(wall, timeZone).offsetMs;
  return wall - localDay(guess, timeZone).offsetMs;
}
