// Every call the UI makes goes through here: same-origin, the session cookie rides along, and
// state-changing calls echo the CSRF token. API errors become ApiError with the server's words.

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly type?: string) {
    super(message);
  }
  /** The route is not there (yet): another part of the gateway has not shipped it. */
  get missingRoute(): boolean {
    return this.status === 404 && /Route not found/i.test(this.message);
  }
}

let csrfToken = "";
export const setCsrfToken = (token: string) => (csrfToken = token);

/** The CSRF token a cookie-authenticated state change must carry. */
export const currentCsrf = () => csrfToken || csrfFromCookie();

function csrfFromCookie(): string {
  const m = /(?:^|;\s*)tollgate_csrf=([^;]*)/.exec(document.cookie);
  return m ? decodeURIComponent(m[1]!) : "";
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export async function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const h = new Headers(headers);
  if (body !== undefined) h.set("content-type", "application/json");
  if (method !== "GET" && !h.has("authorization")) h.set("x-csrf-token", currentCsrf());
  let res: Response;
  try {
    res = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  } catch (err) {
    throw new ApiError(0, `The gateway could not be reached (${(err as Error).message}).`);
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

export async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as { error?: { message?: string; type?: string } | string; detail?: string };
    if (typeof body.error === "object" && body.error?.message) return new ApiError(res.status, body.error.message, body.error.type);
    if (typeof body.error === "string") return new ApiError(res.status, body.error);
    if (typeof body.detail === "string") return new ApiError(res.status, body.detail);
  } catch {
    // not JSON: fall through to the raw text
  }
  return new ApiError(res.status, text.trim() || `HTTP ${res.status} ${res.statusText}`);
}

export const get = async <T>(path: string, query?: Query): Promise<T> => (await request("GET", withQuery(path, query))).json() as Promise<T>;
export const post = async <T>(path: string, body: unknown = {}): Promise<T> => (await request("POST", path, body)).json() as Promise<T>;
