// Builds the gateway the way main.ts does, in-process, on a fresh database: SQLite in a temp file
// by default, a fresh Postgres database when asked (TEST_DATABASE_URL).
import path from "node:path";
import postgres from "postgres";
import { buildApp } from "../../src/app.ts";
import { MasterKey } from "../../src/auth/master-key.ts";
import { hashKey } from "../../src/auth/key-format.ts";
import { parseConfig } from "../../src/config/load.ts";
import { openStore, type Store } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";
import { type AppDeps, createDeps } from "../../src/deps.ts";
import { silentLogger } from "../../src/log.ts";

export const MASTER_KEY = "sk-test-master-0123456789";
export const PG_URL = process.env.TEST_DATABASE_URL;

let counter = 0;
export const tempPath = (name: string) =>
  path.join(process.env.TOLLGATE_TEST_TMP ?? "/tmp", `${process.pid}-${++counter}-${name}`);

/** A database created for this test and dropped by the returned cleanup. */
export async function freshPostgresUrl(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!PG_URL) throw new Error("TEST_DATABASE_URL is not set");
  const name = `tollgate_t_${process.pid}_${++counter}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = postgres(PG_URL, { max: 1, onnotice: () => {} });
      await c.unsafe(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export type Dialect = "sqlite" | "pg";

/** A migrated store on a fresh database; close() also drops a Postgres test database. */
export async function createTestStore(dialect: Dialect = "sqlite"): Promise<Store & { destroy(): Promise<void> }> {
  if (dialect === "sqlite") {
    const store = openStore(tempPath("test.db"));
    await migrate(store);
    return Object.assign(store, { destroy: () => store.close() });
  }
  const { url, drop } = await freshPostgresUrl();
  const store = openStore(url);
  await migrate(store);
  return Object.assign(store, {
    destroy: async () => {
      await store.close();
      await drop();
    },
  });
}

export interface Gateway {
  deps: AppDeps;
  store: Store;
  app: ReturnType<typeof buildApp>;
  /** In-process request: no socket. */
  request(path: string, init?: RequestInit & { json?: unknown; key?: string | null }): Promise<Response>;
  /** Base URL of a real listener (only with listen: true). */
  url: string;
  /** Waits until the spend settled so far is committed (it is written behind the calls). */
  committed(): Promise<void>;
  close(): Promise<void>;
}

export async function startGateway(options: {
  configYaml?: string;
  dialect?: Dialect;
  listen?: boolean;
  env?: Record<string, string>;
  now?: () => number;
  /** An existing, migrated database (e.g. a second instance on one Postgres); not dropped on close. */
  databaseUrl?: string;
} = {}): Promise<Gateway> {
  const store = options.databaseUrl
    ? Object.assign(openStore(options.databaseUrl), { destroy: async () => {} })
    : await createTestStore(options.dialect ?? "sqlite");
  if (options.databaseUrl) await migrate(store);
  const destroy = options.databaseUrl ? () => store.close() : () => store.destroy();
  const loaded = parseConfig(options.configYaml ?? "", options.env ?? {}, "test").config;
  // Postgres journals default to ./tollgate-spend-journal: shared by every test process, where one
  // run's leftovers would be replayed into the next run's database. Each gateway gets its own.
  const config =
    store.dialect === "pg" && !loaded.general.spend_journal_dir
      ? { ...loaded, general: { ...loaded.general, spend_journal_dir: tempPath("spend-journal") } }
      : loaded;
  const deps = createDeps({
    config,
    store,
    log: silentLogger,
    masterKey: new MasterKey(hashKey(config.general.master_key ?? MASTER_KEY)),
    now: options.now,
  });
  await deps.invalidation.ready;
  const app = buildApp(deps);
  let url = "http://localhost";
  if (options.listen) {
    app.listen({ port: 0, hostname: "127.0.0.1" });
    url = `http://127.0.0.1:${app.server!.port}`;
  }
  const request: Gateway["request"] = (p, init = {}) => {
    const { json, key = MASTER_KEY, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (key) headers.set("authorization", `Bearer ${key}`);
    if (json !== undefined) headers.set("content-type", "application/json");
    const req = new Request(`${url}${p}`, { ...rest, headers, body: json !== undefined ? JSON.stringify(json) : rest.body });
    return options.listen ? fetch(req) : app.handle(req);
  };
  return {
    deps,
    store,
    app,
    request,
    url,
    committed: async () => deps.spend?.ledger.flush(),
    close: async () => {
      if (options.listen) await app.stop(true);
      await deps.close();
      await destroy();
    },
  };
}

/** Body of an error response, asserted to be in the OpenAI shape. */
export async function errorOf(res: Response) {
  const body = (await res.json()) as { error: { message: string; type: string; param: string | null; code: string } };
  if (!body.error || typeof body.error.message !== "string") throw new Error(`not an OpenAI error: ${JSON.stringify(body)}`);
  return body.error;
}

/** Rows in the spend log once everything answered is committed. */
export async function spendLogCount(gw: Gateway): Promise<number> {
  await gw.committed();
  return (await gw.store.db.select().from(gw.store.t.spendLogs)).length;
}

/** Waits (up to 2 s) for the spend log to hold more than `before` rows; the count it reached. */
export async function spendLogGrownFrom(gw: Gateway, before: number): Promise<number> {
  let rows = await spendLogCount(gw);
  for (let i = 0; i < 100 && rows === before; i++) rows = await Bun.sleep(20).then(() => spendLogCount(gw));
  return rows;
}
