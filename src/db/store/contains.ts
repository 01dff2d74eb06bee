// "Contains, in any case" for search boxes: the same on SQLite (whose LIKE ignores ASCII case) and
// Postgres (whose LIKE does not), with `%`, `_` and `\` in the search taken literally.
import { type AnyColumn, type SQL, sql } from "drizzle-orm";

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export function containsAnyCase(column: AnyColumn, search: string): SQL {
  return sql`lower(${column}) like ${`%${escapeLike(search.toLowerCase())}%`} escape '\\'`;
}
