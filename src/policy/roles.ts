// Caller roles (contract §2.4). "unknown" is a key whose user_id has no row in the users table: it may
// use the LLM and info routes but manage nothing (§1.2).
export const USER_ROLES = ["proxy_admin", "proxy_admin_viewer", "org_admin", "internal_user", "internal_user_viewer"] as const;
export type UserRole = (typeof USER_ROLES)[number];
export type Role = UserRole | "unknown";

/** A stored user_role; null or an unrecognised value counts as internal_user, as in LiteLLM. */
export function toRole(stored: string | null | undefined): UserRole {
  return (USER_ROLES as readonly string[]).includes(stored ?? "") ? (stored as UserRole) : "internal_user";
}

export const isProxyAdmin = (role: Role) => role === "proxy_admin";
/** Roles that may read every key and every spend figure. */
export const canReadAll = (role: Role) => role === "proxy_admin" || role === "proxy_admin_viewer";
