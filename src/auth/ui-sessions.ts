// Sign-in for the admin UI and the session cookie that stands in for an Authorization header.
// Credentials: UI_USERNAME/UI_PASSWORD (defaults "admin" / the master key), the master key itself,
// or a user's own sk- key. The session resolves to the same Principal the header would.
import { GatewayError } from "../errors.ts";
import type { AppDeps } from "../deps.ts";
import { insertSettingOnce } from "../db/store/settings.ts";
import { hashKey } from "./key-format.ts";
import { authenticate, MASTER_USER_ID, type AuthDeps, type Principal, principalOfToken } from "./principal.ts";
import { newCsrfToken, sameString, type SessionPayload, signSession, verifySession } from "./session-token.ts";
import { canReadAll } from "../policy/roles.ts";

export const SESSION_COOKIE = "tollgate_session";
export const CSRF_COOKIE = "tollgate_csrf";
export const CSRF_HEADER = "x-csrf-token";
export const SESSION_TTL_S = 12 * 60 * 60;
const SECRET_SETTING = "ui_session_secret";

export interface UiSessions {
  /** A signed session for these credentials, or a 401. */
  signIn(username: string | undefined, password: string): Promise<{ token: string; payload: SessionPayload; principal: Principal }>;
  /** The session in this request's cookie, or undefined when there is none or it is invalid/expired. */
  read(headers: Headers): Promise<SessionPayload | undefined>;
  principalOf(payload: SessionPayload): Promise<Principal>;
}

const instances = new WeakMap<AppDeps, UiSessions>();

/** One per AppDeps, so the guard and the /login routes share the secret (read once). */
export function uiSessions(deps: AppDeps, authDeps: AuthDeps): UiSessions {
  let found = instances.get(deps);
  if (!found) {
    found = createUiSessions(deps, authDeps);
    instances.set(deps, found);
  }
  return found;
}

function createUiSessions(deps: AppDeps, authDeps: AuthDeps): UiSessions {
  const general = deps.config.general;
  const username = general.ui_username ?? "admin";
  const passwordHash = general.ui_password ? hashKey(general.ui_password) : undefined;
  let secret: Promise<string> | undefined;
  // Every instance on one database must sign with the same secret: the first insert wins.
  const secretOnce = () =>
    (secret ??= general.ui_session_secret
      ? Promise.resolve(general.ui_session_secret)
      : insertSettingOnce(deps.store, SECRET_SETTING, Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url")));

  // general_settings.ui_access_mode: admin_only keeps everyone but admins and admin viewers out of the UI.
  const checkUiAccess = (principal: Principal) => {
    if (general.ui_access_mode !== "admin_only" || canReadAll(principal.role)) return;
    throw GatewayError.auth(`User not allowed to access proxy. User role=${principal.role}, proxy mode=admin_only`);
  };

  const uiPasswordMatches = (password: string) =>
    passwordHash ? sameString(hashKey(password), passwordHash) : deps.masterKey.matches(password);

  return {
    async signIn(user, password) {
      let principal: Principal;
      if (user === username && uiPasswordMatches(password)) {
        principal = { kind: "master", userId: MASTER_USER_ID, role: "proxy_admin" };
      } else {
        try {
          principal = await authenticate(new Headers({ authorization: `Bearer ${password}` }), authDeps);
        } catch (err) {
          // Blocked or expired keys say so; anything else is one generic answer.
          if (err instanceof GatewayError && /blocked|Expired/.test(err.message)) throw err;
          throw GatewayError.auth("Invalid credentials: sign in with the UI username and password, the master key, or your own sk- key.");
        }
      }
      checkUiAccess(principal);
      const payload: SessionPayload = {
        sub: principal.kind === "master" ? { kind: "master" } : { kind: "key", token: principal.token },
        exp: Math.floor(deps.now() / 1000) + SESSION_TTL_S,
        csrf: newCsrfToken(),
      };
      return { token: signSession(payload, await secretOnce()), payload, principal };
    },
    async read(headers) {
      const value = readCookie(headers.get("cookie"), SESSION_COOKIE);
      if (!value) return undefined;
      return verifySession(value, await secretOnce(), deps.now());
    },
    async principalOf(payload) {
      if (payload.sub.kind === "master") return { kind: "master", userId: MASTER_USER_ID, role: "proxy_admin" };
      // Checked on every use too: a session outlives a change of role or of ui_access_mode.
      const principal = await principalOfToken(payload.sub.token, authDeps);
      checkUiAccess(principal);
      return principal;
    },
  };
}

export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A cookie-authenticated call that changes state must echo the session's CSRF token in a header. */
export function checkCsrf(method: string, headers: Headers, payload: SessionPayload): void {
  if (SAFE_METHODS.has(method.toUpperCase())) return;
  const sent = headers.get(CSRF_HEADER);
  if (!sent || !sameString(sent, payload.csrf)) {
    throw GatewayError.forbidden(`Missing or wrong ${CSRF_HEADER} header: state-changing calls made with the UI session cookie must carry it.`);
  }
}
