// The spend journal: every settled call is appended here before its response is answered, and the
// database is written behind the request, in batches (ledger.ts). One append-only file of JSON
// lines per process; a line is written with one write() before the call is answered, so it
// survives kill -9 of the process (the same guarantee SQLite's WAL gives with synchronous=NORMAL).
// Written lines are fsync'd within a second (a power cut can take the last second). Once a commit
// has covered every line of a file, the file is emptied, at most once a second (emptying it after
// every commit was a syscall per batch; committed lines replayed after a crash add nothing), or,
// when it is large and calls kept arriving during commits, sealed and deleted. Replaying is exactly-once because the ledger's write
// is idempotent by request_id (a log row and its increments commit together or not at all), so a
// replay of lines that did commit adds nothing.
//
// Files are named spend-<pid>-<instance>.ndjson; a replay picks up files of processes that are gone
// (a restart after kill -9) and never a file another live process is still appending to.
import { closeSync, fdatasync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { getTableColumns } from "drizzle-orm";
import { spendLogs } from "../db/schema/sqlite.ts";
import type { BudgetRef } from "../policy/budget.ts";
import type { SpendEntry, SpendLogRow } from "./ledger.ts";

/** One journal line: the entry plus the instance whose budget lease held its cost. */
export interface JournalRecord {
  readonly entry: SpendEntry;
  readonly leaseOwner?: string;
}

// spend-<pid>-<instance>.ndjson while appended to; spend-<pid>-<instance>.<ms>.replaying once rotated.
const FILE_RE = /^spend-(\d+)-([0-9a-f]+)(?:\.\d+)?\.(ndjson|replaying)$/;

/** A file with this many lines, none of them known to be committed yet, is sealed and a new one started. */
const SEAL_AFTER_RECORDS = 20_000;
/** A file whose lines are all committed is emptied at most this often. */
const EMPTY_EVERY_MS = 1_000;
const FSYNC_EVERY_MS = 1_000;

export class SpendJournal {
  private fd: number | undefined;
  /** Records appended to the active file since it was last emptied or rotated away. */
  private activeRecords = 0;
  /** Records written so far, all files: a record's sequence number is this count after its write. */
  private written = 0;
  /** Every record up to this sequence number is in the database. */
  private committedSeq = 0;
  /** Sealed files (own, named .replaying) and the sequence number of their last record. */
  private sealed: { file: string; lastSeq: number }[] = [];
  private syncTimer: ReturnType<typeof setTimeout> | undefined;
  private emptyTimer: ReturnType<typeof setTimeout> | undefined;
  private emptiedAtMs = Number.NEGATIVE_INFINITY;
  /** Files moved aside so far: part of their names. */
  private rotations = 0;

  constructor(
    readonly dir: string,
    private readonly instanceId: string,
    private readonly sealAfterRecords = SEAL_AFTER_RECORDS,
    private readonly emptyEveryMs = EMPTY_EVERY_MS,
  ) {}

  private get activePath() {
    return path.join(this.dir, `spend-${process.pid}-${this.instanceId}.ndjson`);
  }

  /**
   * Appends with one write(), synchronously: once it returns, the records survive a crash of this
   * process. fsync follows within a second. Throws when the disk refuses (the caller then waits
   * for the database instead).
   */
  write(records: readonly JournalRecord[]): number {
    let text = "";
    for (const r of records) text += lineOf(r);
    if (this.fd === undefined) {
      mkdirSync(this.dir, { recursive: true });
      this.fd = openSync(this.activePath, "a");
    }
    writeSync(this.fd, text);
    this.activeRecords += records.length;
    this.written += records.length;
    if (!this.syncTimer) {
      this.syncTimer = setTimeout(() => this.syncNow(), FSYNC_EVERY_MS);
      this.syncTimer.unref?.();
    }
    return this.written;
  }

  /** Appends and fsyncs: for spend that could not be written ahead and now cannot reach the database. */
  append(records: readonly JournalRecord[]): Promise<void> {
    try {
      this.write(records);
      fdatasyncSync(this.fd!);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private syncNow(): void {
    this.syncTimer = undefined;
    if (this.fd !== undefined) fdatasync(this.fd, () => {});
  }

  /**
   * Every record up to seq is in the database: drops the sealed files it covers and, when nothing
   * newer was written and the active file has grown, empties it. A large active file is sealed
   * instead of growing while calls keep arriving during commits.
   */
  committed(seq: number): void {
    this.committedSeq = Math.max(this.committedSeq, seq);
    while (this.sealed.length && this.sealed[0]!.lastSeq <= seq) rmSync(this.sealed.shift()!.file, { force: true });
    if (this.fd === undefined || this.activeRecords === 0) return;
    if (seq >= this.written) {
      const waitMs = this.emptiedAtMs + this.emptyEveryMs - performance.now();
      if (waitMs > 0) {
        // Emptied when the wait is over, if nothing uncommitted has been written meanwhile.
        this.emptyTimer ??= setTimeout(() => {
          this.emptyTimer = undefined;
          this.committed(this.committedSeq);
        }, waitMs);
        this.emptyTimer.unref?.();
        return;
      }
      ftruncateSync(this.fd, 0);
      this.emptiedAtMs = performance.now();
      this.activeRecords = 0;
    } else if (this.activeRecords >= this.sealAfterRecords) {
      this.sealed.push({ file: this.moveActiveAside(), lastSeq: this.written });
    }
  }

  /** Closes the active file and renames it for replay; the next write starts a fresh one. */
  private moveActiveAside(): string {
    closeSync(this.fd!);
    this.fd = undefined;
    // Unique per rotation: two in one millisecond once got the same name, and the rename of the
    // second replaced the first file, its lines with it. The counter's fixed width keeps the names
    // in time order (replayable() sorts them).
    const file = this.activePath.replace(/\.ndjson$/, `.${Date.now()}${String(this.rotations++ % 1_000_000).padStart(6, "0")}.replaying`);
    renameSync(this.activePath, file);
    this.activeRecords = 0;
    return file;
  }

  /** Records in the active file that are not known to be in the database. */
  get hasActiveRecords(): boolean {
    return this.activeRecords > 0 && this.committedSeq < this.written;
  }

  /**
   * Moves the active file aside for replay (new appends start a fresh file) and returns every file
   * to replay: this one, sealed ones, and any left by processes that no longer run.
   */
  rotate(): string[] {
    if (this.fd !== undefined) {
      if (this.hasActiveRecords) this.moveActiveAside();
      else {
        closeSync(this.fd);
        this.fd = undefined;
        rmSync(this.activePath, { force: true });
      }
    }
    this.sealed = [];
    return this.replayable();
  }

  /**
   * Files this process may replay: its own rotated files, and every file of a process that is no
   * longer running. Another live process's files (or a sibling instance in this process, as in
   * tests) are left alone: it is still appending to them.
   */
  replayable(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return []; // no directory: nothing was ever journaled here
    }
    const out: string[] = [];
    for (const name of names.sort()) {
      const m = FILE_RE.exec(name);
      if (!m) continue;
      const pid = Number(m[1]);
      const ours = pid === process.pid && m[2] === this.instanceId;
      const orphan = pid !== process.pid && !isAlive(pid);
      if ((ours && m[3] === "replaying") || orphan) out.push(path.join(this.dir, name));
    }
    return out;
  }

  async read(file: string): Promise<JournalRecord[]> {
    const text = await readFile(file, "utf8");
    const out: JournalRecord[] = [];
    for (const line of text.split("\n")) {
      if (!line) continue;
      try {
        out.push(revive(JSON.parse(line)));
      } catch {
        // A torn last line (killed mid-write) was never acknowledged.
      }
    }
    return out;
  }

  remove(file: string): void {
    rmSync(file, { force: true });
  }

  /** Closes the active file; one whose every line is committed is removed. */
  close(): Promise<void> {
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    clearTimeout(this.emptyTimer);
    this.emptyTimer = undefined;
    if (this.fd !== undefined) {
      const keep = this.hasActiveRecords;
      if (keep) fdatasyncSync(this.fd);
      closeSync(this.fd);
      this.fd = undefined;
      if (!keep) rmSync(this.activePath, { force: true });
    }
    return Promise.resolve();
  }
}

// A line is a flat array: the format's mark, the targets, the lease holder, then the log's fields in
// the spend_logs columns' order, dates as epoch ms. JSON.stringify of a flat array of plain values
// stays on its fast path; the earlier lines (one object per record) are still read.
const LINE_FORMAT = 2;
const LOG_COLUMNS = Object.entries(getTableColumns(spendLogs));
const LOG_FIELDS = LOG_COLUMNS.map(([field]) => field as keyof SpendLogRow);
const DATE_FIELDS = new Set(LOG_COLUMNS.filter(([, column]) => column.dataType === "date").map(([field]) => field));

function lineOf(r: JournalRecord): string {
  const log = r.entry.log;
  const line: unknown[] = [LINE_FORMAT, r.entry.targets, r.leaseOwner ?? null];
  for (const field of LOG_FIELDS) {
    const v = log[field];
    line.push(v instanceof Date ? v.getTime() : v === undefined ? null : v);
  }
  return `${JSON.stringify(line)}\n`;
}

function revive(parsed: unknown): JournalRecord {
  if (Array.isArray(parsed) && parsed[0] === LINE_FORMAT) {
    const log: Record<string, unknown> = {};
    LOG_FIELDS.forEach((field, i) => {
      const v = parsed[i + 3];
      if (v === null || v === undefined) return;
      log[field] = DATE_FIELDS.has(field) ? new Date(v as number) : v;
    });
    const leaseOwner = parsed[2] as string | null;
    return { entry: { targets: parsed[1] as BudgetRef[], log: log as SpendLogRow }, ...(leaseOwner === null ? {} : { leaseOwner }) };
  }
  // A line written before LINE_FORMAT 2: one object per record, dates as epoch ms (or ISO text).
  const r = parsed as JournalRecord;
  const log = r.entry.log;
  return {
    ...r,
    entry: { ...r.entry, log: { ...log, startTime: new Date(log.startTime as unknown as string), endTime: new Date(log.endTime as unknown as string) } },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
