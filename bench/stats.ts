// Small statistics and number formatting for the benchmark report.

/** The middle value, or the mean of the two middle values (two rounds must not mean "the lower"). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile; NaN for no samples. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function fmtUs(us: number): string {
  if (!Number.isFinite(us)) return "–";
  const sign = us < 0 ? "−" : "";
  const a = Math.abs(us);
  if (a < 1000) return `${sign}${Math.round(a)} µs`;
  if (a < 1_000_000) return `${sign}${(a / 1000).toFixed(a < 10_000 ? 2 : 1)} ms`;
  return `${sign}${(a / 1_000_000).toFixed(2)} s`;
}

export function fmtAddedUs(us: number): string {
  if (!Number.isFinite(us)) return "–";
  return us >= 0 ? `+${fmtUs(us)}` : fmtUs(us);
}

export function fmtCount(n: number): string {
  if (!Number.isFinite(n)) return "–";
  return Math.round(n).toLocaleString("en-US");
}

export function fmtRatio(r: number): string {
  if (!Number.isFinite(r)) return "–";
  return `${r.toFixed(2)}×`;
}

export function fmtMb(kb: number): string {
  if (!Number.isFinite(kb)) return "–";
  return `${(kb / 1024).toFixed(1)} MB`;
}
