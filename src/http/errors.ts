// Framework errors (validation, parse, not found, body too large) and unknown failures go
// through the same mapping as our own GatewayError.
import { Elysia, ValidationError } from "elysia";
import { GatewayError, toErrorResponse } from "../errors.ts";
import { describeError, type Logger, onceEvery } from "../log.ts";
import { pointerToPath } from "../config/load.ts";
import { rememberText } from "../proxy/request-text.ts";
import { isDatabaseUnavailable } from "../db/unavailable.ts";

export function toGatewayError(code: string | number, error: unknown, log: Logger, route: string): GatewayError {
  if (error instanceof GatewayError) return error;
  // Elysia wraps whatever our parse hook throws (413, 400) in a ParseError.
  const cause = (error as { cause?: unknown } | undefined)?.cause;
  if (cause instanceof GatewayError) return cause;
  switch (code) {
    case "VALIDATION":
      return fromValidation(error as ValidationError);
    case "PARSE":
      return GatewayError.badRequest("We could not parse the JSON body of your request.");
    case "NOT_FOUND":
      return new GatewayError({ status: 404, type: "not_found_error", message: `Route not found: ${route}` });
    case "INVALID_COOKIE_SIGNATURE":
      return GatewayError.auth("Invalid session cookie.");
  }
  if (typeof code === "number" && code >= 400 && code < 500) {
    return new GatewayError({ status: code, type: "invalid_request_error", message: (error as Error)?.message ?? "Bad request" });
  }
  if (isDatabaseUnavailable(error)) return databaseUnavailable(log, route, error);
  // Never echo an unknown cause: it may carry a secret. The log keeps it.
  log.error("unhandled error", { route, error: describeError(error) });
  return GatewayError.internal();
}

// An outage fails every request that needs the database (a key not in memory yet, an admin
// route): logged once per interval, not once per request.
const outageWarningDue = onceEvery(5_000);

function databaseUnavailable(log: Logger, route: string, error: unknown): GatewayError {
  if (outageWarningDue()) log.warn("database unavailable: requests that need it are answered 503", { route, error: describeError(error) });
  // LiteLLM's error type for it; 503 rather than its 500, since trying again later is the remedy.
  return new GatewayError({
    status: 503,
    type: "no_db_connection",
    message: "The database is unavailable, so this request could not be served. Try again shortly.",
  });
}

function fromValidation(error: ValidationError): GatewayError {
  const first = error.all[0] as { path?: string; message?: string; summary?: string; schema?: { error?: string } } | undefined;
  const param = first?.path ? pointerToPath(first.path) : "";
  const where = error.type === "body" ? "" : ` in ${error.type}`;
  const reason = first?.schema?.error ?? first?.summary ?? first?.message ?? "Invalid request";
  return GatewayError.badRequest(`${reason}${where}`, param || null);
}

/** Reads JSON bodies ourselves: one size limit, one parse error, the same shape for both. */
export function bodyHandling(maxBodyBytes: number) {
  return new Elysia({ name: "body-handling" })
    .onRequest(({ request }) => {
      const length = Number(request.headers.get("content-length") ?? 0);
      if (length > maxBodyBytes) throw GatewayError.tooLarge(maxBodyBytes);
    })
    .onParse({ as: "global" }, async ({ request, contentType }) => {
      if (!contentType?.includes("json")) return;
      const text = await request.text();
      if (text.length > maxBodyBytes) throw GatewayError.tooLarge(maxBodyBytes);
      if (text.trim() === "") return {};
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw GatewayError.badRequest("We could not parse the JSON body of your request.");
      }
      rememberText(body, text);
      return body;
    });
}

export function errorMapping(log: Logger) {
  return new Elysia({ name: "error-mapping" }).onError({ as: "global" }, ({ code, error, request, path }) => {
    const err = toGatewayError(code, error, log, `${request.method} ${path}`);
    return toErrorResponse(err);
  });
}
