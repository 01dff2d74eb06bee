// WAL checkpoints on their own thread. SQLite in WAL mode (synchronous = NORMAL) does not fsync on
// commit, only when a checkpoint copies the WAL back into the database file; by default that
// checkpoint runs inside whichever commit crosses 1,000 pages, on the event loop, where its fsync
// stalls every request in flight (about a third of the spend writer's time under load: see the
// README's performance notes). Here the serving connection never checkpoints
// (wal_autocheckpoint = 0) and a worker thread with its own connection runs a PASSIVE checkpoint
// on a timer: it never blocks the writer, and the writer starts the WAL over once it is copied.
// Durability is unchanged: a commit is in the WAL once it returns, as before.
//
// The worker is built from an inline script (a Blob URL), so it needs no file beside the binary,
// and starts only once the WAL has grown (an idle gateway does not pay for the thread).
import type { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import type { Logger } from "../log.ts";

const WORKER_SOURCE = `
import { Database } from "bun:sqlite";
let db, stmt, timer;
self.onmessage = (e) => {
  const m = e.data;
  if (m.type === "start") {
    db = new Database(m.path);
    db.exec("PRAGMA busy_timeout = 1000");
    stmt = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
    // Silent when it works: a message per checkpoint would wake the serving thread ten times a second.
    const checkpoint = () => {
      try {
        stmt.get();
      } catch (err) {
        postMessage({ type: "failed", error: String(err) });
      }
    };
    timer = setInterval(checkpoint, m.everyMs);
  } else if (m.type === "stop") {
    clearInterval(timer);
    // A statement left open would keep the connection alive as a zombie, and with it the WAL.
    try { stmt?.finalize(); db?.close(); } catch {}
    postMessage({ type: "stopped" });
  }
};
`;

const EVERY_MS = 100;
// The worker thread costs about 10 MB, so it starts only once the WAL holds this much: an idle or
// lightly used gateway never pays for it (SQLite's own threshold is 1,000 pages, about 4 MB).
const START_AT_BYTES = 4 * 1024 * 1024;
const WATCH_MS = 250;
// SQLite's own default, restored on the serving connection when the worker cannot run.
const AUTOCHECKPOINT_PAGES = 1_000;

export interface BackgroundCheckpoints {
  /** Stops the worker; the connection's own close then checkpoints what is left. */
  stop(): Promise<void>;
}

/**
 * Moves the checkpoints of `sqlite` (a file database in WAL mode) to a worker thread, started when
 * the WAL first reaches START_AT_BYTES. When the worker cannot start or fails, SQLite's automatic
 * checkpoints come back on.
 */
export function startBackgroundCheckpoints(sqlite: Database, path: string, log?: Logger): BackgroundCheckpoints {
  let worker: Worker | undefined;
  let stopped: (() => void) | undefined;
  let failures = 0;
  const fallBack = (reason: string) => {
    sqlite.exec(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    log?.warn("background WAL checkpoints unavailable: SQLite checkpoints on commit", { error: reason });
  };

  const start = () => {
    try {
      worker = new Worker(URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" })), { smol: true } as WorkerOptions);
    } catch (err) {
      fallBack(String(err));
      return;
    }
    worker.onmessage = (e: MessageEvent) => {
      const m = e.data as { type: string; error?: string };
      // Busy now and then is normal (a long read); only a run of failures means something is stuck.
      if (m.type === "failed" && ++failures % 50 === 0) log?.warn("background WAL checkpoint failing", { error: m.error, failures });
      else if (m.type === "stopped") stopped?.();
    };
    worker.onerror = (e) => fallBack(String((e as ErrorEvent).message ?? e));
    worker.postMessage({ type: "start", path, everyMs: EVERY_MS });
    // The worker must not keep the process alive on its own.
    (worker as unknown as { unref?: () => void }).unref?.();
  };

  sqlite.exec("PRAGMA wal_autocheckpoint = 0");
  const watch = setInterval(() => {
    let size = 0;
    try {
      size = statSync(`${path}-wal`).size;
    } catch {
      return; // no WAL yet
    }
    if (size < START_AT_BYTES) return;
    clearInterval(watch);
    start();
  }, WATCH_MS);
  watch.unref?.();

  return {
    async stop() {
      clearInterval(watch);
      if (worker) {
        const w = worker;
        const done = new Promise<void>((resolve) => {
          stopped = resolve;
          setTimeout(resolve, 1_000).unref?.();
        });
        w.postMessage({ type: "stop" });
        await done;
        w.terminate();
      }
      sqlite.exec(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    },
  };
}
