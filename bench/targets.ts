// What wrk is pointed at: the upstream directly, the baseline proxy, and each Tollgate run.
import type { BodyKind } from "./bodies.ts";

export type TargetKind = "direct" | "baseline" | "tollgate";

export interface Target {
  id: string;
  label: string;
  kind: TargetKind;
  baseUrl: string;
  key: string;
  /** The server process measured for RSS; the mock upstream for "direct". */
  pid: number;
  /** Body kinds this target cannot serve, with the reason found by the probe. */
  unsupported: Partial<Record<BodyKind, string>>;
}

export const CHAT_PATH = "/v1/chat/completions";

/** One request of each kind; a kind that fails is skipped for this target with the reason. */
export async function probe(target: Target, bodies: Record<BodyKind, string>): Promise<void> {
  for (const [kind, body] of Object.entries(bodies) as [BodyKind, string][]) {
    try {
      const res = await fetch(target.baseUrl + CHAT_PATH, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${target.key}` },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      if (res.status !== 200) {
        target.unsupported[kind] = `POST ${CHAT_PATH} answered ${res.status}: ${text.replace(/\s+/g, " ").slice(0, 140)}`;
      } else if (kind === "stream" && !(text.includes("data: ") && text.includes("[DONE]"))) {
        target.unsupported[kind] = `stream: true did not return an SSE stream ending in [DONE] (got ${res.headers.get("content-type")}: ${text.slice(0, 80)})`;
      }
    } catch (err) {
      target.unsupported[kind] = `request failed: ${String(err)}`;
    }
  }
}
