// The audit log: one row per change of a key, user, team or model (LiteLLM's LiteLLM_AuditLog).
import { and, asc, count, desc, eq, gte, lte, type SQL } from "drizzle-orm";
import type { Store } from "../client.ts";

export type AuditRow = Store["t"]["auditLogs"]["$inferSelect"];
export type NewAuditRow = Store["t"]["auditLogs"]["$inferInsert"];

export async function insertAuditRows(s: Store, rows: NewAuditRow[]): Promise<void> {
  if (rows.length) await s.db.insert(s.t.auditLogs).values(rows);
}

export interface AuditFilter {
  changedBy?: string;
  changedByApiKey?: string;
  action?: string;
  tableName?: string;
  objectId?: string;
  from?: Date;
  to?: Date;
}

/** Newest first unless `order` says otherwise; ties broken by id, so pages never overlap. */
export async function listAuditRows(
  s: Store,
  f: AuditFilter,
  page: { offset: number; limit: number },
  order: "asc" | "desc" = "desc",
): Promise<{ rows: AuditRow[]; total: number }> {
  const a = s.t.auditLogs;
  const conditions: (SQL | undefined)[] = [
    f.changedBy !== undefined ? eq(a.changedBy, f.changedBy) : undefined,
    f.changedByApiKey !== undefined ? eq(a.changedByApiKey, f.changedByApiKey) : undefined,
    f.action !== undefined ? eq(a.action, f.action) : undefined,
    f.tableName !== undefined ? eq(a.tableName, f.tableName) : undefined,
    f.objectId !== undefined ? eq(a.objectId, f.objectId) : undefined,
    f.from ? gte(a.updatedAt, f.from) : undefined,
    f.to ? lte(a.updatedAt, f.to) : undefined,
  ];
  const where = and(...conditions);
  const direction = order === "asc" ? asc : desc;
  const [rows, totals] = await Promise.all([
    s.db.select().from(a).where(where).orderBy(direction(a.updatedAt), direction(a.id)).limit(page.limit).offset(page.offset),
    s.db.select({ n: count() }).from(a).where(where),
  ]);
  return { rows, total: Number(totals[0]?.n ?? 0) };
}

export async function findAuditRow(s: Store, id: string): Promise<AuditRow | undefined> {
  const rows = await s.db.select().from(s.t.auditLogs).where(eq(s.t.auditLogs.id, id)).limit(1);
  return rows[0];
}
