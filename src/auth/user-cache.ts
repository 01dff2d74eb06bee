// Users behind keys, for the caller's role. A user_id with no row is remembered as missing ("unknown"
// role): those ids come from stored keys, so the set is bounded.
import type { UserRow } from "../db/store/users.ts";
import { RowCache } from "./row-cache.ts";

export class UserCache extends RowCache<UserRow> {
  constructor(load: (userId: string) => Promise<UserRow | undefined>) {
    super(load, true);
  }
}
