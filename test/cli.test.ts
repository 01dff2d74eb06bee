import { expect, test } from "bun:test";
import { parseCli, resolveDatabaseTarget, UsageError } from "../src/cli.ts";

test.each([
  [[], { kind: "serve", options: { config: undefined, db: undefined, port: 4000, host: "0.0.0.0" } }],
  [["serve", "--config", "c.yaml", "--port", "8080", "--host", "127.0.0.1", "--db", "/tmp/x.db"],
    { kind: "serve", options: { config: "c.yaml", db: "/tmp/x.db", port: 8080, host: "127.0.0.1" } }],
  [["--config=c.yaml", "--db=postgres://u@h/db"], { kind: "serve", options: { config: "c.yaml", db: "postgres://u@h/db", port: 4000, host: "0.0.0.0" } }],
  [["check", "--config", "c.yaml"], { kind: "check", config: "c.yaml" }],
  [["migrate", "--db", "x.db"], { kind: "migrate", config: undefined, db: "x.db" }],
  [["--version"], { kind: "version" }],
  [["serve", "--help"], { kind: "help" }],
])("parseCli(%p)", (argv, expected) => {
  expect(parseCli(argv)).toEqual(expected as never);
});

test.each([
  [["--port", "http"], "--port must be an integer"],
  [["--port", "70000"], "--port must be an integer"],
  [["--config"], "--config needs a value"],
  [["--verbose"], "unknown argument: --verbose"],
  [["launch"], "unknown command: launch"],
  [["check", "--port", "1"], "--port is not an option of 'check'"],
])("parseCli(%p) is a usage error", (argv, message) => {
  expect(() => parseCli(argv)).toThrow(UsageError);
  expect(() => parseCli(argv)).toThrow(message);
});

test("storage precedence: --db, then DATABASE_URL, then general_settings.database_url, then ./tollgate.db", () => {
  expect(resolveDatabaseTarget("flag.db", { DATABASE_URL: "env.db" }, "cfg.db")).toBe("flag.db");
  expect(resolveDatabaseTarget(undefined, { DATABASE_URL: "env.db" }, "cfg.db")).toBe("env.db");
  expect(resolveDatabaseTarget(undefined, {}, "cfg.db")).toBe("cfg.db");
  expect(resolveDatabaseTarget(undefined, {}, null)).toBe("./tollgate.db");
});
