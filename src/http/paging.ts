// Query parameters that page a list: whole numbers in range, checked before any handler runs. A
// page is capped so that its offset stays a number every database takes (a page of 10^17 made a
// 500 before: SQLite's "datatype mismatch").
import { t } from "elysia";

export const MAX_PAGE = 1_000_000;

/** A whole number from 1 to `max`, optional; `name` is the parameter as the client spells it. */
export const wholeParam = (name: string, max: number) =>
  t.Optional(t.Numeric({ minimum: 1, maximum: max, multipleOf: 1, error: `${name} must be a whole number from 1 to ${max}` }));

export const pageParam = () => wholeParam("page", MAX_PAGE);
