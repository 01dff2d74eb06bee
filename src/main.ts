import "./raise-upstream-limit.ts";
import "./env-setup.ts";
import { maskedConfig } from "./config/mask.ts";
import { ConfigError } from "./config/load.ts";
import { parseCli, resolveDatabaseTarget, USAGE, UsageError } from "./cli.ts";
import { createLogger } from "./log.ts";
import { loadConfig, openMigratedStore, serve } from "./serve.ts";
import { VERSION } from "./version.ts";

const log = createLogger((Bun.env.TOLLGATE_LOG_LEVEL as "debug" | "info" | "warn" | "error" | undefined) ?? "info");
const env = { ...Bun.env };

async function main(): Promise<number> {
  const command = parseCli(Bun.argv.slice(2));
  switch (command.kind) {
    case "help":
      process.stdout.write(USAGE);
      return 0;
    case "version":
      process.stdout.write(`tollgate ${VERSION}\n`);
      return 0;
    case "check": {
      if (!command.config) throw new UsageError("check needs --config FILE");
      const { config, warnings } = await loadConfig(command.config, env, log);
      process.stdout.write(Bun.YAML.stringify(maskedConfig(config), null, 2) + "\n");
      process.stdout.write(`config OK: ${config.modelList.length} model(s), ${warnings.length} warning(s)\n`);
      return 0;
    }
    case "migrate": {
      const { config } = await loadConfig(command.config, env, log);
      const store = await openMigratedStore(resolveDatabaseTarget(command.db, env, config.general.database_url), log);
      await store.close();
      return 0;
    }
    case "serve":
      await serve(command.options, env, log);
      return -1; // keeps running until a signal
  }
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err) => {
    if (err instanceof UsageError) {
      process.stderr.write(`tollgate: ${err.message}\n\n${USAGE}`);
      process.exit(2);
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`tollgate: ${err.message}\n`);
      process.exit(1);
    }
    log.error("startup failed", { error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  },
);
