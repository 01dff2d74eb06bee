// User rows as the key API needs them: the caller's role, and team membership for the team seam.
import { eq } from "drizzle-orm";
import type { Store } from "../client.ts";

export type UserRow = Store["t"]["users"]["$inferSelect"];

export async function findUserById(s: Store, userId: string): Promise<UserRow | undefined> {
  const rows = await s.db.select().from(s.t.users).where(eq(s.t.users.userId, userId)).limit(1);
  return rows[0];
}

export async function findTeamMemberships(s: Store, userId: string): Promise<{ teamId: string; role: "admin" | "user" }[]> {
  const m = s.t.teamMembers;
  return s.db.select({ teamId: m.teamId, role: m.role }).from(m).where(eq(m.userId, userId));
}
