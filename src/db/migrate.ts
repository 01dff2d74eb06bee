// Applies the committed drizzle-kit migrations. Inside the compiled binary they are embedded with
// `--asset ./drizzle` and readable under import.meta.dir (stack notes §3, approach A).
import path from "node:path";
import { migrate as migrateSqlite } from "drizzle-orm/bun-sqlite/migrator";
import { drizzle as drizzleSqlite } from "drizzle-orm/bun-sqlite";
import { postgresModules, type Store } from "./client.ts";

export const MIGRATIONS_DIR = Bun.isStandaloneExecutable
  ? path.join(import.meta.dir, "drizzle")
  : path.join(import.meta.dir, "..", "..", "drizzle");

const MIGRATION_LOCK_ID = 7_042_001;

export async function migrate(store: Store): Promise<void> {
  if ("sqlite" in store.raw) {
    migrateSqlite(drizzleSqlite(store.raw.sqlite), { migrationsFolder: path.join(MIGRATIONS_DIR, "sqlite") });
  } else {
    // Several instances may start together against one database: serialise them on an advisory lock
    // held by a reserved connection while the pool runs the migration.
    const lock = await store.raw.pg.reserve();
    try {
      await lock`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
      const { migrate: migratePg } = require("drizzle-orm/postgres-js/migrator") as typeof import("drizzle-orm/postgres-js/migrator");
      await migratePg(postgresModules().drizzle(store.raw.pg), { migrationsFolder: path.join(MIGRATIONS_DIR, "pg") });
    } finally {
      await lock`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.catch(() => {});
      lock.release();
    }
  }
}
