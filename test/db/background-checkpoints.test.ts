// WAL checkpoints on a worker thread (src/db/background-checkpoints.ts): the serving connection
// never checkpoints inside a commit, the worker copies the WAL back, and nothing committed is lost.
import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openStore, type Store } from "../../src/db/client.ts";

let dir: string;
let store: Store | undefined;
afterEach(async () => {
  await store?.close().catch(() => {});
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function sqliteOf(s: Store): Database {
  if (!("sqlite" in s.raw)) throw new Error("SQLite only");
  return s.raw.sqlite;
}

async function until(ok: () => boolean, timeoutMs = 3_000) {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error("timed out");
    await Bun.sleep(20);
  }
}

test("commits never checkpoint; the worker copies the WAL back and the WAL stops growing", async () => {
  dir = mkdtempSync(path.join(tmpdir(), "tollgate-ckpt-"));
  const file = path.join(dir, "t.db");
  store = openStore(file, { backgroundCheckpoints: true });
  const db = sqliteOf(store);
  expect(db.query("PRAGMA wal_autocheckpoint").get()).toEqual({ wal_autocheckpoint: 0 });
  db.exec("create table t (id integer primary key, payload text not null)");
  const insert = db.prepare("insert into t (payload) values (?)");
  const payload = "x".repeat(2_000);
  // 3,000 commits of half a page each: SQLite's default would have checkpointed inside some of them.
  for (let i = 0; i < 3_000; i++) insert.run(payload);

  const wal = `${file}-wal`;
  const sizeAfterFirstRun = statSync(wal).size;
  // The worker catches up: a checkpoint from here finds every frame already copied.
  await until(() => {
    const r = db.query("PRAGMA wal_checkpoint(PASSIVE)").get() as { log: number; checkpointed: number };
    return r.log === r.checkpointed && r.log > 0;
  });
  // Copied frames are reused from the start of the WAL: a second run of the same size does not
  // double it (a few frames may be appended while the worker copies).
  for (let i = 0; i < 3_000; i++) insert.run(payload);
  expect(statSync(wal).size).toBeLessThan(sizeAfterFirstRun * 1.5);

  await store.close();
  store = undefined;
  const reopened = new Database(file, { readonly: true });
  expect(reopened.query("select count(*) as n from t").get()).toEqual({ n: 6_000 });
  reopened.close();
});

test("without the option, SQLite keeps checkpointing on commit", () => {
  dir = mkdtempSync(path.join(tmpdir(), "tollgate-ckpt-"));
  store = openStore(path.join(dir, "t.db"));
  expect(sqliteOf(store).query("PRAGMA wal_autocheckpoint").get()).toEqual({ wal_autocheckpoint: 1_000 });
});
