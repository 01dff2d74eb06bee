// The spend writer. Every settled call adds its cost to its key, user, team, team membership and end
// user, and leaves one spend_logs row. A call's response is complete only once that is committed;
// group commit keeps this cheap: calls that settle while a write is running (or in the same turn
// of the event loop) are written together, in one transaction, with one increment per row.
import { eq, and, sql } from "drizzle-orm";
import type { Db, Store } from "../db/client.ts";
import type { BudgetRef } from "../policy/budget.ts";

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
  resolve: () => void;
  reject: (err: unknown) => void;
}

// Postgres allows 65,535 bind parameters per statement; spend_logs has 20 columns.
const LOG_ROWS_PER_INSERT = 500;

export class SpendLedger {
  private pending: Pending[] = [];
  private draining = false;
  /** Batches written and entries per batch, for tests and the bench. */
  readonly stats = { batches: 0, entries: 0, largestBatch: 0 };

  constructor(
    private readonly store: Store,
    private readonly onCommitted: (committed: readonly Committed[]) => void = () => {},
  ) {}

  /** Resolves once the entry is committed; rejects when its batch could not be written. */
  record(entry: SpendEntry): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.pending.push({ entry, resolve, reject }));
    if (!this.draining) {
      this.draining = true;
      // setImmediate, not a microtask: lets every call that settles in this event-loop turn join.
      setImmediate(() => void this.drain());
    }
    return done;
  }

  /** Resolves when everything recorded so far is committed (shutdown, tests). */
  async flush(): Promise<void> {
    while (this.draining || this.pending.length) await new Promise((r) => setImmediate(r));
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length) {
        const batch = this.pending;
        this.pending = [];
        try {
          const committed = await this.write(batch.map((p) => p.entry));
          this.stats.batches++;
          this.stats.entries += batch.length;
          this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
          this.onCommitted(committed);
          for (const p of batch) p.resolve();
        } catch (err) {
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async write(entries: readonly SpendEntry[]): Promise<Committed[]> {
    const increments = sumByTarget(entries);
    const logs = entries.map((e) => e.log);
    const s = this.store;
    if (s.dialect === "sqlite" && "sqlite" in s.raw) {
      // bun-sqlite transactions must be synchronous (stack notes §4): build each statement with the
      // shared query builder and run it with the driver's synchronous .all()/.run().
      const sqlite = s.raw.sqlite;
      return sqlite.transaction(() => {
        for (const q of logInserts(s.db, s.t, logs)) (q as unknown as SyncQuery).run();
        return increments.map(({ ref, addedNano }) => {
          const rows = (incrementQuery(s.db, s.t, ref, addedNano) as unknown as SyncQuery).all() as { spendNano: number }[];
          return { ref, addedNano, spendNano: rows[0]?.spendNano };
        });
      })();
    }
    return s.db.transaction(async (tx) => {
      for (const q of logInserts(tx, s.t, logs)) await q;
      const out: Committed[] = [];
      for (const { ref, addedNano } of increments) {
        const rows = (await incrementQuery(tx, s.t, ref, addedNano)) as { spendNano: number }[];
        out.push({ ref, addedNano, spendNano: rows[0]?.spendNano });
      }
      return out;
    });
  }
}

interface SyncQuery {
  all(): unknown[];
  run(): unknown;
}

function sumByTarget(entries: readonly SpendEntry[]): { ref: BudgetRef; addedNano: number }[] {
  const sums = new Map<string, { ref: BudgetRef; addedNano: number }>();
  for (const e of entries) {
    for (const ref of e.targets) {
      const k = `${ref.scope}\u0000${ref.id}`;
      const s = sums.get(k);
      if (s) s.addedNano += e.log.spendNano ?? 0;
      else sums.set(k, { ref, addedNano: e.log.spendNano ?? 0 });
    }
  }
  // End users are created on first use even by a free call; other rows only change when charged.
  return [...sums.values()].filter((s) => s.addedNano !== 0 || s.ref.scope === "end_user");
}

function logInserts(db: Db, t: Store["t"], logs: readonly SpendLogRow[]) {
  const out = [];
  for (let i = 0; i < logs.length; i += LOG_ROWS_PER_INSERT) {
    // A request id seen twice (a client replaying a response id) keeps its first row.
    out.push(db.insert(t.spendLogs).values(logs.slice(i, i + LOG_ROWS_PER_INSERT)).onConflictDoNothing());
  }
  return out;
}

/** spend = spend + x, atomic in the database, returning the new spend. */
function incrementQuery(db: Db, t: Store["t"], ref: BudgetRef, addedNano: number) {
  switch (ref.scope) {
    case "key":
      return db.update(t.keys).set({ spendNano: sql`${t.keys.spendNano} + ${addedNano}` }).where(eq(t.keys.token, ref.id)).returning({ spendNano: t.keys.spendNano });
    case "user":
      return db.update(t.users).set({ spendNano: sql`${t.users.spendNano} + ${addedNano}` }).where(eq(t.users.userId, ref.id)).returning({ spendNano: t.users.spendNano });
    case "team":
      return db.update(t.teams).set({ spendNano: sql`${t.teams.spendNano} + ${addedNano}` }).where(eq(t.teams.teamId, ref.id)).returning({ spendNano: t.teams.spendNano });
    case "team_member": {
      const [teamId, userId] = splitMember(ref.id);
      const m = t.teamMembers;
      return db.update(m).set({ spendNano: sql`${m.spendNano} + ${addedNano}` }).where(and(eq(m.teamId, teamId), eq(m.userId, userId))).returning({ spendNano: m.spendNano });
    }
    case "end_user":
      return db
        .insert(t.endUsers)
        .values({ userId: ref.id, spendNano: addedNano })
        .onConflictDoUpdate({ target: t.endUsers.userId, set: { spendNano: sql`${t.endUsers.spendNano} + ${addedNano}` } })
        .returning({ spendNano: t.endUsers.spendNano });
  }
}

// The inverse of policy/budget.ts teamMemberId.
function splitMember(id: string): [string, string] {
  const i = id.indexOf("\u0000");
  return [id.slice(0, i), id.slice(i + 1)];
}
