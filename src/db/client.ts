// Opens the store on either dialect. Query code everywhere is written once against the Postgres
// types (`Db`, `Tables`); the SQLite handle is cast to them (see stack notes §4 for the pitfalls:
// no async transactions on bun-sqlite, no db.execute, no pg-only SQL in shared code).
import { Database } from "bun:sqlite";
import { sql } from "drizzle-orm";
import { drizzle as drizzleSqlite } from "drizzle-orm/bun-sqlite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type postgres from "postgres";
import type { Logger } from "../log.ts";
import { startBackgroundCheckpoints } from "./background-checkpoints.ts";
import * as pgSchema from "./schema/pg.ts";
import * as sqliteSchema from "./schema/sqlite.ts";

export type Tables = typeof pgSchema;
export type Db = PgDatabase<PgQueryResultHKT, Tables>;
export type Dialect = "sqlite" | "pg";

export interface Store {
  readonly db: Db;
  readonly t: Tables;
  readonly dialect: Dialect;
  /** Where the data lives, with any password masked: safe to log. */
  readonly location: string;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Dialect-specific handles, for migrations and the few places that need them. */
  readonly raw: { sqlite: Database } | { pg: postgres.Sql };
}

export const isPostgresUrl = (target: string) => /^postgres(ql)?:\/\//i.test(target);

export function maskDatabaseUrl(target: string): string {
  return target.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1****@");
}

export interface OpenOptions {
  /** SQLite file: checkpoint the WAL on a worker thread instead of inside commits (serve does). */
  backgroundCheckpoints?: boolean;
  log?: Logger;
}

export function openStore(target: string, options: OpenOptions = {}): Store {
  return isPostgresUrl(target) ? openPostgres(target) : openSqlite(target, options);
}

function openSqlite(path: string, options: OpenOptions): Store {
  const sqlite = new Database(path, { create: true, strict: true });
  sqlite.exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;");
  const checkpoints = options.backgroundCheckpoints && path !== ":memory:" ? startBackgroundCheckpoints(sqlite, path, options.log) : undefined;
  const db = drizzleSqlite(sqlite, { schema: sqliteSchema }) as unknown as Db;
  return {
    db,
    t: sqliteSchema as unknown as Tables,
    dialect: "sqlite",
    location: path,
    raw: { sqlite },
    async ping() {
      sqlite.query("select 1").get();
    },
    async close() {
      await checkpoints?.stop();
      sqlite.close();
    },
  };
}

/**
 * postgres.js and drizzle's driver for it, loaded on first use: they bring node:net, node:tls and
 * node:crypto, which a gateway on SQLite never needs, and evaluating them lengthened every start.
 */
export function postgresModules() {
  const { default: connect } = require("postgres") as { default: typeof postgres };
  const { drizzle } = require("drizzle-orm/postgres-js") as typeof import("drizzle-orm/postgres-js");
  return { connect, drizzle };
}

function openPostgres(url: string): Store {
  const { connect, drizzle: drizzlePg } = postgresModules();
  const client = connect(url, { max: 10, onnotice: () => {}, connect_timeout: 5, idle_timeout: 60 });
  const db = drizzlePg(client, { schema: pgSchema }) as unknown as Db;
  return {
    db,
    t: pgSchema,
    dialect: "pg",
    location: maskDatabaseUrl(url),
    raw: { pg: client },
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}
