// Command-line parsing: argv in, a command out. No I/O here.

export interface ServeOptions {
  config?: string;
  port: number;
  host: string;
  db?: string;
}

export type Command =
  | { kind: "serve"; options: ServeOptions }
  | { kind: "check"; config?: string }
  | { kind: "migrate"; config?: string; db?: string }
  | { kind: "version" }
  | { kind: "help" };

export class UsageError extends Error {}

export const DEFAULT_PORT = 4000;
export const DEFAULT_HOST = "0.0.0.0";

export const USAGE = `Tollgate: an LLM gateway compatible with the LiteLLM proxy.

Usage:
  tollgate [serve] [--config FILE] [--port N] [--host ADDR] [--db PATH_OR_URL]
  tollgate check --config FILE       validate a config and print it with secrets masked
  tollgate migrate [--config FILE] [--db PATH_OR_URL]
  tollgate --version
  tollgate --help

Options:
  --config FILE   a LiteLLM-style config.yaml (model_list, general_settings, ...)
  --port N        port to listen on (default ${DEFAULT_PORT})
  --host ADDR     address to bind (default ${DEFAULT_HOST})
  --db TARGET     SQLite file path, or a postgres:// URL. Otherwise DATABASE_URL, then
                  general_settings.database_url, then ./tollgate.db
`;

const VALUE_FLAGS = new Set(["--config", "--port", "--host", "--db"]);

export function parseCli(argv: readonly string[]): Command {
  const args = [...argv];
  if (args.some((a) => a === "--help" || a === "-h")) return { kind: "help" };
  if (args.some((a) => a === "--version" || a === "-v")) return { kind: "version" };

  let verb = "serve";
  if (args[0] && !args[0].startsWith("-")) verb = args.shift()!;
  const flags = new Map<string, string>();
  while (args.length > 0) {
    const arg = args.shift()!;
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!VALUE_FLAGS.has(name)) throw new UsageError(`unknown argument: ${arg}`);
    const value = eq > 0 ? arg.slice(eq + 1) : args.shift();
    if (value === undefined || value === "") throw new UsageError(`${name} needs a value`);
    flags.set(name, value);
  }

  const only = (allowed: string[]) => {
    for (const f of flags.keys()) if (!allowed.includes(f)) throw new UsageError(`${f} is not an option of '${verb}'`);
  };
  switch (verb) {
    case "serve":
      return { kind: "serve", options: { config: flags.get("--config"), db: flags.get("--db"), port: parsePort(flags.get("--port")), host: flags.get("--host") ?? DEFAULT_HOST } };
    case "check":
      only(["--config"]);
      return { kind: "check", config: flags.get("--config") };
    case "migrate":
      only(["--config", "--db"]);
      return { kind: "migrate", config: flags.get("--config"), db: flags.get("--db") };
    default:
      throw new UsageError(`unknown command: ${verb}`);
  }
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535, got ${value}`);
  return port;
}

/** Storage choice: --db, else DATABASE_URL, else general_settings.database_url, else ./tollgate.db. */
export function resolveDatabaseTarget(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, configured: string | null | undefined): string {
  return flag || env.DATABASE_URL || configured || "./tollgate.db";
}
