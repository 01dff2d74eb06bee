import { expect, test } from "bun:test";
import { isDatabaseUnavailable } from "../../src/db/unavailable.ts";

const coded = (code: string, message = "x") => Object.assign(new Error(message), { code });
const wrapped = (cause: unknown) => Object.assign(new Error("Failed query: select 1"), { cause });

test("connection failures, a server that will not take connections, a locked or failing SQLite: unavailable", () => {
  for (const err of [
    coded("ECONNREFUSED"),
    coded("CONNECTION_CLOSED"),
    coded("CONNECT_TIMEOUT"),
    wrapped(coded("57P01", "terminating connection due to administrator command")),
    wrapped(coded("55000", 'database "x" is not currently accepting connections')),
    wrapped(coded("08006")),
    coded("53300", "sorry, too many clients already"),
    coded("SQLITE_BUSY", "database is locked"),
    coded("SQLITE_IOERR_WRITE"),
    coded("SQLITE_FULL"),
  ]) {
    expect(isDatabaseUnavailable(err)).toBe(true);
  }
});

test("faults of the query or the code are not", () => {
  for (const err of [
    new Error("plain"),
    wrapped(coded("23505", "duplicate key value violates unique constraint")),
    wrapped(coded("42P01", 'relation "x" does not exist')),
    coded("55000", "object not in prerequisite state"),
    coded("SQLITE_CONSTRAINT_UNIQUE"),
    coded("SQLITE_ERROR"),
    new TypeError("x is undefined"),
    undefined,
    "ECONNREFUSED",
  ]) {
    expect(isDatabaseUnavailable(err)).toBe(false);
  }
});
