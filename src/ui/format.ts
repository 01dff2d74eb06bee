// Display formats: money in USD with enough digits for sub-cent calls, dates in the user's locale.

export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  if (value === 0) return "$0";
  // LLM calls cost fractions of a cent: below a dollar, show the digits that matter.
  const digits = Math.abs(value) < 1 ? 6 : 2;
  return `$${value.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: digits })}`;
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export const count = (n: number | null | undefined) => (n === null || n === undefined ? "—" : n.toLocaleString());

export const list = (xs: readonly string[] | null | undefined, empty = "all") => (!xs || xs.length === 0 ? empty : xs.join(", "));

/** "" → undefined, "12.5" → 12.5; anything else is an error the form shows. */
export function optionalNumber(label: string, raw: string): number | undefined {
  const s = raw.trim();
  if (s === "") return undefined;
  const n = Number(s);
  if (!Number.isFinite(n)) throw new Error(`${label} must be a number.`);
  return n;
}

export const csv = (raw: string) => raw.split(",").map((s) => s.trim()).filter(Boolean);
