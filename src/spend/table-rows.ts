// A drizzle table's columns for hand-written INSERTs (the spend writers): the quoted table and
// column names, and each row's values encoded as drizzle would send them (defaults applied,
// mapToDriverValue), in column order.
import { getTableColumns, getTableName } from "drizzle-orm";

export type Row = Record<string, unknown>;
type Column = { name: string; default?: unknown; defaultFn?: () => unknown; mapToDriverValue(v: unknown): unknown };

export function tableRows(table: object) {
  const columns = Object.entries(getTableColumns(table as never)) as [string, Column][];
  return {
    /** `insert into "table" ("a", "b", ...) values ` */
    head: `insert into "${getTableName(table as never)}" (${columns.map(([, c]) => `"${c.name}"`).join(", ")}) values `,
    width: columns.length,
    /** Appends the row's values to `out`. */
    encode(row: Row, out: unknown[]): unknown[] {
      for (const [key, c] of columns) {
        const v = row[key] !== undefined ? row[key] : c.defaultFn ? c.defaultFn() : c.default;
        out.push(v === undefined || v === null ? null : c.mapToDriverValue(v));
      }
      return out;
    },
  };
}
