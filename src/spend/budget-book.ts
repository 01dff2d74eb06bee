// This instance's view of every budget a call can be charged against: committed spend, the
// reservations of calls in flight, and the limit. Admission reads and reserves from memory only, in
// one synchronous step, so no two calls on this instance can both take the last of a budget.
//
// Spend = dbSpendNano (last value the database returned) + unflushedNano (settled here, not yet
// committed). A commit moves its share from unflushed to db in one step, so the total never dips.
import { type BudgetRef, type BudgetScope, type BudgetState, decideBudgets } from "../policy/budget.ts";

export interface BudgetRow {
  readonly spendNano: number;
  readonly maxBudgetNano: number | null;
}

/** Reads one budget's row; undefined when it does not exist (yet: end users appear on first use). */
export type BudgetLoader = (ref: BudgetRef) => Promise<BudgetRow | undefined>;

interface Account {
  maxBudgetNano: number | null;
  dbSpendNano: number;
  unflushedNano: number;
  reservedNano: number;
  loadedAtMs: number;
  /** Bumped by every commit, so a reload that raced one does not overwrite the newer spend. */
  commits: number;
  refreshing: Promise<void> | undefined;
  /** For keys: the KeyCache row the limit came from; a new row means the key was changed. */
  source: object | undefined;
}

export interface Reservation {
  readonly refs: readonly BudgetRef[];
  readonly amountNano: number;
  released: boolean;
}

export type Admit = { ok: true; reservation: Reservation } | { ok: false; scope: BudgetScope; message: string };

/** A budget whose limit comes from a row the caller already holds (the key, from the KeyCache). */
export interface KnownLimit {
  readonly ref: BudgetRef;
  readonly row: BudgetRow & object;
  readonly label: string;
}

const keyOf = (r: BudgetRef) => `${r.scope}\u0000${r.id}`;

export class BudgetBook {
  private readonly accounts = new Map<string, Account>();

  constructor(
    private readonly load: BudgetLoader,
    private readonly now: () => number,
    /** How stale another instance's spend may get before this one re-reads it in the background. */
    private readonly refreshMs = 5_000,
  ) {}

  /**
   * Reserves amountNano against every budget, or refuses naming the first exhausted one. Awaits
   * only for budgets never seen (or invalidated); the decision and the reservation are one
   * synchronous step after that.
   */
  async admit(refs: readonly BudgetRef[], amountNano: number, labels: ReadonlyMap<string, string>, known?: KnownLimit): Promise<Admit> {
    const accounts: Account[] = [];
    for (const ref of refs) accounts.push(await this.account(ref, known && keyOf(known.ref) === keyOf(ref) ? known : undefined));
    // From here on: no await until the reservation is taken.
    const states: BudgetState[] = refs.map((ref, i) => {
      const a = accounts[i]!;
      return {
        scope: ref.scope,
        id: ref.id,
        label: labels.get(keyOf(ref)) ?? ref.id,
        spendNano: a.dbSpendNano + a.unflushedNano,
        reservedNano: a.reservedNano,
        maxBudgetNano: a.maxBudgetNano,
      };
    });
    const decision = decideBudgets(states);
    if (!decision.ok) return { ok: false, scope: decision.scope, message: decision.message };
    for (const a of accounts) a.reservedNano += amountNano;
    return { ok: true, reservation: { refs, amountNano, released: false } };
  }

  /** Releases the reservation and charges the actual cost (the part a commit will confirm). */
  settle(reservation: Reservation, chargedRefs: readonly BudgetRef[], costNano: number): void {
    if (!reservation.released) {
      reservation.released = true;
      for (const ref of reservation.refs) {
        const a = this.accounts.get(keyOf(ref));
        if (a) a.reservedNano = Math.max(0, a.reservedNano - reservation.amountNano);
      }
    }
    this.charge(chargedRefs, costNano);
  }

  /** Adds spend settled here that is not committed yet (also for calls that reserved nothing). */
  charge(refs: readonly BudgetRef[], costNano: number): void {
    if (costNano === 0) return;
    for (const ref of refs) {
      const a = this.accounts.get(keyOf(ref));
      if (a) a.unflushedNano += costNano;
    }
  }

  /** A commit added flushedNano to the row, whose spend is now dbSpendNano. */
  committed(ref: BudgetRef, flushedNano: number, dbSpendNano: number | undefined): void {
    const a = this.accounts.get(keyOf(ref));
    if (!a) return;
    a.commits++;
    a.unflushedNano = Math.max(0, a.unflushedNano - flushedNano);
    if (dbSpendNano !== undefined) a.dbSpendNano = dbSpendNano;
  }

  /** Spend as this instance knows it (committed + settled here), for x-litellm-key-spend. */
  spendNano(ref: BudgetRef): number | undefined {
    const a = this.accounts.get(keyOf(ref));
    return a ? a.dbSpendNano + a.unflushedNano : undefined;
  }

  /** An admin changed this budget (limit, spend reset): the next admission re-reads it. */
  invalidate(ref: BudgetRef): void {
    const a = this.accounts.get(keyOf(ref));
    if (a) a.loadedAtMs = Number.NEGATIVE_INFINITY;
  }

  /** A team changed: its budget and every membership budget in it are re-read on next use. */
  invalidateTeam(teamId: string): void {
    for (const [k, a] of this.accounts) {
      if (k === keyOf({ scope: "team", id: teamId }) || k.startsWith(`team_member\u0000${teamId}\u0000`)) a.loadedAtMs = Number.NEGATIVE_INFINITY;
    }
  }

  /** Every budget re-read on next use (after a bulk reset). */
  invalidateAll(): void {
    for (const a of this.accounts.values()) a.loadedAtMs = Number.NEGATIVE_INFINITY;
  }

  private async account(ref: BudgetRef, known: KnownLimit | undefined): Promise<Account> {
    const id = keyOf(ref);
    let a = this.accounts.get(id);
    if (!a) {
      // A known row (the key from the KeyCache) seeds the account without a read.
      const row = known?.row ?? (await this.load(ref));
      a = this.accounts.get(id); // another call may have created it while this one awaited
      if (!a) {
        a = {
          maxBudgetNano: row?.maxBudgetNano ?? null,
          dbSpendNano: row?.spendNano ?? 0,
          unflushedNano: 0,
          reservedNano: 0,
          loadedAtMs: this.now(),
          commits: 0,
          refreshing: undefined,
          source: known?.row,
        };
        this.accounts.set(id, a);
      }
      return a;
    }
    if (known) {
      // The limit always comes from the caller's current row; a new row means an admin changed
      // the key (limit or spend reset): re-read its spend before deciding.
      a.maxBudgetNano = known.row.maxBudgetNano;
      if (a.source !== known.row) {
        a.source = known.row;
        await this.refresh(ref, a);
        return a;
      }
    }
    if (a.loadedAtMs === Number.NEGATIVE_INFINITY) await this.refresh(ref, a);
    else if (this.now() - a.loadedAtMs >= this.refreshMs && !a.refreshing) void this.refresh(ref, a).catch(() => {});
    return a;
  }

  private refresh(ref: BudgetRef, a: Account): Promise<void> {
    if (a.refreshing) return a.refreshing;
    const commitsBefore = a.commits;
    const startedMs = this.now();
    a.refreshing = this.load(ref)
      .then((row) => {
        if (ref.scope !== "key") a.maxBudgetNano = row?.maxBudgetNano ?? null;
        // A commit that landed while this read was in flight already set a newer spend.
        if (a.commits === commitsBefore) a.dbSpendNano = row?.spendNano ?? 0;
        a.loadedAtMs = startedMs;
      })
      .finally(() => {
        a.refreshing = undefined;
      });
    return a.refreshing;
  }
}

export { keyOf as budgetKey };
