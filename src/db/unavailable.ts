// Whether an error means the database could not be reached or could not take the query right now
// (Postgres down, refusing connections, out of connections; SQLite locked past its busy timeout,
// or its disk failing or full), as opposed to a fault in the query or the code. Such a failure is
// the server's state, not the caller's doing, and not a bug: the API answers it with a 503.

// postgres.js's own codes for a connection that failed or went away, and the socket's.
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED", "CONNECT_TIMEOUT",
  "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "EAI_AGAIN",
]);

// Postgres SQLSTATEs: the server is shutting down or starting, out of connections, in read-only
// recovery, or the database is gone. Class 08 (connection exceptions) is matched by its prefix.
const SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300", "3D000", "25006"]);

// SQLite result codes (extended ones share the primary code as prefix, e.g. SQLITE_IOERR_WRITE).
const SQLITE_PREFIXES = ["SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_READONLY"];

function unavailableItself(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code !== "string") return false;
  if (CONNECTION_CODES.has(code) || SQLSTATES.has(code) || code.startsWith("08")) return true;
  // 55000 is "object not in prerequisite state" in general; for a connection it means the
  // database was told not to accept any (ALTER DATABASE ... ALLOW_CONNECTIONS false).
  if (code === "55000") return typeof message === "string" && message.includes("accepting connections");
  return SQLITE_PREFIXES.some((p) => code === p || code.startsWith(`${p}_`));
}

/** The error or one of its causes (drizzle wraps the driver's error in its own). */
export function isDatabaseUnavailable(err: unknown): boolean {
  let current = err;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (unavailableItself(current)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
