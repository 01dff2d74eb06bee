// config.yaml → frozen Config, once at startup. Steps: parse YAML, apply environment_variables,
// resolve `os.environ/NAME` references anywhere, warn once per key Tollgate ignores, coerce
// string numbers, validate, freeze. Problems are reported with the path LiteLLM users know:
// `model_list[2].litellm_params.model: required`.
import { type TSchema, TypeGuard } from "@sinclair/typebox";
import { Value, ValueErrorType } from "@sinclair/typebox/value";
import { isKnownTimeZone, parseDuration } from "../policy/duration.ts";
import { CALLBACK_LISTS, type Config, ConfigFile, SUPPORTED_CALLBACKS } from "./schema.ts";

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid config:\n  ${problems.join("\n  ")}`);
  }
}

export interface Loaded {
  config: Config;
  warnings: string[];
}

const ENV_REF = /^os\.environ\/(.+)$/;

export async function loadConfigFile(path: string, env: Env): Promise<Loaded> {
  const file = Bun.file(path);
  if (!(await file.exists())) throw new ConfigError([`${path}: file not found`]);
  return parseConfig(await file.text(), env, path);
}

export function emptyConfig(env: Env): Loaded {
  return parseConfig("", env, null);
}

export function parseConfig(text: string, env: Env, source: string | null): Loaded {
  let doc: unknown;
  try {
    doc = text.trim() === "" ? {} : Bun.YAML.parse(text);
  } catch (err) {
    throw new ConfigError([`${source ?? "config"}: not valid YAML (${(err as Error).message})`]);
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== "object" || Array.isArray(doc)) throw new ConfigError(["config: the top level must be a mapping"]);

  const raw = doc as Record<string, unknown>;
  for (const [section, value] of Object.entries(raw)) if (value === null) delete raw[section];

  const warnings: string[] = [];
  const fileEnv = raw.environment_variables;
  const mergedEnv: Record<string, string | undefined> = { ...env };
  if (fileEnv && typeof fileEnv === "object" && !Array.isArray(fileEnv)) {
    // LiteLLM exports environment_variables into os.environ, so they win over the process env.
    for (const [k, v] of Object.entries(fileEnv)) if (v !== null && v !== undefined) mergedEnv[k] = String(v);
  }
  const resolved = resolveEnvRefs(raw, mergedEnv, "", warnings) as Record<string, unknown>;
  collectIgnoredKeys(ConfigFile, resolved, "", warnings);
  collectIgnoredCallbacks(resolved.litellm_settings, warnings);

  const converted = Value.Convert(ConfigFile, resolved);
  const problems = describeErrors(ConfigFile, converted);
  if (problems.length > 0) throw new ConfigError(problems);

  const file = converted as ConfigFile;
  const general = { ...file.general_settings };
  if (!general.master_key && mergedEnv.LITELLM_MASTER_KEY) general.master_key = mergedEnv.LITELLM_MASTER_KEY;
  if (!general.ui_username && mergedEnv.UI_USERNAME) general.ui_username = mergedEnv.UI_USERNAME;
  if (!general.ui_password && mergedEnv.UI_PASSWORD) general.ui_password = mergedEnv.UI_PASSWORD;
  if (!general.ui_session_secret && mergedEnv.UI_SESSION_SECRET) general.ui_session_secret = mergedEnv.UI_SESSION_SECRET;
  if (general.master_key && !general.master_key.startsWith("sk-")) {
    throw new ConfigError(["general_settings.master_key: must start with 'sk-'"]);
  }
  const durationProblems = configDurationProblems(file);
  if (durationProblems.length > 0) throw new ConfigError(durationProblems);
  const config: Config = {
    modelList: file.model_list ?? [],
    general,
    litellm: { ...file.litellm_settings },
    router: { ...file.router_settings },
    source,
  };
  return { config: deepFreeze(config), warnings };
}

/** Duration strings and the time zone, which the schema cannot judge: refused at startup rather than on the first key. */
function configDurationProblems(file: ConfigFile): string[] {
  const l = file.litellm_settings ?? {};
  const values: [string, string | undefined][] = [
    ["litellm_settings.default_key_generate_params.duration", l.default_key_generate_params?.duration],
    ["litellm_settings.default_key_generate_params.budget_duration", l.default_key_generate_params?.budget_duration],
    ["litellm_settings.upperbound_key_generate_params.duration", l.upperbound_key_generate_params?.duration],
    ["litellm_settings.upperbound_key_generate_params.budget_duration", l.upperbound_key_generate_params?.budget_duration],
    ["litellm_settings.internal_user_budget_duration", l.internal_user_budget_duration],
    ["litellm_settings.budget_duration", l.budget_duration],
    ["litellm_settings.default_internal_user_params.budget_duration", l.default_internal_user_params?.budget_duration],
  ];
  const problems = values.flatMap(([path, value]) => {
    const parsed = parseDuration(value);
    return parsed.ok ? [] : [`${path}: ${parsed.reason}`];
  });
  if (l.timezone !== undefined && !isKnownTimeZone(l.timezone)) {
    problems.push(`litellm_settings.timezone: unknown time zone '${l.timezone}' (use an IANA name such as "Europe/Berlin", or "UTC")`);
  }
  return problems;
}

function resolveEnvRefs(value: unknown, env: Env, path: string, warnings: string[]): unknown {
  if (typeof value === "string") {
    const ref = ENV_REF.exec(value);
    if (!ref) return value;
    const name = ref[1]!;
    const found = env[name];
    if (found === undefined) warnings.push(`${path}: environment variable ${name} is not set; using null`);
    return found ?? null;
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveEnvRefs(v, env, `${path}[${i}]`, warnings));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, resolveEnvRefs(v, env, joinPath(path, k), warnings)]),
    );
  }
  return value;
}

/** One warning per key that a closed schema object does not declare (open objects pass through). */
function collectIgnoredKeys(schema: TSchema, value: unknown, path: string, warnings: string[]): void {
  if (TypeGuard.IsUnion(schema)) {
    for (const v of schema.anyOf) collectIgnoredKeys(v, value, path, warnings);
    return;
  }
  if (TypeGuard.IsArray(schema) && Array.isArray(value)) {
    value.forEach((item, i) => collectIgnoredKeys(schema.items, item, `${path}[${i}]`, warnings));
    return;
  }
  if (!TypeGuard.IsObject(schema) || !value || typeof value !== "object" || Array.isArray(value)) return;
  const props = schema.properties;
  for (const [k, v] of Object.entries(value)) {
    const child = props[k];
    if (child) collectIgnoredKeys(child, v, joinPath(path, k), warnings);
    else if (schema.additionalProperties !== true) {
      warnings.push(`${joinPath(path, k)}: not supported by Tollgate yet; ignored`);
    }
  }
}

/** One warning per logging callback Tollgate does not run (all but prometheus). */
function collectIgnoredCallbacks(litellm: unknown, warnings: string[]): void {
  if (!litellm || typeof litellm !== "object") return;
  for (const list of CALLBACK_LISTS) {
    const entries = (litellm as Record<string, unknown>)[list];
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      if (typeof entry === "string" && SUPPORTED_CALLBACKS.includes(entry)) continue;
      warnings.push(`litellm_settings.${list}: ${JSON.stringify(entry)} is not supported by Tollgate yet; ignored (only "prometheus" is)`);
    }
  }
}

function describeErrors(schema: TSchema, value: unknown): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const e of Value.Errors(schema, value)) {
    const path = pointerToPath(e.path);
    if (seen.has(path)) continue;
    seen.add(path);
    const reason = e.type === ValueErrorType.ObjectRequiredProperty ? "required" : e.message.replace(/^Expected/, "expected");
    problems.push(`${path || "config"}: ${reason}`);
  }
  return problems;
}

/** `/model_list/2/litellm_params/model` → `model_list[2].litellm_params.model` */
export function pointerToPath(pointer: string): string {
  return pointer
    .split("/")
    .filter(Boolean)
    .map((seg) => seg.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : joinPath(acc, seg)), "");
}

const joinPath = (base: string, key: string) => (base ? `${base}.${key}` : key);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
