// User writes and listings for the users API (lookups by id live in users.ts).
import { and, asc, count, desc, eq, inArray, ne, type SQL, sql } from "drizzle-orm";
import type { Store } from "../client.ts";
import { containsAnyCase } from "./contains.ts";
import type { UserRow } from "./users.ts";

export type NewUserRow = Store["t"]["users"]["$inferInsert"];

export type InsertUserResult = { ok: true; row: UserRow } | { ok: false; conflict: "user_id" | "user_email" };

export async function findUserByEmail(s: Store, email: string): Promise<UserRow | undefined> {
  const rows = await s.db.select().from(s.t.users).where(eq(s.t.users.userEmailLower, email.toLowerCase())).limit(1);
  return rows[0];
}

/** Insert guarded by the primary key and the unique lower-cased email, so concurrent creates cannot both win. */
export async function insertUser(s: Store, row: NewUserRow): Promise<InsertUserResult> {
  const withEmail = { ...row, userEmailLower: row.userEmail ? row.userEmail.toLowerCase() : null };
  const inserted = await s.db.insert(s.t.users).values(withEmail).onConflictDoNothing().returning();
  if (inserted[0]) return { ok: true, row: inserted[0] };
  const byId = await s.db.select({ id: s.t.users.userId }).from(s.t.users).where(eq(s.t.users.userId, row.userId)).limit(1);
  return { ok: false, conflict: byId.length > 0 ? "user_id" : "user_email" };
}

export async function updateUser(s: Store, userId: string, changes: Partial<NewUserRow>): Promise<UserRow | undefined> {
  const set: Partial<NewUserRow> = { ...changes, updatedAt: new Date() };
  if (changes.userEmail !== undefined) set.userEmailLower = changes.userEmail ? changes.userEmail.toLowerCase() : null;
  const rows = await s.db.update(s.t.users).set(set).where(eq(s.t.users.userId, userId)).returning();
  return rows[0];
}

export async function existingUserIds(s: Store, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await s.db.select({ id: s.t.users.userId }).from(s.t.users).where(inArray(s.t.users.userId, userIds));
  return rows.map((r) => r.id);
}

export async function deleteUserRows(s: Store, userIds: string[]): Promise<number> {
  if (userIds.length === 0) return 0;
  const rows = await s.db.delete(s.t.users).where(inArray(s.t.users.userId, userIds)).returning({ id: s.t.users.userId });
  return rows.length;
}

export interface UserListFilter {
  role?: string;
  userIds?: string[];
  emailContains?: string;
  teamId?: string;
}

export const USER_SORT = ["user_id", "user_email", "created_at", "spend", "user_alias", "user_role"] as const;
export type UserSort = (typeof USER_SORT)[number];

export async function listUsers(
  s: Store,
  filter: UserListFilter,
  page: { offset: number; limit: number; sortBy?: UserSort; sortOrder?: "asc" | "desc" },
): Promise<{ rows: UserRow[]; total: number }> {
  const u = s.t.users;
  const where: SQL[] = [];
  if (filter.role) where.push(eq(u.userRole, filter.role));
  if (filter.userIds?.length === 1) where.push(containsAnyCase(u.userId, filter.userIds[0]!));
  else if (filter.userIds && filter.userIds.length > 1) where.push(inArray(u.userId, filter.userIds));
  if (filter.emailContains) where.push(containsAnyCase(u.userEmailLower, filter.emailContains));
  if (filter.teamId) {
    const m = s.t.teamMembers;
    const members = s.db.select({ id: m.userId }).from(m).where(eq(m.teamId, filter.teamId));
    where.push(inArray(u.userId, members));
  }
  const condition = where.length > 0 ? and(...where) : undefined;
  const column = {
    user_id: u.userId, user_email: u.userEmail, created_at: u.createdAt, spend: u.spendNano, user_alias: u.userAlias, user_role: u.userRole,
  }[page.sortBy ?? "created_at"];
  // Default order (newest first) walks the (created_at, user_id) index backwards; ties break by id.
  const order = page.sortBy ? [page.sortOrder === "desc" ? desc(column) : asc(column), asc(u.userId)] : [desc(u.createdAt), desc(u.userId)];
  let ids: { id: string }[];
  let total: number;
  if (filter.emailContains) {
    // A "contains" search scans every row anyway: one pass gives the page and, through a window,
    // the count of every match. Other filters walk an index, where a separate count is cheaper.
    const rows = await s.db
      .select({ id: u.userId, total: sql<number>`count(*) over ()`.mapWith(Number) })
      .from(u).where(condition).orderBy(...order).limit(page.limit).offset(page.offset);
    ids = rows;
    total = rows[0]?.total ?? (page.offset === 0 ? 0 : await countUsers(s, condition));
  } else {
    [ids, total] = await Promise.all([
      s.db.select({ id: u.userId }).from(u).where(condition).orderBy(...order).limit(page.limit).offset(page.offset),
      countUsers(s, condition),
    ]);
  }
  const byId = new Map(
    ids.length === 0 ? [] : (await s.db.select().from(u).where(inArray(u.userId, ids.map((r) => r.id)))).map((r) => [r.userId, r]),
  );
  const rows = ids.map((r) => byId.get(r.id)).filter((r): r is UserRow => r !== undefined);
  return { rows, total };
}

/** How many users there are, but the row that holds the proxy-wide budget. */
export async function countAllUsers(s: Store, except: string): Promise<number> {
  const rows = await s.db.select({ n: count() }).from(s.t.users).where(ne(s.t.users.userId, except));
  return Number(rows[0]?.n ?? 0);
}

/** Every user id but `except`, oldest first, at most `limit`. */
export async function listAllUserIds(s: Store, except: string, limit: number): Promise<string[]> {
  const u = s.t.users;
  const rows = await s.db.select({ id: u.userId }).from(u).where(ne(u.userId, except)).orderBy(asc(u.createdAt), asc(u.userId)).limit(limit);
  return rows.map((r) => r.id);
}

/** The UI's user search: ids and emails containing the text (any case), optionally one team's, newest first. */
export async function searchUsers(
  s: Store,
  filter: { userIdContains?: string; emailContains?: string; teamId?: string },
  page: { offset: number; limit: number },
): Promise<{ userId: string; userEmail: string | null }[]> {
  const u = s.t.users;
  const m = s.t.teamMembers;
  const where = and(
    filter.userIdContains ? containsAnyCase(u.userId, filter.userIdContains) : undefined,
    filter.emailContains ? containsAnyCase(u.userEmail, filter.emailContains) : undefined,
    filter.teamId ? inArray(u.userId, s.db.select({ id: m.userId }).from(m).where(eq(m.teamId, filter.teamId))) : undefined,
  );
  return s.db.select({ userId: u.userId, userEmail: u.userEmail }).from(u).where(where).orderBy(desc(u.createdAt), desc(u.userId)).limit(page.limit).offset(page.offset);
}

async function countUsers(s: Store, condition: SQL | undefined): Promise<number> {
  const rows = await s.db.select({ n: count() }).from(s.t.users).where(condition);
  return Number(rows[0]?.n ?? 0);
}

export async function keyCountsByUser(s: Store, userIds: string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const k = s.t.keys;
  const rows = await s.db.select({ userId: k.userId, n: count() }).from(k).where(inArray(k.userId, userIds)).groupBy(k.userId);
  return new Map(rows.map((r) => [r.userId!, Number(r.n)]));
}


