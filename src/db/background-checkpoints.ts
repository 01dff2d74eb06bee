// WAL checkpoints on their own thread. SQLite in WAL mode (synchronous = NORMAL) does not fsync on
// commit, only when a checkpoint copies the WAL back into the database file; by default that
// checkpoint runs inside whichever commit crosses 1,000 pages, on the event loop, where its fsync
// stalls every request in flight (about a third of the spend writer's time under load: see the
// README's performance notes). Here the serving connection never checkpoints
// (wal_autocheckpoint = 0) and a worker thread with its own connection runs a PASSIVE checkpoint
// on a timer: it never blocks the writer, and the writer starts the WAL over once it is copied.
// Durability is unchanged: a commit is in the WAL before the response, as before.
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
    const checkpoint = () => {
      try {
        const r = stmt.get();
        postMessage({ type: "checkpointed", frames: r.log, copied: r.checkpointed });
      } catch (err) {
        postMessage({ type: "failed", error: String(err) });
      }
    };
    timer = setInterval(checkpoint, m.everyMs);
    postMessage({ type: "started" });
  } else if (m.type === "stop") {
    clearInterval(timer);
    // A statement left open would keep the connection alive as a zombie, and with it the WAL.
    try { stmt?.finalize(); db?.close(); } catch {}
    postMessage({ type: "stopped" });
  }
};
`;

const DEFAULT_EVERY_MS = 100;
// The worker thread costs about 10 MB, so it starts only once the WAL holds this much: an idle or
// lightly used gateway never pays for it (SQLite's own threshold is 1,000 pages, about 4 MB).
const DEFAULT_START_AT_BYTES = 4 * 1024 * 1024;
const WATCH_MS = 250;
// SQLite's own default, restored on the serving connection when the worker cannot run.
const AUTOCHECKPOINT_PAGES = 1_000;

export interface BackgroundCheckpoints {
  /** Whether the worker runs, checkpoints seen so far, frames copied by the last (tests, metrics). */
  readonly stats: { started: boolean; checkpoints: number; lastCopied: number; failures: number };
  /** Stops the worker; the connection's own close then checkpoints what is left. */
  stop(): Promise<void>;
}

interface Options {
  everyMs?: number;
  startAtBytes?: number;
  log?: Logger;
}

/**
 * Moves the checkpoints of `sqlite` (a file database in WAL mode) to a worker thread, started when
 * the WAL first reaches startAtBytes. When the worker cannot start or fails, SQLite's automatic
 * checkpoints come back on.
 */
export function startBackgroundCheckpoints(sqlite: Database, path: string, opts: Options = {}): BackgroundCheckpoints {
  const stats = { started: false, checkpoints: 0, lastCopied: 0, failures: 0 };
  let worker: Worker | undefined;
  let stopped: (() => void) | undefined;
  const fallBack = (reason: string) => {
    sqlite.exec(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    opts.log?.warn("background WAL checkpoints unavailable: SQLite checkpoints on commit", { error: reason });
  };

  const start = () => {
    try {
      worker = new Worker(URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" })), { smol: true } as WorkerOptions);
    } catch (err) {
      fallBack(String(err));
      return;
    }
    stats.started = true;
    worker.onmessage = (e: MessageEvent) => {
      const m = e.data as { type: string; copied?: number; error?: string };
      if (m.type === "checkpointed") {
        stats.checkpoints++;
        stats.lastCopied = m.copied ?? 0;
      } else if (m.type === "failed") {
        // Busy now and then is normal (a long read); only a run of failures means something is stuck.
        if (++stats.failures % 50 === 0) opts.log?.warn("background WAL checkpoint failing", { error: m.error, failures: stats.failures });
      } else if (m.type === "stopped") {
        stopped?.();
      }
    };
    worker.onerror = (e) => fallBack(String((e as ErrorEvent).message ?? e));
    worker.postMessage({ type: "start", path, everyMs: opts.everyMs ?? DEFAULT_EVERY_MS });
    // The worker must not keep the process alive on its own.
    (worker as unknown as { unref?: () => void }).unref?.();
  };

  sqlite.exec("PRAGMA wal_autocheckpoint = 0");
  const startAt = opts.startAtBytes ?? DEFAULT_START_AT_BYTES;
  const watch = setInterval(() => {
    let size = 0;
    try {
      size = statSync(`${path}-wal`).size;
    } catch {
      return; // no WAL yet
    }
    if (size < startAt) return;
    clearInterval(watch);
    start();
  }, WATCH_MS);
  watch.unref?.();

  return {
    stats,
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
