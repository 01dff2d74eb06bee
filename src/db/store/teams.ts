// Teams and their memberships. Written once for both dialects.
import { and, asc, count, desc, eq, inArray } from "drizzle-orm";
import type { Store } from "../client.ts";
import { containsAnyCase } from "./contains.ts";

export type TeamRow = Store["t"]["teams"]["$inferSelect"];
export type NewTeamRow = Store["t"]["teams"]["$inferInsert"];
export type MemberRow = Store["t"]["teamMembers"]["$inferSelect"];
export type NewMemberRow = Store["t"]["teamMembers"]["$inferInsert"];

export async function findTeam(s: Store, teamId: string): Promise<TeamRow | undefined> {
  const rows = await s.db.select().from(s.t.teams).where(eq(s.t.teams.teamId, teamId)).limit(1);
  return rows[0];
}

/** Inserts the team; false when the id is taken (checked by the primary key, so concurrent-safe). */
export async function insertTeam(s: Store, row: NewTeamRow): Promise<TeamRow | undefined> {
  const rows = await s.db.insert(s.t.teams).values(row).onConflictDoNothing().returning();
  return rows[0];
}

export async function updateTeam(s: Store, teamId: string, changes: Partial<NewTeamRow>): Promise<TeamRow | undefined> {
  const rows = await s.db.update(s.t.teams).set({ ...changes, updatedAt: new Date() }).where(eq(s.t.teams.teamId, teamId)).returning();
  return rows[0];
}

export interface TeamFilter {
  teamIds?: string[];
  teamAlias?: string;
}

const teamWhere = (t: Store["t"]["teams"], f: TeamFilter) =>
  and(f.teamIds ? inArray(t.teamId, f.teamIds) : undefined, f.teamAlias !== undefined ? eq(t.teamAlias, f.teamAlias) : undefined);

export async function listTeams(s: Store, filter: TeamFilter = {}, page?: { offset: number; limit: number }): Promise<TeamRow[]> {
  const t = s.t.teams;
  if (filter.teamIds?.length === 0) return [];
  const q = s.db.select().from(t).where(teamWhere(t, filter)).orderBy(asc(t.createdAt), asc(t.teamId));
  return page ? q.limit(page.limit).offset(page.offset) : q;
}

export async function countTeams(s: Store, filter: TeamFilter = {}): Promise<number> {
  const t = s.t.teams;
  if (filter.teamIds?.length === 0) return 0;
  const [row] = await s.db.select({ n: count() }).from(t).where(teamWhere(t, filter));
  return Number(row?.n ?? 0);
}

/** The UI's team search: ids and aliases containing the text (any case), newest first. */
export async function searchTeams(
  s: Store,
  filter: { teamIdContains?: string; aliasContains?: string; teamIds?: string[] },
  page: { offset: number; limit: number },
): Promise<TeamRow[]> {
  const t = s.t.teams;
  if (filter.teamIds?.length === 0) return [];
  const where = and(
    filter.teamIds ? inArray(t.teamId, filter.teamIds) : undefined,
    filter.teamIdContains ? containsAnyCase(t.teamId, filter.teamIdContains) : undefined,
    filter.aliasContains ? containsAnyCase(t.teamAlias, filter.aliasContains) : undefined,
  );
  return s.db.select().from(t).where(where).orderBy(desc(t.createdAt), asc(t.teamId)).limit(page.limit).offset(page.offset);
}

/** Members of many teams in one query, grouped by team. */
export async function membersOfTeams(s: Store, teamIds: string[]): Promise<Map<string, MemberRow[]>> {
  const grouped = new Map<string, MemberRow[]>(teamIds.map((id) => [id, []]));
  if (teamIds.length === 0) return grouped;
  const m = s.t.teamMembers;
  const rows = await s.db.select().from(m).where(inArray(m.teamId, teamIds)).orderBy(asc(m.createdAt), asc(m.userId));
  for (const row of rows) grouped.get(row.teamId)?.push(row);
  return grouped;
}

export async function deleteTeamRows(s: Store, teamIds: string[]): Promise<number> {
  if (teamIds.length === 0) return 0;
  await s.db.delete(s.t.teamMembers).where(inArray(s.t.teamMembers.teamId, teamIds));
  const rows = await s.db.delete(s.t.teams).where(inArray(s.t.teams.teamId, teamIds)).returning({ id: s.t.teams.teamId });
  return rows.length;
}

export async function membersOf(s: Store, teamId: string): Promise<MemberRow[]> {
  const m = s.t.teamMembers;
  return s.db.select().from(m).where(eq(m.teamId, teamId)).orderBy(asc(m.createdAt), asc(m.userId));
}

export async function membershipsOfUser(s: Store, userId: string): Promise<MemberRow[]> {
  const m = s.t.teamMembers;
  return s.db.select().from(m).where(eq(m.userId, userId)).orderBy(asc(m.createdAt));
}

export async function findMember(s: Store, teamId: string, userId: string): Promise<MemberRow | undefined> {
  const m = s.t.teamMembers;
  const rows = await s.db.select().from(m).where(and(eq(m.teamId, teamId), eq(m.userId, userId))).limit(1);
  return rows[0];
}

/** Adds a membership; undefined when the user already is a member. */
export async function insertMember(s: Store, row: NewMemberRow): Promise<MemberRow | undefined> {
  const rows = await s.db.insert(s.t.teamMembers).values(row).onConflictDoNothing().returning();
  return rows[0];
}

export async function updateMember(s: Store, teamId: string, userId: string, changes: Partial<NewMemberRow>): Promise<MemberRow | undefined> {
  const m = s.t.teamMembers;
  const rows = await s.db.update(m).set(changes).where(and(eq(m.teamId, teamId), eq(m.userId, userId))).returning();
  return rows[0];
}

export async function deleteMember(s: Store, teamId: string, userId: string): Promise<boolean> {
  const m = s.t.teamMembers;
  const rows = await s.db.delete(m).where(and(eq(m.teamId, teamId), eq(m.userId, userId))).returning({ userId: m.userId });
  return rows.length > 0;
}

export async function deleteMembershipsOfUsers(s: Store, userIds: string[]): Promise<void> {
  if (userIds.length > 0) await s.db.delete(s.t.teamMembers).where(inArray(s.t.teamMembers.userId, userIds));
}

export async function memberCount(s: Store, teamId: string): Promise<number> {
  const m = s.t.teamMembers;
  const rows = await s.db.select({ n: count() }).from(m).where(eq(m.teamId, teamId));
  return Number(rows[0]?.n ?? 0);
}
