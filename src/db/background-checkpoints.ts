// WAL checkpoints on their own thread. SQLite in WAL mode (synchronous = NORMAL) does not fsync on
// commit, only when a checkpoint copies the WAL back into the database file; by default that
// checkpoint runs inside whichever commit crosses 1,000 pages, on the event loop, where its fsync
// stalls every request in flight (about a third of the spend writer's time under load: see the
// README's performance notes). Here the serving connection never checkpoints
// (wal_autocheckpoint = 0) and a worker thread with its own connection runs a PASSIVE checkpoint
// on a timer: it never blocks the writer, and the writer starts the WAL over once it is copied.
// Durability is unchanged: a commit is in the WAL before the response, as before.
//
// The worker is built from an inline script (a Blob URL), so it needs no file beside the binary.
import type { Database } from "bun:sqlite";
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
// SQLite's own default, restored on the serving connection when the worker cannot run.
const AUTOCHECKPOINT_PAGES = 1_000;

export interface BackgroundCheckpoints {
  /** Checkpoints seen so far and the WAL frames copied by the last one (tests, metrics). */
  readonly stats: { checkpoints: number; lastCopied: number; failures: number };
  /** Stops the worker; the connection's own close then checkpoints what is left. */
  stop(): Promise<void>;
}

/**
 * Moves the checkpoints of `sqlite` (a file database in WAL mode) to a worker thread. Returns
 * undefined, leaving SQLite's automatic checkpoints on, when the worker cannot start.
 */
export function startBackgroundCheckpoints(sqlite: Database, path: string, opts: { everyMs?: number; log?: Logger } = {}): BackgroundCheckpoints | undefined {
  let worker: Worker;
  try {
    worker = new Worker(URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" })), { smol: true } as WorkerOptions);
  } catch (err) {
    opts.log?.warn("background WAL checkpoints unavailable: SQLite checkpoints on commit", { error: String(err) });
    return undefined;
  }
  const stats = { checkpoints: 0, lastCopied: 0, failures: 0 };
  let stopped: (() => void) | undefined;
  const fallBack = (reason: string) => {
    sqlite.exec(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    opts.log?.warn("background WAL checkpoints stopped: SQLite checkpoints on commit again", { error: reason });
  };
  worker.onmessage = (e: MessageEvent) => {
    const m = e.data as { type: string; copied?: number; error?: string };
    if (m.type === "checkpointed") {
      stats.checkpoints++;
      stats.lastCopied = m.copied ?? 0;
    } else if (m.type === "failed") {
      // Busy now and then is normal (a long read); only a run of failures means the thread is stuck.
      if (++stats.failures % 50 === 0) opts.log?.warn("background WAL checkpoint failing", { error: m.error, failures: stats.failures });
    } else if (m.type === "stopped") {
      stopped?.();
    }
  };
  worker.onerror = (e) => {
    fallBack(String((e as ErrorEvent).message ?? e));
  };
  sqlite.exec("PRAGMA wal_autocheckpoint = 0");
  worker.postMessage({ type: "start", path, everyMs: opts.everyMs ?? DEFAULT_EVERY_MS });
  // The worker must not keep the process alive on its own.
  (worker as unknown as { unref?: () => void }).unref?.();
  return {
    stats,
    async stop() {
      const done = new Promise<void>((resolve) => {
        stopped = resolve;
        setTimeout(resolve, 1_000).unref?.();
      });
      worker.postMessage({ type: "stop" });
      await done;
      worker.terminate();
      sqlite.exec(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    },
  };
}
