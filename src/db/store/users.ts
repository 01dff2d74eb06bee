// User rows as the key API needs them: the caller's role, and team membership for the team seam.
import { eq, inArray } from "drizzle-orm";
import type { Store } from "../client.ts";

export type UserRow = Store["t"]["users"]["$inferSelect"];

export async function findUserById(s: Store, userId: string): Promise<UserRow | undefined> {
  const rows = await s.db.select().from(s.t.users).where(eq(s.t.users.userId, userId)).limit(1);
  return rows[0];
}

export async function findUsersByIds(s: Store, userIds: readonly string[]): Promise<UserRow[]> {
  if (userIds.length === 0) return [];
  return s.db.select().from(s.t.users).where(inArray(s.t.users.userId, [...userIds]));
}

/** A user's teams, their role in each, and what each team lets its plain members do to its keys. */
export async function findTeamMemberships(s: Store, userId: string): Promise<{ teamId: string; role: "admin" | "user"; teamMemberPermissions: string[] | null }[]> {
  const { teamMembers: m, teams } = s.t;
  return s.db
    .select({ teamId: m.teamId, role: m.role, teamMemberPermissions: teams.teamMemberPermissions })
    .from(m)
    .leftJoin(teams, eq(teams.teamId, m.teamId))
    .where(eq(m.userId, userId));
}
