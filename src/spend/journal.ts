// The spend journal: where settled calls go when the database cannot take them (unreachable, a
// commit that does not answer in time). One append-only file of JSON lines per process, fsync'd
// before the calls it holds are answered, so a response the client saw is on disk even if the
// process is killed before the database comes back. Replaying is exactly-once because the ledger's
// write is idempotent by request_id (a log row and its increments commit together or not at all).
//
// Files are named spend-<pid>-<instance>.ndjson; a replay picks up files of processes that are gone
// (a restart after kill -9) and never a file another live process is still appending to.
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { open, readFile, rename, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { SpendEntry } from "./ledger.ts";

/** One journal line: the entry plus the instance whose budget lease held its cost. */
export interface JournalRecord {
  readonly entry: SpendEntry;
  readonly leaseOwner?: string;
}

// spend-<pid>-<instance>.ndjson while appended to; spend-<pid>-<instance>.<ms>.replaying once rotated.
const FILE_RE = /^spend-(\d+)-([0-9a-f]+)(?:\.\d+)?\.(ndjson|replaying)$/;

export class SpendJournal {
  private handle: FileHandle | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private queuedAppends = 0;
  /** Records appended to the active file since it was last rotated away. */
  private activeRecords = 0;

  constructor(
    readonly dir: string,
    private readonly instanceId: string,
  ) {}

  private get activePath() {
    return path.join(this.dir, `spend-${process.pid}-${this.instanceId}.ndjson`);
  }

  /** Appends and fsyncs; resolves once the records would survive a crash of this process. */
  append(records: readonly JournalRecord[]): Promise<void> {
    const text = records.map((r) => JSON.stringify(r)).join("\n") + "\n";
    this.queuedAppends++;
    return this.serially(async () => {
      try {
        if (!this.handle) {
          mkdirSync(this.dir, { recursive: true });
          this.handle = await open(this.activePath, "a");
        }
        await this.handle.appendFile(text);
        await this.handle.sync();
        this.activeRecords += records.length;
      } finally {
        this.queuedAppends--;
      }
    });
  }

  /**
   * Appends and rotations run one at a time, in call order: a rotation never closes the file under
   * an append, and an append never lands in a file already handed to a replay.
   */
  private serially<T>(step: () => Promise<T>): Promise<T> {
    const next = this.chain.then(step);
    this.chain = next.catch(() => {});
    return next;
  }

  /** Records in the active file, or on their way to it. */
  get hasActiveRecords(): boolean {
    return this.activeRecords > 0 || this.queuedAppends > 0;
  }

  /**
   * Moves the active file aside for replay (new appends start a fresh file) and returns every file
   * to replay: this one and any left by processes that no longer run.
   */
  rotate(): Promise<string[]> {
    return this.serially(async () => {
      if (this.handle) {
        const handle = this.handle;
        this.handle = undefined;
        await handle.close();
        if (this.activeRecords > 0) await rename(this.activePath, this.activePath.replace(/\.ndjson$/, `.${Date.now()}.replaying`));
        else rmSync(this.activePath, { force: true });
        this.activeRecords = 0;
      }
      return this.replayable();
    });
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
        out.push(revive(JSON.parse(line) as JournalRecord));
      } catch {
        // A torn last line (killed mid-append, before its fsync returned) was never acknowledged.
      }
    }
    return out;
  }

  remove(file: string): void {
    rmSync(file, { force: true });
  }

  close(): Promise<void> {
    return this.serially(async () => {
      const handle = this.handle;
      this.handle = undefined;
      await handle?.close();
    });
  }
}

function revive(r: JournalRecord): JournalRecord {
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
