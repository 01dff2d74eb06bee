// GET /health: every deployment, healthy or unhealthy with the reason, from what real traffic
// showed (deployment-stats.ts). Only a deployment with no traffic within health_check_interval
// is probed, with a one-token call, and never more often than that interval.
import type { Json } from "../providers/types.ts";
import type { Deployment } from "../providers/types.ts";
import { callUpstream } from "../proxy/upstream-call.ts";
import { isCoolingDown } from "./deployment-stats.ts";
import { type Router, toRouted } from "./router.ts";

export const DEFAULT_HEALTH_CHECK_INTERVAL_S = 300;
const PROBE_TIMEOUT_MS = 10_000;

export interface HealthReport {
  healthy_endpoints: Json[];
  unhealthy_endpoints: Json[];
  healthy_count: number;
  unhealthy_count: number;
}

export async function healthReport(
  router: Router,
  options: { intervalS: number; nowMs: () => number; model?: string; signal: AbortSignal },
): Promise<HealthReport> {
  const deployments = router.deployments.filter((d) => options.model === undefined || d.modelName === options.model);
  const idleBeforeMs = options.nowMs() - options.intervalS * 1000;
  await Promise.all(
    deployments
      .filter((d) => !d.modelName.includes("*") && !d.params.model.includes("*"))
      .filter((d) => {
        const last = router.statsOf(d.id).lastTrafficMs;
        return last === undefined || last <= idleBeforeMs;
      })
      .map((d) => probe(router, d, options)),
  );
  const report: HealthReport = { healthy_endpoints: [], unhealthy_endpoints: [], healthy_count: 0, unhealthy_count: 0 };
  for (const d of deployments) {
    const s = router.statsOf(d.id);
    const entry: Json = {
      model: d.params.model,
      model_name: d.modelName,
      model_id: d.id,
      api_base: d.params.api_base ?? null,
      last_checked_at: s.lastOutcome ? new Date(s.lastOutcome.atMs).toISOString() : null,
    };
    const now = options.nowMs();
    if (isCoolingDown(s, now)) {
      report.unhealthy_endpoints.push({ ...entry, error: `cooling down until ${new Date(s.cooldownUntilMs).toISOString()}: ${s.cooldownReason}` });
    } else if (s.lastOutcome && !s.lastOutcome.ok) {
      report.unhealthy_endpoints.push({ ...entry, error: s.lastOutcome.message, status: s.lastOutcome.status });
    } else {
      report.healthy_endpoints.push(entry);
    }
  }
  report.healthy_count = report.healthy_endpoints.length;
  report.unhealthy_count = report.unhealthy_endpoints.length;
  return report;
}

async function probe(router: Router, d: Deployment, options: { nowMs: () => number; signal: AbortSignal }): Promise<void> {
  const s = router.statsOf(d.id);
  const startedMs = options.nowMs();
  // Marked before the call so concurrent /health requests do not probe the same deployment twice.
  s.lastTrafficMs = startedMs;
  const embedding = d.info.mode === "embedding";
  try {
    const routed = toRouted(d.modelName, { deployment: d, litellmModel: d.params.model });
    const body = embedding ? { input: "ping" } : { messages: [{ role: "user", content: "ping" }], max_tokens: 1 };
    await callUpstream(routed, embedding ? "embedding" : "chat", body, {
      stream: false,
      dropParams: true,
      signal: options.signal,
      timeoutMs: PROBE_TIMEOUT_MS,
      streamTimeoutMs: PROBE_TIMEOUT_MS,
      now: options.nowMs,
    });
    s.lastOutcome = { ok: true, atMs: options.nowMs() };
  } catch (err) {
    const e = err as { status?: number; message?: string };
    s.lastOutcome = { ok: false, atMs: options.nowMs(), status: e.status ?? 500, message: e.message ?? "probe failed" };
  }
}
