// Who is calling: resolved from the request headers, from memory for a known key.
import { GatewayError } from "../errors.ts";
import { isDatabaseUnavailable } from "../db/unavailable.ts";
import type { KeyRow } from "../db/store/keys.ts";
import type { TeamRow } from "../db/store/teams.ts";
import type { UserRow } from "../db/store/users.ts";
import { type Role, toRole } from "../policy/roles.ts";
import type { KeyCache } from "./key-cache.ts";
import { hashKey, isPlaintextKey, keyName, maskCredential } from "./key-format.ts";
import { type KeyFromHeaders, readKey } from "./key-header.ts";
import type { MasterKey } from "./master-key.ts";
import type { TeamCache } from "./team-cache.ts";
import type { UserCache } from "./user-cache.ts";

export const MASTER_USER_ID = "default_user_id";

/**
 * The master key acts as proxy_admin. A key's role is its user's user_role; a key with no user row
 * behind it is "unknown" (LLM and info routes only, contract §1.2).
 */
export type Principal =
  | { kind: "master"; userId: typeof MASTER_USER_ID; role: "proxy_admin" }
  | { kind: "key"; token: string; key: KeyRow; user: UserRow | undefined; team: TeamRow | undefined; role: Role };

/** The key an old secret of a regenerated key still leads to, during its grace period. */
export type GraceLookup = (oldToken: string, now: Date) => Promise<{ token: string; validUntil: Date } | undefined>;

export interface AuthDeps {
  masterKey: MasterKey;
  keys: KeyCache;
  users: UserCache;
  teams: TeamCache;
  graceToken: GraceLookup;
  customHeader?: string;
  now: () => number;
  /**
   * A key could not be checked because the database is unreachable: the principal to serve the
   * call as (general_settings.allow_requests_on_db_unavailable), or undefined for the 503.
   */
  onDatabaseUnavailable?: (err: unknown) => Principal | undefined;
}

/** `read`: the key as already read from these headers, when the caller has done that. */
export async function authenticate(headers: Headers, deps: AuthDeps, read: KeyFromHeaders = readKey(headers, deps.customHeader)): Promise<Principal> {
  if (read.kind === "missing") throw GatewayError.auth("Authentication Error, No api key passed in.");
  if (read.kind === "malformed") {
    throw GatewayError.auth("Authentication Error, Malformed API Key passed in. Ensure Key has `Bearer ` prefix.");
  }
  const value = read.value;
  // One hash per request: the master key is compared by hash, and a virtual key is looked up by it.
  const token = hashKey(value);
  if (deps.masterKey.matchesHash(token)) return { kind: "master", userId: MASTER_USER_ID, role: "proxy_admin" };
  if (!isPlaintextKey(value)) {
    throw GatewayError.auth(
      `Authentication Error, LiteLLM Virtual Key expected. Received=${maskCredential(value)}, expected to start with 'sk-'.`,
    );
  }
  try {
    const key = (await deps.keys.get(token)) ?? (await viaGracePeriod(token, deps));
    if (key) return await principalOfKey(key, deps);
  } catch (err) {
    // The database could not be reached to check the key: a 503, or the configured fallback.
    const fallback = !(err instanceof GatewayError) && isDatabaseUnavailable(err) ? deps.onDatabaseUnavailable?.(err) : undefined;
    if (fallback) return fallback;
    throw err;
  }
  throw GatewayError.auth(
    `Authentication Error, Invalid proxy server token passed. Received API Key = ${keyName(value)}, Key Hash (Token) =${token}. Unable to find token in cache or \`LiteLLM_VerificationTokenTable\``,
  );
}

/** The principal of a key known by its hash (a UI session holds the hash, never the plaintext). */
export async function principalOfToken(token: string, deps: AuthDeps): Promise<Principal> {
  const key = await deps.keys.get(token);
  if (!key) throw GatewayError.auth("Authentication Error, the key of this session no longer exists. Sign in again.");
  return principalOfKey(key, deps);
}

type KeyPrincipal = Extract<Principal, { kind: "key" }>;

// The caches hand out a new row after any change, so a principal made from the same key, user and
// team rows is the same principal: kept per key row instead of made on every call.
const principals = new WeakMap<KeyRow, KeyPrincipal>();

async function principalOfKey(key: KeyRow, deps: AuthDeps): Promise<Principal> {
  checkKeyUsable(key, deps.now());
  const user = key.userId === null ? undefined : deps.users.get(key.userId);
  const team = key.teamId === null ? undefined : deps.teams.get(key.teamId);
  const [userRow, teamRow] = user === undefined && team === undefined ? [undefined, undefined] : await Promise.all([user, team]);
  if (teamRow?.blocked) {
    throw GatewayError.auth(`Authentication Error, Team=${teamRow.teamId} is blocked. Update via \`/team/unblock\` if you're an admin.`);
  }
  const kept = principals.get(key);
  if (kept && kept.user === userRow && kept.team === teamRow) return kept;
  const principal: KeyPrincipal = { kind: "key", token: key.token, key, user: userRow, team: teamRow, role: userRow ? toRole(userRow.userRole) : "unknown" };
  principals.set(key, principal);
  return principal;
}

// Unknown tokens are not cached, so this lookup runs only for secrets that are not current keys.
async function viaGracePeriod(oldToken: string, deps: AuthDeps): Promise<KeyRow | undefined> {
  const grace = await deps.graceToken(oldToken, new Date(deps.now()));
  return grace ? deps.keys.get(grace.token) : undefined;
}

/** Blocked and expired keys are refused on every authenticated route (contract §3.2, §4.7). */
export function checkKeyUsable(key: KeyRow, nowMs: number): void {
  if (key.blocked) {
    throw GatewayError.auth("Authentication Error, Key is blocked. Update via `/key/unblock` if you're an admin.");
  }
  if (key.expiresAt && key.expiresAt.getTime() <= nowMs) {
    throw new GatewayError({
      status: 401,
      type: "expired_key",
      param: key.keyName,
      message: `Authentication Error - Expired Key. Key Expiry time ${key.expiresAt.toISOString()} and current time ${new Date(nowMs).toISOString()}`,
    });
  }
}
