// End users (customers, /customer/*): rows created on first use by the ledger or by an admin.
import { asc, eq, inArray } from "drizzle-orm";
import type { Store } from "../client.ts";

export type EndUserRow = Store["t"]["endUsers"]["$inferSelect"];
export type NewEndUserRow = Store["t"]["endUsers"]["$inferInsert"];
export type EndUserPatch = Partial<Omit<NewEndUserRow, "userId" | "createdAt">>;

export async function findEndUser(s: Store, userId: string): Promise<EndUserRow | undefined> {
  return (await s.db.select().from(s.t.endUsers).where(eq(s.t.endUsers.userId, userId)).limit(1))[0];
}

/** undefined when the id is taken. */
export async function insertEndUser(s: Store, row: NewEndUserRow): Promise<EndUserRow | undefined> {
  return (await s.db.insert(s.t.endUsers).values(row).onConflictDoNothing().returning())[0];
}

export async function updateEndUser(s: Store, userId: string, patch: EndUserPatch): Promise<EndUserRow | undefined> {
  if (Object.keys(patch).length === 0) return findEndUser(s, userId);
  return (await s.db.update(s.t.endUsers).set(patch).where(eq(s.t.endUsers.userId, userId)).returning())[0];
}

export async function deleteEndUsers(s: Store, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  return (await s.db.delete(s.t.endUsers).where(inArray(s.t.endUsers.userId, [...ids])).returning({ id: s.t.endUsers.userId })).map((r) => r.id);
}

export async function listEndUsers(s: Store): Promise<EndUserRow[]> {
  return s.db.select().from(s.t.endUsers).orderBy(asc(s.t.endUsers.createdAt), asc(s.t.endUsers.userId));
}

/** Blocks or unblocks, creating unknown ids (LiteLLM blocks ids before their first call too). */
export async function setEndUsersBlocked(s: Store, ids: readonly string[], blocked: boolean): Promise<string[]> {
  const e = s.t.endUsers;
  const out: string[] = [];
  for (const id of ids) {
    const rows = await s.db.insert(e).values({ userId: id, blocked }).onConflictDoUpdate({ target: e.userId, set: { blocked } }).returning({ id: e.userId });
    out.push(...rows.map((r) => r.id));
  }
  return out;
}

/** A tier changed: copy its limits onto every end user attached to it; returns their ids. */
export async function applyBudgetToEndUsers(s: Store, budgetId: string, patch: EndUserPatch): Promise<string[]> {
  const e = s.t.endUsers;
  return (await s.db.update(e).set(patch).where(eq(e.budgetId, budgetId)).returning({ id: e.userId })).map((r) => r.id);
}
