import { eq } from "drizzle-orm";
import type { Store } from "../client.ts";

export type KeyRow = Store["t"]["keys"]["$inferSelect"];
export type NewKeyRow = Store["t"]["keys"]["$inferInsert"];

export async function findKeyByToken(s: Store, token: string): Promise<KeyRow | undefined> {
  const rows = await s.db.select().from(s.t.keys).where(eq(s.t.keys.token, token)).limit(1);
  return rows[0];
}

export async function insertKey(s: Store, row: NewKeyRow): Promise<KeyRow> {
  const rows = await s.db.insert(s.t.keys).values(row).returning();
  return rows[0]!;
}
