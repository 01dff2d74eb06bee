// Deletions that cascade from users and teams to their keys. Returns the deleted key hashes so the
// caller can invalidate caches.
import { inArray } from "drizzle-orm";
import type { Store } from "../client.ts";

export async function deleteKeysOfUsers(s: Store, userIds: string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const rows = await s.db.delete(s.t.keys).where(inArray(s.t.keys.userId, userIds)).returning({ token: s.t.keys.token });
  return rows.map((r) => r.token);
}

export async function deleteKeysOfTeams(s: Store, teamIds: string[]): Promise<string[]> {
  if (teamIds.length === 0) return [];
  const rows = await s.db.delete(s.t.keys).where(inArray(s.t.keys.teamId, teamIds)).returning({ token: s.t.keys.token });
  return rows.map((r) => r.token);
}
