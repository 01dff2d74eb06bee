// The spend writer. Every settled call adds its cost to its key, user, team, team membership and end
// user, and leaves one spend_logs row.
//
// With a journal (journal.ts; the default for a SQLite file and for Postgres), a settled call is
// written ahead to the journal with one write() and answered at once; the database is written
// behind the requests, in batches of up to BATCH_WINDOW_MS of calls, one transaction and one
// increment per row each. Without one (an in-memory database), a call is answered once its batch is
// committed, and group commit keeps that cheap: calls that settle while a write is running (or in
// the same turn of the event loop) are written together.
//
// When the database cannot take a batch (an error, or no answer within commitTimeoutMs), its spend
// stays in the journal, which is replayed on reconnect and at the next start. The write is
// idempotent by request_id: a log row and the increments it causes commit in one transaction, and
// only rows actually inserted are counted, so a replay (of lines that did commit, or a commit that
// did land after its timeout) never counts twice.
import type { Store } from "../db/client.ts";
import type { Logger } from "../log.ts";
import type { BudgetRef } from "../policy/budget.ts";
import type { JournalRecord, SpendJournal } from "./journal.ts";
import { createPgSpendWriter, type PgTx } from "./pg-writer.ts";
import { createSqliteSpendWriter } from "./sqlite-writer.ts";

export type SpendLogRow = Store["t"]["spendLogs"]["$inferInsert"];

export interface SpendEntry {
  readonly log: SpendLogRow;
  /** Where log.spendNano is added (policy/budget.ts spendTargets). */
  readonly targets: readonly BudgetRef[];
}

/** What one commit added to one row, and the row's spend afterwards (undefined: no such row). */
export interface Committed {
  readonly ref: BudgetRef;
  readonly addedNano: number;
  readonly spendNano: number | undefined;
}

interface Pending {
  entry: SpendEntry;
  /** The journal's sequence number when the entry was written ahead (its call is already answered). */
  seq?: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface LedgerOptions {
  /** Where batches go when the database cannot take them; without one a failed batch rejects. */
  readonly journal?: SpendJournal;
  /** A commit without an answer after this long is journaled instead (it may still land: idempotent). */
  readonly commitTimeoutMs?: number;
  readonly log?: Logger;
  /**
   * Runs inside each commit's transaction (Postgres only), after the increments: the budget lease
   * pool hands back the leased budget a commit turned into spend, atomically with that spend.
   */
  readonly inTransaction?: (tx: PgTx, records: readonly JournalRecord[]) => Promise<void>;
  /** Tags every record with the lease holder, so a replay releases the right lease. */
  readonly leaseOwner?: string;
  /** Calls admitted and not yet settled: while there are some, a commit waits a turn or two for them. */
  readonly siblings?: () => number;
  /** After a failed journal write, calls wait for their commit this long before the journal is tried again. */
  readonly journalRetryMs?: number;
}

// Group commit on a busy gateway: how many extra event-loop turns a commit waits for calls still in
// flight to settle and join its batch (Postgres's commit_delay/commit_siblings, counted in turns of
// the loop, which cost microseconds, not in milliseconds). A lone call never waits.
const GROUP_COMMIT_TURNS = 2;

// Spend written ahead to the journal waits this long for company before its batch is committed:
// the commit's fixed cost (a transaction, a round trip to Postgres) is shared by every call in it.
// The cost of a commit on the event loop is mostly a cold start (SQLite's code and pages evicted
// by the calls in between), so fewer, larger commits cost less per call: at one connection, 5 →
// 20 ms took 159-163 → 146-149 µs of CPU and 0.184-0.186 → 0.162-0.166 ms p50 per call (two
// copies of each, interleaved); 100 ms gained nothing more and made the p99 worse. At 32
// connections no change. Nothing waits on it: calls are answered once journaled, and admin
// reads flush first; another instance sees the spend up to this much later.
const BATCH_WINDOW_MS = 20;
// Calls answered ahead of their commit, at most (about 2 MB of entries; a second of traffic at 2k/s).
const MAX_PENDING_AHEAD = 2_000;

const DEFAULT_COMMIT_TIMEOUT_MS = 5_000;
// A journal that could not be written (a full disk, a directory gone) is tried again this long after
// its failure; until then calls wait for their commit. Before, one failure lasted until a restart.
const JOURNAL_RETRY_MS = 10_000;
const MAX_REPLAY_ROUNDS = 3;
const REPLAY_BACKOFF_MS = [100, 250, 500, 1_000, 2_000, 5_000];

// Entries per batch commit (pg-writer.ts splits a batch into statements within Postgres's
// 65,535 bind parameters).
const LOG_ROWS_PER_INSERT = 500;

/** An entry waiting for the end of its turn; `committed` is set when it must also wait for its batch. */
interface TurnEntry {
  entry: SpendEntry;
  committed?: () => void;
}

export class SpendLedger {
  private sqliteWriter: ReturnType<typeof createSqliteSpendWriter> | undefined;
  private pgWriter: ReturnType<typeof createPgSpendWriter> | undefined;
  private pending: Pending[] = [];
  private draining = false;
  private windowTimer: ReturnType<typeof setTimeout> | undefined;
  /** A flush, a full batch or a caller without the journal asked for what is pending to be committed now; cleared once nothing is. */
  private hurried = false;
  /** Set when a journal write failed: until then (performance.now()), calls wait for their commit instead. */
  private journalFailedUntil: number | undefined;
  /** Entries recorded in this event-loop turn, written ahead together at its end. */
  private turn: { entries: TurnEntry[]; done: Promise<void>; resolve: () => void; reject: (err: unknown) => void } | undefined;
  /** True from the first journaled batch until the journal is replayed: batches go to the journal. */
  private outage = false;
  private replaying: Promise<boolean> | undefined;
  private replayTimer: ReturnType<typeof setTimeout> | undefined;
  private replayAttempt = 0;
  private closed = false;
  /** Batches written and entries per batch, for tests and the bench; journaled/replayed count entries. */
  readonly stats = { batches: 0, entries: 0, largestBatch: 0, journaled: 0, replayed: 0 };

  constructor(
    private readonly store: Store,
    private readonly onCommitted: (committed: readonly Committed[]) => void = () => {},
    private readonly options: LedgerOptions = {},
  ) {}

  /** True while spend waits in the local journal for the database. */
  get degraded(): boolean {
    return this.outage;
  }

  /**
   * Resolves once the entry is durable: written ahead to the journal or, without one, committed.
   * Rejects when neither could be done. The entries recorded in one event-loop turn are written
   * ahead together, with one write(), before any of them resolves.
   */
  record(entry: SpendEntry): Promise<void> {
    if (this.options.journal && (this.journalFailedUntil === undefined || performance.now() >= this.journalFailedUntil)) {
      if (!this.turn) {
        const turn = Promise.withResolvers<void>();
        this.turn = { entries: [], done: turn.promise, resolve: turn.resolve, reject: turn.reject };
        setImmediate(() => this.writeTurn());
      }
      const turn = this.turn;
      // A database slower than the traffic would let the queue grow without bound: past
      // MAX_PENDING_AHEAD, calls are still journaled but also wait for their batch (backpressure).
      if (this.pending.length + turn.entries.length < MAX_PENDING_AHEAD) {
        turn.entries.push({ entry });
        return turn.done;
      }
      return new Promise<void>((resolve) => turn.entries.push({ entry, committed: resolve }));
    }
    return this.recordAfterCommit(entry);
  }

  /** Writes the turn's entries to the journal with one write() and queues them for their batch. */
  private writeTurn(): void {
    const turn = this.turn;
    if (!turn) return;
    this.turn = undefined;
    try {
      const records = turn.entries.map(({ entry }) => ({ entry, leaseOwner: this.options.leaseOwner }));
      let seq = this.options.journal!.write(records) - records.length;
      for (const { entry, committed } of turn.entries) {
        seq++;
        this.pending.push({ entry, seq, resolve: committed ?? noop, reject: committed ?? noop });
      }
      this.schedule(true);
      turn.resolve();
      if (this.journalFailedUntil !== undefined) {
        this.journalFailedUntil = undefined;
        this.options.log?.info("spend journal written again: calls are answered once journaled");
      }
    } catch (err) {
      const firstFailure = this.journalFailedUntil === undefined;
      this.journalFailedUntil = performance.now() + (this.options.journalRetryMs ?? JOURNAL_RETRY_MS);
      if (firstFailure) this.options.log?.error("spend journal write failed: calls now wait for their database commit", { error: String(err) });
      const commits = turn.entries.map(({ entry, committed }) => {
        const commit = this.recordAfterCommit(entry);
        if (committed) commit.then(committed, () => committed());
        return commit;
      });
      Promise.all(commits).then(() => turn.resolve(), turn.reject);
    }
  }

  private recordAfterCommit(entry: SpendEntry): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.pending.push({ entry, resolve, reject }));
    this.schedule(false);
    return done;
  }

  private schedule(writtenAhead: boolean): void {
    if (this.pending.length >= LOG_ROWS_PER_INSERT || !writtenAhead) this.hurry();
    if (this.draining) return;
    this.draining = true;
    if (writtenAhead) this.windowTimer = setTimeout(() => this.startDrain(), BATCH_WINDOW_MS);
    // setImmediate, not a microtask: lets every call that settles in this event-loop turn join.
    else setImmediate(() => this.startDrain());
  }

  /** Ends a batch window early: a full batch, a caller that waits, a flush. */
  private hurry(): void {
    this.hurried = true;
    if (this.windowTimer === undefined) return;
    clearTimeout(this.windowTimer);
    this.windowTimer = undefined;
    setImmediate(() => this.startDrain());
  }

  private startDrain(): void {
    this.windowTimer = undefined;
    void this.drain();
  }

  /** Resolves when everything recorded so far is committed (admin reads, shutdown, tests). */
  async flush(): Promise<void> {
    this.writeTurn();
    this.hurry();
    while (this.draining || this.pending.length) await new Promise((r) => setImmediate(r));
  }

  /**
   * Replays journal files left by a previous run (kill -9, an outage at shutdown). Failing to reach
   * the database leaves them for the background retry.
   */
  async recover(): Promise<void> {
    if (this.options.journal?.replayable().length) {
      this.outage = true;
      await this.replay();
    }
  }

  /** Stops retrying; journaled spend stays on disk for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    this.writeTurn();
    clearTimeout(this.replayTimer);
    this.hurry();
    await this.replaying;
    await this.options.journal?.close();
  }

  private async drain(): Promise<void> {
    try {
      const waiting = this.pending.some((p) => p.seq === undefined);
      for (let turn = 0; waiting && turn < GROUP_COMMIT_TURNS && (this.options.siblings?.() ?? 0) > 0; turn++) {
        await new Promise((r) => setImmediate(r));
      }
      // Spend that settled during a commit waits for its own window, unless a full batch is there
      // or someone asked for it now (hurry). Committing it at once made a slow commit (Postgres:
      // ~2 ms) into back-to-back commits of two or three calls each.
      for (let first = true; this.pending.length && (first || this.hurried || this.pending.length >= LOG_ROWS_PER_INSERT); first = false) {
        await this.commit(this.pending.splice(0, LOG_ROWS_PER_INSERT));
      }
    } finally {
      this.draining = false;
    }
    if (this.pending.length) this.schedule(true);
    else this.hurried = false;
  }

  private async commit(batch: Pending[]): Promise<void> {
    const records = batch.map((p): JournalRecord => ({ entry: p.entry, leaseOwner: this.options.leaseOwner }));
    const journal = this.options.journal;
    if (!this.outage) {
      try {
        const committed = await this.writeInTime(records, journal !== undefined);
        this.stats.batches++;
        this.stats.entries += batch.length;
        this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
        this.onCommitted(committed);
        for (const p of batch) p.resolve();
        // Batches commit in order, so every line up to the last one of this batch is in the database.
        const lastSeq = batch.findLast((p) => p.seq !== undefined)?.seq;
        if (lastSeq !== undefined && !this.outage) journal!.committed(lastSeq);
        return;
      } catch (err) {
        if (!journal) {
          for (const p of batch) p.reject(err);
          return;
        }
        this.options.log?.warn("spend commit failed: journaling locally until the database answers", { entries: batch.length, error: String(err) });
      }
    }
    // Spend written ahead is in the journal already; the rest is appended (and fsync'd) now.
    const notAhead = batch.filter((p) => p.seq === undefined);
    for (const p of batch) if (p.seq !== undefined) p.resolve();
    try {
      if (notAhead.length) await journal!.append(records.filter((_, i) => batch[i]!.seq === undefined));
      this.stats.journaled += batch.length;
      this.startOutage();
      for (const p of notAhead) p.resolve();
    } catch (err) {
      this.startOutage();
      this.options.log?.error("spend journal append failed", { entries: notAhead.length, error: String(err) });
      for (const p of notAhead) p.reject(err);
    }
  }

  /** The database write, given up on (not cancelled) after commitTimeoutMs when a journal can take over. */
  private writeInTime(records: readonly JournalRecord[], canGiveUp: boolean): Promise<Committed[]> {
    const write = this.write(records);
    if (!canGiveUp || this.store.dialect === "sqlite") return write;
    const timeoutMs = this.options.commitTimeoutMs ?? DEFAULT_COMMIT_TIMEOUT_MS;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut = false;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`spend commit took over ${timeoutMs} ms`));
      }, timeoutMs);
    });
    // A commit that lands after its timeout still updates the book; its replay will find the rows.
    void write.then((c) => timedOut && this.onCommitted(c), () => {});
    return Promise.race([write, timeout]).finally(() => clearTimeout(timer));
  }

  private startOutage(): void {
    if (this.outage) return;
    this.outage = true;
    this.replayAttempt = 0;
    this.scheduleReplay();
  }

  private scheduleReplay(): void {
    if (this.closed) return;
    const delayMs = REPLAY_BACKOFF_MS[Math.min(this.replayAttempt++, REPLAY_BACKOFF_MS.length - 1)]!;
    this.replayTimer = setTimeout(() => void this.replay(), delayMs);
  }

  /** Applies every journal file to the database; true once nothing is left to replay. */
  replay(): Promise<boolean> {
    const journal = this.options.journal;
    if (!journal) return Promise.resolve(true);
    this.replaying ??= (async () => {
      try {
        for (let round = 1; ; round++) {
          // Spend journaled while a round ran went to a fresh file: go round again. When calls keep
          // coming, the outage ends with the last rotation (new spend commits normally from then on)
          // and that file is replayed like the others.
          const last = journal.hasActiveRecords && round > MAX_REPLAY_ROUNDS;
          const files = journal.rotate();
          if (last) this.outage = false;
          await this.replayFiles(journal, files);
          if (last || !journal.hasActiveRecords) break;
        }
        this.outage = false;
        this.options.log?.info("spend journal replayed: writing to the database again", { replayed: this.stats.replayed });
        return true;
      } catch (err) {
        this.options.log?.warn("spend journal replay failed; retrying", { error: String(err) });
        if (this.outage) this.scheduleReplay();
        else this.startOutage();
        return false;
      } finally {
        this.replaying = undefined;
      }
    })();
    return this.replaying;
  }

  private async replayFiles(journal: SpendJournal, files: readonly string[]): Promise<void> {
    for (const file of files) {
      const records = await journal.read(file);
      for (let i = 0; i < records.length; i += LOG_ROWS_PER_INSERT) {
        const chunk = records.slice(i, i + LOG_ROWS_PER_INSERT);
        // Only this process's own settled spend is in its budget book; another run's is not.
        const own = chunk.filter((r) => r.leaseOwner === this.options.leaseOwner);
        const foreign = chunk.filter((r) => r.leaseOwner !== this.options.leaseOwner);
        if (own.length) this.onCommitted(await this.write(own));
        if (foreign.length) await this.write(foreign);
      }
      this.stats.replayed += records.length;
      journal.remove(file);
    }
  }

  private async write(records: readonly JournalRecord[]): Promise<Committed[]> {
    const entries = uniqueByRequestId(records.map((r) => r.entry));
    const s = this.store;
    if ("sqlite" in s.raw) {
      this.sqliteWriter ??= createSqliteSpendWriter(s.raw.sqlite, s.t);
      return this.sqliteWriter(entries, sumByTarget);
    }
    this.pgWriter ??= createPgSpendWriter(s.raw.pg, s.t);
    const inTransaction = this.options.inTransaction;
    return this.pgWriter(
      entries,
      sumByTarget,
      inTransaction && ((tx, inserted) => inTransaction(tx, records.filter((r) => inserted.has(r.entry.log.requestId)))),
    );
  }
}

const noop = () => {};

function uniqueByRequestId(entries: readonly SpendEntry[]): SpendEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => !seen.has(e.log.requestId) && seen.add(e.log.requestId));
}

function sumByTarget(entries: readonly SpendEntry[]): { ref: BudgetRef; addedNano: number }[] {
  // By scope, then id: no joined key per entry and target.
  const sums = new Map<string, Map<string, { ref: BudgetRef; addedNano: number }>>();
  for (const e of entries) {
    for (const ref of e.targets) {
      let ids = sums.get(ref.scope);
      if (!ids) sums.set(ref.scope, (ids = new Map()));
      const s = ids.get(ref.id);
      if (s) s.addedNano += e.log.spendNano ?? 0;
      else ids.set(ref.id, { ref, addedNano: e.log.spendNano ?? 0 });
    }
  }
  // End users are created on first use even by a free call; other rows only change when charged.
  // Rows are updated in one fixed order in every transaction (scope, then id), so two instances
  // committing batches that touch the same rows cannot deadlock (LiteLLM's 40P01 on spend updates,
  // pain points §A.6).
  const out: { ref: BudgetRef; addedNano: number }[] = [];
  for (const ids of sums.values()) for (const s of ids.values()) if (s.addedNano !== 0 || s.ref.scope === "end_user") out.push(s);
  return out.sort((a, b) => byText(a.ref.scope, b.ref.scope) || byText(a.ref.id, b.ref.id));
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
