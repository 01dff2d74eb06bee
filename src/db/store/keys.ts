// Key rows. Every write is a single statement, so it is atomic on both dialects (bun-sqlite
// transactions cannot span awaits); alias uniqueness is left to the unique index, which is the only
// check that holds under concurrent writers.
import { and, type AnyColumn, asc, count, desc, eq, gt, inArray, isNotNull, isNull, or, type SQL, sql } from "drizzle-orm";
import type { Store } from "../client.ts";
import type { JsonObject } from "../schema/json.ts";
import { containsAnyCase } from "./contains.ts";

export type KeyRow = Store["t"]["keys"]["$inferSelect"];
export type NewKeyRow = Store["t"]["keys"]["$inferInsert"];
export type KeyPatch = Partial<Omit<NewKeyRow, "createdAt">>;

/** A write refused by a unique index: the alias or the token (a custom key value) already exists. */
export type KeyWrite = { ok: true; row: KeyRow } | { ok: false; conflict: "alias" | "token" };

export async function findKeyByToken(s: Store, token: string): Promise<KeyRow | undefined> {
  const rows = await s.db.select().from(s.t.keys).where(eq(s.t.keys.token, token)).limit(1);
  return rows[0];
}

export async function insertKey(s: Store, row: NewKeyRow): Promise<KeyRow> {
  const rows = await s.db.insert(s.t.keys).values(row).returning();
  return rows[0]!;
}

export async function tryInsertKey(s: Store, row: NewKeyRow): Promise<KeyWrite> {
  try {
    return { ok: true, row: await insertKey(s, row) };
  } catch (err) {
    const conflict = uniqueConflict(err);
    if (conflict) return { ok: false, conflict };
    throw err;
  }
}

/** Updates the row (its token too, for regeneration); undefined when no row has `token`. */
export async function updateKey(s: Store, token: string, patch: KeyPatch): Promise<KeyWrite | undefined> {
  try {
    const rows = await s.db.update(s.t.keys).set(patch).where(eq(s.t.keys.token, token)).returning();
    return rows[0] ? { ok: true, row: rows[0] } : undefined;
  } catch (err) {
    const conflict = uniqueConflict(err);
    if (conflict) return { ok: false, conflict };
    throw err;
  }
}

export async function findKeysByTokensOrAliases(s: Store, tokens: readonly string[], aliases: readonly string[]): Promise<KeyRow[]> {
  const k = s.t.keys;
  const conditions: SQL[] = [];
  if (tokens.length) conditions.push(inArray(k.token, [...tokens]));
  if (aliases.length) conditions.push(inArray(k.keyAlias, [...aliases]));
  if (!conditions.length) return [];
  return s.db.select().from(k).where(or(...conditions));
}

/** Deletes the keys and the grace tokens that lead to them; returns the tokens actually deleted. */
export async function deleteKeys(s: Store, tokens: readonly string[]): Promise<string[]> {
  if (!tokens.length) return [];
  const rows = await s.db.delete(s.t.keys).where(inArray(s.t.keys.token, [...tokens])).returning({ token: s.t.keys.token });
  await s.db.delete(s.t.keyGraceTokens).where(inArray(s.t.keyGraceTokens.token, [...tokens]));
  return rows.map((r) => r.token);
}

export type DeletedKeyRow = Store["t"]["deletedKeys"]["$inferSelect"];

/** Keeps a copy of each deleted key, as it was (LiteLLM's deleted-keys table). */
export async function insertDeletedKeys(s: Store, rows: readonly KeyRow[], deletedBy: string | null, at: Date): Promise<void> {
  if (!rows.length) return;
  await s.db.insert(s.t.deletedKeys).values(
    rows.map((r) => ({
      id: Bun.randomUUIDv7(),
      token: r.token,
      keyAlias: r.keyAlias,
      userId: r.userId,
      teamId: r.teamId,
      key: JSON.parse(JSON.stringify(r)) as JsonObject,
      deletedAt: at,
      deletedBy,
    })),
  );
}

/** The key row a deleted key's copy holds, its dates as dates again. */
export function deletedKeyRow(d: DeletedKeyRow): KeyRow {
  const k = d.key as unknown as KeyRow & Record<"budgetResetAt" | "expiresAt" | "createdAt" | "updatedAt", string | null>;
  const date = (v: string | null) => (v === null ? null : new Date(v));
  return { ...k, budgetResetAt: date(k.budgetResetAt), expiresAt: date(k.expiresAt), createdAt: new Date(k.createdAt!), updatedAt: new Date(k.updatedAt!) };
}

/** Deleted keys, newest deletion first, with /key/list's filters and visibility. */
export async function listDeletedKeys(
  s: Store,
  filter: KeyListFilter,
  page: { offset: number; limit: number },
): Promise<{ rows: DeletedKeyRow[]; total: number }> {
  const d = s.t.deletedKeys;
  const where = keyFilterWhere(d, filter);
  if (where === false) return { rows: [], total: 0 };
  const [rows, totals] = await Promise.all([
    s.db.select().from(d).where(where).orderBy(desc(d.deletedAt), desc(d.id)).limit(page.limit).offset(page.offset),
    s.db.select({ n: count() }).from(d).where(where),
  ]);
  return { rows, total: Number(totals[0]?.n ?? 0) };
}

/** The columns /key/list may sort by (LiteLLM's sort_by values). */
export const KEY_SORT_COLUMNS = ["spend", "max_budget", "created_at", "updated_at", "token", "key_alias"] as const;
export type KeySortColumn = (typeof KEY_SORT_COLUMNS)[number];
export interface KeyOrder {
  by: KeySortColumn;
  direction: "asc" | "desc";
}

export interface KeyListFilter {
  /** A key's hash. */
  token?: string;
  userId?: string;
  teamId?: string;
  keyAlias?: string;
  /** For non-admins: only keys of this user or of these teams. */
  visibleTo?: { userId: string | null; teamIds: readonly string[]; serviceAccountTeamIds?: readonly string[] };
  /** LiteLLM's include_created_by_keys: a user's keys include those the user created for others. */
  includeCreatedBy?: boolean;
}

export async function listKeys(
  s: Store,
  filter: KeyListFilter,
  page: { offset: number; limit: number },
  order: KeyOrder = { by: "created_at", direction: "desc" },
): Promise<{ rows: KeyRow[]; total: number }> {
  const k = s.t.keys;
  const where = keyFilterWhere(k, filter);
  if (where === false) return { rows: [], total: 0 };
  // Page the tokens first, from an index that covers filter and order (a deep offset then skips
  // index entries, not rows; the default order has one), then load only the page's rows. The token
  // breaks ties, so pages never overlap.
  const column = { spend: k.spendNano, max_budget: k.maxBudgetNano, created_at: k.createdAt, updated_at: k.updatedAt, token: k.token, key_alias: k.keyAlias }[order.by];
  const direction = order.direction === "asc" ? asc : desc;
  const orderBy = column === k.token ? [direction(k.token)] : [direction(column), direction(k.token)];
  const [pageTokens, totals] = await Promise.all([
    s.db.select({ token: k.token }).from(k).where(where).orderBy(...orderBy).limit(page.limit).offset(page.offset),
    s.db.select({ n: count() }).from(k).where(where),
  ]);
  const tokens = pageTokens.map((r) => r.token);
  const byToken = new Map((tokens.length ? await s.db.select().from(k).where(inArray(k.token, tokens)) : []).map((r) => [r.token, r]));
  const rows = tokens.flatMap((t) => byToken.get(t) ?? []);
  return { rows, total: Number(totals[0]?.n ?? 0) };
}

/** Key aliases in alphabetical order, optionally only those containing `search` (any case). */
export async function listKeyAliases(
  s: Store,
  filter: { search?: string; visibleTo?: KeyListFilter["visibleTo"] },
  page: { offset: number; limit: number },
): Promise<{ aliases: string[]; total: number }> {
  const k = s.t.keys;
  const conditions: SQL[] = [isNotNull(k.keyAlias)];
  if (filter.search) conditions.push(containsAnyCase(k.keyAlias, filter.search));
  const visible = visibleCondition(k, filter.visibleTo);
  if (visible === false) return { aliases: [], total: 0 };
  if (visible) conditions.push(visible);
  const where = and(...conditions);
  const [rows, totals] = await Promise.all([
    s.db.select({ alias: k.keyAlias }).from(k).where(where).orderBy(asc(k.keyAlias)).limit(page.limit).offset(page.offset),
    s.db.select({ n: count() }).from(k).where(where),
  ]);
  return { aliases: rows.map((r) => r.alias!), total: Number(totals[0]?.n ?? 0) };
}

type KeyColumns = { token: AnyColumn; userId: AnyColumn; teamId: AnyColumn; keyAlias: AnyColumn; createdBy?: AnyColumn };

/** The WHERE of a key list, live keys or deleted ones (false: the caller may see none). */
function keyFilterWhere(k: KeyColumns, filter: KeyListFilter): SQL | undefined | false {
  const createdToo = filter.includeCreatedBy === true;
  const conditions: SQL[] = [];
  if (filter.token !== undefined) conditions.push(eq(k.token, filter.token));
  if (filter.userId !== undefined) {
    conditions.push(createdToo && k.createdBy ? or(eq(k.userId, filter.userId), eq(k.createdBy, filter.userId))! : eq(k.userId, filter.userId));
  }
  if (filter.teamId !== undefined) conditions.push(eq(k.teamId, filter.teamId));
  if (filter.keyAlias !== undefined) conditions.push(eq(k.keyAlias, filter.keyAlias));
  const visible = visibleCondition(k, filter.visibleTo, createdToo);
  if (visible === false) return false;
  if (visible) conditions.push(visible);
  return conditions.length ? and(...conditions) : undefined;
}

/** For non-admins: keys of this user (or created by them), of these teams, or these teams' service accounts (false: nothing is visible). */
function visibleCondition(
  k: { userId: AnyColumn; teamId: AnyColumn; createdBy?: AnyColumn },
  visibleTo: KeyListFilter["visibleTo"],
  createdToo = false,
): SQL | false | undefined {
  if (!visibleTo) return undefined;
  const mine: SQL[] = [];
  if (visibleTo.userId !== null) mine.push(eq(k.userId, visibleTo.userId));
  if (visibleTo.userId !== null && createdToo && k.createdBy) mine.push(eq(k.createdBy, visibleTo.userId));
  if (visibleTo.teamIds.length) mine.push(inArray(k.teamId, [...visibleTo.teamIds]));
  if (visibleTo.serviceAccountTeamIds?.length) mine.push(and(inArray(k.teamId, [...visibleTo.serviceAccountTeamIds]), isNull(k.userId))!);
  return mine.length ? or(...mine)! : false;
}

export async function insertGraceToken(s: Store, oldToken: string, token: string, validUntil: Date): Promise<void> {
  await s.db
    .insert(s.t.keyGraceTokens)
    .values({ oldToken, token, validUntil })
    .onConflictDoUpdate({ target: s.t.keyGraceTokens.oldToken, set: { token, validUntil } });
}

/** After a regeneration, older grace tokens must lead to the key's new token. */
export async function repointGraceTokens(s: Store, fromToken: string, toToken: string): Promise<string[]> {
  const rows = await s.db
    .update(s.t.keyGraceTokens)
    .set({ token: toToken })
    .where(eq(s.t.keyGraceTokens.token, fromToken))
    .returning({ oldToken: s.t.keyGraceTokens.oldToken });
  return rows.map((r) => r.oldToken);
}

/** A regeneration without a grace period ends the grace of every older secret too. */
export async function deleteGraceTokensTo(s: Store, token: string): Promise<void> {
  await s.db.delete(s.t.keyGraceTokens).where(eq(s.t.keyGraceTokens.token, token));
}

/** The key an old, regenerated secret still leads to, while its grace period lasts. */
export async function findGraceToken(s: Store, oldToken: string, now: Date): Promise<{ token: string; validUntil: Date } | undefined> {
  const g = s.t.keyGraceTokens;
  const rows = await s.db
    .select({ token: g.token, validUntil: g.validUntil })
    .from(g)
    .where(and(eq(g.oldToken, oldToken), gt(g.validUntil, now)))
    .limit(1);
  return rows[0];
}

// SQLite reports "UNIQUE constraint failed: keys.key_alias"; Postgres code 23505 with the index name.
// drizzle wraps the driver error, so look through `cause` too.
function uniqueConflict(err: unknown): "alias" | "token" | null {
  for (let e = err as { message?: string; code?: string; constraint_name?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    const text = `${e.message ?? ""} ${e.constraint_name ?? ""}`;
    const unique = e.code === "23505" || /UNIQUE constraint failed|SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)/.test(`${text} ${e.code ?? ""}`);
    if (unique) return /key_alias|keys_alias_uq/.test(text) ? "alias" : "token";
  }
  return null;
}
