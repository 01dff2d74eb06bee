// 1,000 random bodies against every route, and random query strings against every GET route:
// whatever comes in, nothing answers 500 and every error is in the OpenAI shape.
import { afterAll, expect, test } from "bun:test";
import { MASTER_KEY, startGateway } from "../support/harness.ts";

const BODIES_PER_ROUTE = 1000;
// With the optional hooks on (the audit log reads and writes around every admin change; teams open
// to self-service), so their code meets the same bodies.
const gw = await startGateway({
  configYaml: `general_settings:
  master_key: ${MASTER_KEY}
litellm_settings:
  store_audit_logs: true
  default_internal_user_params:
    available_teams: ["x", "sk-1234"]
`,
});
afterAll(() => gw.close());

// A deterministic generator, so a failure can be replayed.
let seed = 0x2545f491;
const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

const FIELDS = ["model", "messages", "key", "keys", "models", "max_budget", "duration", "user_id", "team_id", "metadata",
  "stream", "prompt", "input", "key_alias", "tpm_limit", "rpm_limit", "budget_duration", "aliases", "max_tokens", "user_email",
  "users", "all_users", "user_updates", "team_member_permissions", "user_ids", "team_ids", "member", "id", "model_info", "litellm_params"];

function randomValue(depth = 0): unknown {
  switch (Math.floor(rand() * (depth > 2 ? 6 : 9))) {
    case 0: return null;
    case 1: return rand() < 0.5;
    case 2: return pick([0, -1, 1e308, -1e-9, 2 ** 53 + 1, 42, Number.MIN_SAFE_INTEGER]);
    case 3: return pick(["", "sk-", "sk-1234", "30d", "-1", "gpt-4o", "\u0000", "🙂".repeat(50), "x".repeat(3000), "permanent", "1mo"]);
    case 4: return rand().toString(36);
    case 5: return pick(["proxy_admin", "internal_user", "admin", "../../etc/passwd", "' or 1=1 --"]);
    case 6: return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(depth + 1));
    default: return Object.fromEntries(Array.from({ length: Math.floor(rand() * 5) }, () => [pick(FIELDS), randomValue(depth + 1)]));
  }
}

function randomBody(): string {
  const r = rand();
  if (r < 0.05) return "";
  if (r < 0.1) return "{not json";
  if (r < 0.15) return String.fromCharCode(...Array.from({ length: 40 }, () => Math.floor(rand() * 256)));
  if (r < 0.2) return JSON.stringify(randomValue());
  return JSON.stringify(Object.fromEntries(Array.from({ length: 1 + Math.floor(rand() * 6) }, () => [pick(FIELDS), randomValue()])));
}

const fillPath = (path: string) => path.replace(/:[^/]+/g, () => encodeURIComponent(pick(["sk-1234", "x", "%", "a b", "0"]))).replace("*", "x");

test(`every route survives ${BODIES_PER_ROUTE} random bodies without a 500`, async () => {
  const routes = gw.app.routes.filter((r) => !["GET", "HEAD", "OPTIONS"].includes(r.method) || r.path.includes(":"));
  expect(routes.length).toBeGreaterThan(0);
  const failures: string[] = [];
  for (const route of routes) {
    for (let i = 0; i < BODIES_PER_ROUTE; i++) {
      const body = randomBody();
      const method = route.method === "ALL" ? "POST" : route.method;
      const res = await gw.request(fillPath(route.path), {
        method,
        key: rand() < 0.9 ? MASTER_KEY : null,
        headers: { "content-type": "application/json" },
        body: method === "GET" || method === "HEAD" ? undefined : body,
      });
      const text = await res.text();
      if (res.status >= 500) failures.push(`${method} ${route.path} ${res.status} body=${body.slice(0, 200)} → ${text.slice(0, 200)}`);
      else if (res.status >= 400 && !text.startsWith('{"error":')) failures.push(`${method} ${route.path} ${res.status} not OpenAI-shaped: ${text.slice(0, 200)}`);
    }
  }
  expect(failures.slice(0, 10)).toEqual([]);
}, 240_000);

const QUERY_PARAMS = ["page", "page_size", "size", "limit", "user_id", "team_id", "team_alias", "user_email", "start_date", "end_date", "action",
  "table_name", "object_id", "sort_by", "sort_order", "expand", "include_created_by_keys", "service", "key_hash", "return_full_object", "status", "model"];
const QUERY_VALUES = ["", "0", "-1", "1", "100", "101", "1.5", "1e309", "99999999999999999", "NaN", "abc", "%", "_", "2026-13-45", "2026-01-01",
  "true", "user", "desc", "x".repeat(3000), "\u0000", "' or 1=1 --"];
const QUERIES_PER_ROUTE = 100;

test(`every GET route survives ${QUERIES_PER_ROUTE} random query strings without a 500`, async () => {
  const routes = gw.app.routes.filter((r) => r.method === "GET" && !r.path.includes("*"));
  const failures: string[] = [];
  for (const route of routes) {
    for (let i = 0; i < QUERIES_PER_ROUTE; i++) {
      const query = new URLSearchParams(Array.from({ length: 1 + Math.floor(rand() * 4) }, () => [pick(QUERY_PARAMS), pick(QUERY_VALUES)]));
      const res = await gw.request(`${fillPath(route.path)}?${query}`, { key: rand() < 0.9 ? MASTER_KEY : null });
      const text = await res.text();
      if (res.status >= 500) failures.push(`GET ${route.path}?${query.toString().slice(0, 200)} ${res.status} → ${text.slice(0, 200)}`);
      else if (res.status >= 400 && !text.startsWith('{"error":')) failures.push(`GET ${route.path} ${res.status} not OpenAI-shaped: ${text.slice(0, 200)}`);
    }
  }
  expect(failures.slice(0, 10)).toEqual([]);
}, 240_000);
