// The effective config as `tollgate check` prints it: every secret masked.
import { maskDatabaseUrl } from "../db/client.ts";
import type { Config } from "./schema.ts";

const SECRET_KEY = /(key|secret|password|token|credentials?)$/i;

export function maskSecret(value: string): string {
  return value.length <= 8 ? "****" : `${value.slice(0, 3)}...${value.slice(-4)}`;
}

function maskValue(key: string, value: unknown): unknown {
  if (typeof value === "string") {
    if (key === "database_url") return maskDatabaseUrl(value);
    return SECRET_KEY.test(key) ? maskSecret(value) : value;
  }
  if (Array.isArray(value)) return value.map((v) => maskValue(key, v));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskValue(k, v)]));
  }
  return value;
}

export function maskedConfig(config: Config): Record<string, unknown> {
  return maskValue("", {
    model_list: config.modelList,
    general_settings: config.general,
    litellm_settings: config.litellm,
    router_settings: config.router,
  }) as Record<string, unknown>;
}
