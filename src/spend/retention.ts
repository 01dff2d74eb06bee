// Spend-log retention (general_settings.maximum_spend_logs_retention_period): rows that started
// longer ago than the period are deleted, in small batches so no write transaction holds the
// database for long. The daily rollups are kept: they are the long-term history the spend views read.
import type { Store } from "../db/client.ts";
import { deleteSpendLogsBefore } from "../db/store/spend.ts";
import { GatewayError } from "../errors.ts";
import type { Logger } from "../log.ts";
import { addDuration, type Duration, parseDuration } from "../policy/duration.ts";

const BATCH_ROWS = 5_000;
// LiteLLM's maximum_spend_logs_retention_interval default.
const DEFAULT_INTERVAL: Duration = { amount: 1, unit: "d" };

/** The oldest start time kept at nowMs: now minus the period (calendar months for "mo", clamped). */
export function retentionCutoff(nowMs: number, period: Duration): Date {
  if (period.unit !== "mo") return new Date(nowMs - addDuration(0, period));
  const t = new Date(nowMs);
  const month = t.getUTCMonth() - period.amount;
  const lastDay = new Date(Date.UTC(t.getUTCFullYear(), month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(t.getUTCFullYear(), month, Math.min(t.getUTCDate(), lastDay), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds(), t.getUTCMilliseconds()));
}

function durationOrThrow(value: string | null | undefined, field: string): Duration | null {
  const parsed = parseDuration(value);
  if (!parsed.ok) throw GatewayError.badRequest(`general_settings.${field}: ${parsed.reason}`, field);
  return parsed.duration;
}

/** Deletes every spend-log row older than the period; returns how many. */
export async function deleteExpiredSpendLogs(store: Store, period: Duration, nowMs: number): Promise<number> {
  const cutoff = retentionCutoff(nowMs, period);
  let total = 0;
  for (;;) {
    const n = await deleteSpendLogsBefore(store, cutoff, BATCH_ROWS);
    total += n;
    if (n < BATCH_ROWS) return total;
  }
}

export interface RetentionJob {
  stop(): void;
}

/** Runs the delete at start and then every interval; undefined when no period is configured. */
export function startRetentionJob(
  deps: { store: Store; log: Logger; now: () => number },
  settings: { period?: string | null; interval?: string | null },
): RetentionJob | undefined {
  const period = durationOrThrow(settings.period, "maximum_spend_logs_retention_period");
  if (!period) return undefined;
  const interval = durationOrThrow(settings.interval, "maximum_spend_logs_retention_interval") ?? DEFAULT_INTERVAL;
  const intervalMs = addDuration(0, interval);
  const run = () =>
    deleteExpiredSpendLogs(deps.store, period, deps.now())
      .then((n) => n > 0 && deps.log.info("spend logs past retention deleted", { rows: n }))
      .catch((err) => deps.log.error("spend-log retention failed", { error: String(err) }));
  void run();
  const timer = setInterval(run, intervalMs);
  // Retention must never keep a stopping process alive.
  timer.unref?.();
  return { stop: () => clearInterval(timer) };
}
