// The one error type. Everything that goes wrong, ours or the framework's, leaves as
// {"error":{"message","type","param","code"}} with `code` = the HTTP status as a string (LiteLLM's
// current behaviour, contract §3.1), built in exactly one place: toErrorResponse.

export interface GatewayErrorInit {
  status: number;
  type: string;
  message: string;
  param?: string | null;
  retryAfterS?: number;
  headers?: Record<string, string>;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly retryAfterS: number | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(init: GatewayErrorInit) {
    super(init.message);
    this.name = "GatewayError";
    this.status = init.status;
    this.type = init.type;
    this.param = init.param ?? null;
    this.retryAfterS = init.retryAfterS;
    this.headers = init.headers;
  }

  static badRequest(message: string, param: string | null = null) {
    return new GatewayError({ status: 400, type: "invalid_request_error", message, param });
  }
  static auth(message: string, param: string | null = null) {
    return new GatewayError({ status: 401, type: "auth_error", message, param });
  }
  static forbidden(message: string, param: string | null = null) {
    return new GatewayError({ status: 403, type: "auth_error", message, param });
  }
  static notFound(message: string, param: string | null = null) {
    return new GatewayError({ status: 404, type: "not_found_error", message, param });
  }
  static conflict(message: string, param: string | null = null) {
    return new GatewayError({ status: 409, type: "invalid_request_error", message, param });
  }
  static tooLarge(limitBytes: number) {
    return new GatewayError({
      status: 413,
      type: "invalid_request_error",
      message: `Request body is larger than the limit of ${limitBytes} bytes.`,
    });
  }
  static unavailable(message: string) {
    return new GatewayError({ status: 503, type: "service_unavailable_error", message });
  }
  static internal() {
    return new GatewayError({ status: 500, type: "api_error", message: "Internal server error. The cause has been logged." });
  }
}

export function errorBody(err: GatewayError) {
  return { error: { message: err.message, type: err.type, param: err.param, code: String(err.status) } };
}

export function toErrorResponse(err: GatewayError): Response {
  const headers: Record<string, string> = { "content-type": "application/json", ...err.headers };
  if (err.retryAfterS !== undefined) headers["retry-after"] = String(Math.max(0, Math.ceil(err.retryAfterS)));
  return new Response(JSON.stringify(errorBody(err)), { status: err.status, headers });
}
