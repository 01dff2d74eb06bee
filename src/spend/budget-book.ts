// This instance's view of every budget a call can be charged against: committed spend, the
// reservations of calls in flight, and the limit. Admission reads and reserves from memory only, in
// one synchronous step, so no two calls on this instance can both take the last of a budget.
//
// Spend = dbSpendNano (last value the database returned) + unflushedNano (settled here, not yet
// committed). A commit moves its share from unflushed to db in one step, so the total never dips.
//
// With Postgres (budget-leases.ts) a budget with a limit is decided from this instance's lease of it
// instead: a call passes when the lease's free slack covers its estimate, and a lease is topped up
// from the database only when it runs short, so instances never admit against the same remainder.
import { type BudgetRef, type BudgetScope, type BudgetState, budgetExceededMessage, decideBudgets, isExhausted, teamMemberId } from "../policy/budget.ts";
import type { Logger } from "../log.ts";
import type { BudgetLeases } from "./budget-leases.ts";

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
  /** This instance's share of the budget, when budgets are shared through Postgres. */
  lease: LeaseState;
}

interface LeaseState {
  /** nano-USD leased from the budget: covers reservations, unflushed spend and free slack. */
  heldNano: number;
  /** Lease size beyond the calls waiting: doubles while the lease keeps running out. */
  slackNano: number;
  lastFetchMs: number;
  /** Set when an admin changed the budget: the next call hands slack back and asks again. */
  recheck: boolean;
  demandNano: number;
  fetching: Promise<number> | undefined;
  next: Promise<number> | undefined;
}

// Lease slack is capped at a small share of the budget so little is stranded on an idle instance.
const MAX_SLACK_FRACTION = 0.02;
const GROW_WITHIN_MS = 1_000;
const MAX_TOP_UPS = 4;
// What a top-up returns when it needed nothing from the database (see fetchLease).
const NOTHING_ASKED = -1;
const BLOCKS_AT_EQUAL: Record<BudgetScope, boolean> = { key: true, user: true, team_member: true, team: false, end_user: false };
const ORDER: readonly BudgetScope[] = ["key", "team_member", "team", "user", "end_user"];

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
const sameRef = (a: BudgetRef, b: BudgetRef) => a.scope === b.scope && a.id === b.id;

/** Accounts by scope, then id: found on every call without building a joined key. */
class Accounts {
  private readonly byScope = new Map<BudgetScope, Map<string, Account>>();

  get(ref: BudgetRef): Account | undefined {
    return this.byScope.get(ref.scope)?.get(ref.id);
  }

  set(ref: BudgetRef, a: Account): void {
    let ids = this.byScope.get(ref.scope);
    if (!ids) this.byScope.set(ref.scope, (ids = new Map()));
    ids.set(ref.id, a);
  }

  ofScope(scope: BudgetScope): ReadonlyMap<string, Account> {
    return this.byScope.get(scope) ?? new Map();
  }

  *entries(): Generator<[BudgetRef, Account]> {
    for (const [scope, ids] of this.byScope) for (const [id, a] of ids) yield [{ scope, id }, a];
  }
}

export class BudgetBook {
  private readonly accounts = new Accounts();

  constructor(
    private readonly load: BudgetLoader,
    private readonly now: () => number,
    /** How stale another instance's spend may get before this one re-reads it in the background. */
    private readonly refreshMs = 5_000,
    /** Shared budgets (Postgres); without it this instance alone decides, from memory. */
    private readonly leases?: BudgetLeases,
    private readonly log?: Logger,
  ) {}

  /**
   * Reserves amountNano against every budget, or refuses naming the first exhausted one. Awaits
   * only for budgets never seen (or invalidated); the decision and the reservation are one
   * synchronous step after that.
   */
  async admit(refs: readonly BudgetRef[], amountNano: number, labels: ReadonlyMap<string, string>, known?: KnownLimit): Promise<Admit> {
    let accounts = this.accountsInMemory(refs, known);
    if (!accounts) {
      accounts = [];
      for (const ref of refs) accounts.push(await this.account(ref, known && sameRef(known.ref, ref) ? known : undefined));
    }
    if (this.leases) {
      try {
        return await this.admitLeased(this.leases, refs, accounts, amountNano, labels);
      } catch (err) {
        // The database did not answer a lease: decide from what this instance knows, as a single
        // instance would, rather than fail the call or block every budget during an outage.
        this.log?.warn("budget lease failed: deciding from this instance's view", { error: String(err) });
      }
    }
    // From here on: no await until the reservation is taken. The refusal names the budget LiteLLM
    // would name (decideBudgets); only a call that meets an exhausted budget builds its states.
    if (accounts.some((a, i) => isExhausted(refs[i]!.scope, a.dbSpendNano + a.unflushedNano + a.reservedNano, a.maxBudgetNano))) {
      const decision = decideBudgets(refs.map((ref, i) => this.stateOf(ref, accounts[i]!, labels)));
      if (!decision.ok) return { ok: false, scope: decision.scope, message: decision.message };
    }
    for (const a of accounts) a.reservedNano += amountNano;
    return { ok: true, reservation: { refs, amountNano, released: false } };
  }

  private stateOf(ref: BudgetRef, a: Account, labels: ReadonlyMap<string, string>): BudgetState {
    return {
      scope: ref.scope,
      id: ref.id,
      label: labels.get(keyOf(ref)) ?? ref.id,
      spendNano: a.dbSpendNano + a.unflushedNano,
      reservedNano: a.reservedNano,
      maxBudgetNano: a.maxBudgetNano,
    };
  }

  /**
   * The accounts of refs when every one is in memory and current (the common case: no await);
   * undefined when one must be read first (account() does that).
   */
  private accountsInMemory(refs: readonly BudgetRef[], known: KnownLimit | undefined): Account[] | undefined {
    const out: Account[] = [];
    for (const ref of refs) {
      const a = this.accounts.get(ref);
      if (!a || a.loadedAtMs === Number.NEGATIVE_INFINITY) return undefined;
      if (known && sameRef(known.ref, ref)) {
        if (a.source !== known.row) return undefined;
        a.maxBudgetNano = known.row.maxBudgetNano;
      }
      if (this.now() - a.loadedAtMs >= this.refreshMs && !a.refreshing) void this.refresh(ref, a).catch(() => {});
      out.push(a);
    }
    return out;
  }

  private async admitLeased(leases: BudgetLeases, refs: readonly BudgetRef[], accounts: Account[], amountNano: number, labels: ReadonlyMap<string, string>): Promise<Admit> {
    // Every limited budget's lease has the slack already (nearly every call): reserve, no lists made.
    if (accounts.every((a) => a.maxBudgetNano === null || (!a.lease.recheck && freeOf(a) >= amountNano))) {
      for (const a of accounts) a.reservedNano += amountNano;
      return { ok: true, reservation: { refs, amountNano, released: false } };
    }
    const limited = refs.map((_, i) => i).filter((i) => accounts[i]!.maxBudgetNano !== null);
    for (let attempt = 0; ; attempt++) {
      // Synchronous from the check to the reservation: no two calls here take the same slack.
      const short = limited.filter((i) => accounts[i]!.lease.recheck || freeOf(accounts[i]!) < amountNano);
      if (short.length === 0) {
        for (const a of accounts) a.reservedNano += amountNano;
        return { ok: true, reservation: { refs, amountNano, released: false } };
      }
      const granted = attempt < MAX_TOP_UPS ? await Promise.all(short.map((i) => this.topUp(leases, refs[i]!, accounts[i]!, amountNano))) : short.map(() => 0);
      const exhausted = short.filter((i, k) => granted[k] === 0 && !accounts[i]!.lease.recheck && freeOf(accounts[i]!) < amountNano);
      if (exhausted.length) return this.refuse(refs, accounts, exhausted, labels);
    }
  }

  private refuse(refs: readonly BudgetRef[], accounts: Account[], exhausted: number[], labels: ReadonlyMap<string, string>): Admit {
    const first = [...exhausted].sort((x, y) => ORDER.indexOf(refs[x]!.scope) - ORDER.indexOf(refs[y]!.scope))[0]!;
    const ref = refs[first]!;
    return { ok: false, scope: ref.scope, message: budgetExceededMessage(this.stateOf(ref, accounts[first]!, labels)) };
  }

  /**
   * Calls that run short in the same turn of the event loop share one lease statement that asks for
   * all of their demand; the crossing allowance is still one call's shortfall (budget-leases.ts).
   */
  private topUp(leases: BudgetLeases, ref: BudgetRef, a: Account, amountNano: number): Promise<number> {
    const l = a.lease;
    l.demandNano += amountNano;
    l.next ??= (async () => {
      if (l.fetching) await l.fetching.catch(() => {});
      await new Promise<void>((resolve) => setImmediate(resolve));
      const demandNano = l.demandNano;
      l.demandNano = 0;
      l.next = undefined;
      const p = this.fetchLease(leases, ref, a, amountNano, demandNano);
      l.fetching = p;
      try {
        return await p;
      } finally {
        if (l.fetching === p) l.fetching = undefined;
      }
    })();
    return l.next;
  }

  private async fetchLease(leases: BudgetLeases, ref: BudgetRef, a: Account, amountNano: number, demandNano: number): Promise<number> {
    const l = a.lease;
    const nowMs = this.now();
    const cap = Math.max(amountNano, Math.floor((a.maxBudgetNano ?? 0) * MAX_SLACK_FRACTION));
    l.slackNano = nowMs - l.lastFetchMs < GROW_WITHIN_MS ? Math.min(cap, Math.max(amountNano, l.slackNano * 2)) : Math.min(cap, amountNano);
    l.lastFetchMs = nowMs;
    // Slack handed back leaves the local lease before the statement, so no call admits against it meanwhile.
    const rechecking = l.recheck;
    const creditNano = rechecking ? Math.max(0, freeOf(a)) : 0;
    l.recheck = false;
    l.heldNano -= creditNano;
    const free = freeOf(a);
    const needNano = Math.max(0, amountNano - free);
    const wantNano = Math.max(needNano, demandNano - free + l.slackNano);
    // Calls that settled meanwhile freed enough: nothing to ask. Not a refusal (a grant of 0 is one),
    // the waiting calls just check again.
    if (wantNano === 0 && !rechecking) return NOTHING_ASKED;
    const commitsBefore = a.commits;
    let grant;
    try {
      grant = await leases.lease(ref, {
        needNano,
        wantNano,
        freeNano: Math.max(0, free),
        creditNano,
        blocksAtEqual: BLOCKS_AT_EQUAL[ref.scope],
      });
    } catch (err) {
      l.heldNano += creditNano;
      l.recheck ||= creditNano > 0;
      throw err;
    }
    l.heldNano += grant.grantedNano;
    if (a.commits === commitsBefore) a.dbSpendNano = grant.spendNano;
    if (ref.scope !== "key") a.maxBudgetNano = grant.maxBudgetNano;
    return grant.grantedNano === 0 && needNano === 0 ? NOTHING_ASKED : grant.grantedNano;
  }

  /**
   * A lease larger than what is left of the budget (the crossing call's grant after it settled
   * below its estimate, or spend committed by other instances) holds budget others may need, e.g.
   * after a reset: hand the free part back, off the request path.
   */
  private returnExcess(ref: BudgetRef, a: Account): void {
    const leases = this.leases;
    const l = a.lease;
    if (!leases || a.maxBudgetNano === null || l.fetching || l.next || freeOf(a) <= 0) return;
    if (l.heldNano <= Math.max(0, a.maxBudgetNano - a.dbSpendNano)) return;
    l.recheck = true;
    const p = this.fetchLease(leases, ref, a, 0, 0).catch(() => 0);
    l.fetching = p;
    void p.finally(() => {
      if (l.fetching === p) l.fetching = undefined;
    });
  }

  /** Hands unused slack back to the shared budgets (shutdown), so other instances can use it. */
  async returnLeases(): Promise<void> {
    const leases = this.leases;
    if (!leases) return;
    const returns: Promise<unknown>[] = [];
    for (const [ref, a] of this.accounts.entries()) {
      if (a.maxBudgetNano === null || freeOf(a) <= 0) continue;
      a.lease.recheck = true;
      returns.push(this.fetchLease(leases, ref, a, 0, 0).catch(() => {}));
    }
    await Promise.all(returns);
    leases.close();
  }

  /** Releases the reservation and charges the actual cost (the part a commit will confirm). */
  settle(reservation: Reservation, chargedRefs: readonly BudgetRef[], costNano: number): void {
    if (!reservation.released) {
      reservation.released = true;
      for (const ref of reservation.refs) {
        const a = this.accounts.get(ref);
        if (a) a.reservedNano = Math.max(0, a.reservedNano - reservation.amountNano);
      }
    }
    this.charge(chargedRefs, costNano);
  }

  /** Adds spend settled here that is not committed yet (also for calls that reserved nothing). */
  charge(refs: readonly BudgetRef[], costNano: number): void {
    if (costNano === 0) return;
    for (const ref of refs) {
      const a = this.accounts.get(ref);
      if (a) a.unflushedNano += costNano;
    }
  }

  /** A commit added flushedNano to the row, whose spend is now dbSpendNano. */
  committed(ref: BudgetRef, flushedNano: number, dbSpendNano: number | undefined): void {
    const a = this.accounts.get(ref);
    if (!a) return;
    a.commits++;
    a.unflushedNano = Math.max(0, a.unflushedNano - flushedNano);
    // The same commit moved this spend out of our lease (ledger inTransaction), never below zero.
    a.lease.heldNano = Math.max(0, a.lease.heldNano - flushedNano);
    if (dbSpendNano !== undefined) a.dbSpendNano = dbSpendNano;
    this.returnExcess(ref, a);
  }

  /** Spend as this instance knows it (committed + settled here), for x-litellm-key-spend. */
  spendNano(ref: BudgetRef): number | undefined {
    const a = this.accounts.get(ref);
    return a ? a.dbSpendNano + a.unflushedNano : undefined;
  }

  /** Every budget of a scope this instance holds that has a limit: its spend as known here, and the limit. */
  *limited(scope: BudgetScope): Generator<{ id: string; spendNano: number; maxBudgetNano: number }> {
    for (const [id, a] of this.accounts.ofScope(scope)) {
      if (a.maxBudgetNano !== null) yield { id, spendNano: a.dbSpendNano + a.unflushedNano, maxBudgetNano: a.maxBudgetNano };
    }
  }

  /** An admin changed this budget (limit, spend reset): the next admission re-reads it. */
  invalidate(ref: BudgetRef): void {
    const a = this.accounts.get(ref);
    if (a) stale(a);
  }

  /** A team changed: its budget and every membership budget in it are re-read on next use. */
  invalidateTeam(teamId: string): void {
    const team = this.accounts.get({ scope: "team", id: teamId });
    if (team) stale(team);
    const members = teamMemberId(teamId, "");
    for (const [id, a] of this.accounts.ofScope("team_member")) if (id.startsWith(members)) stale(a);
  }

  /** Every budget re-read on next use (after a bulk reset). */
  invalidateAll(): void {
    for (const [, a] of this.accounts.entries()) stale(a);
  }

  private async account(ref: BudgetRef, known: KnownLimit | undefined): Promise<Account> {
    let a = this.accounts.get(ref);
    if (!a) {
      // A known row (the key from the KeyCache) seeds the account without a read.
      const row = known?.row ?? (await this.load(ref));
      a = this.accounts.get(ref); // another call may have created it while this one awaited
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
          lease: { heldNano: 0, slackNano: 0, lastFetchMs: Number.NEGATIVE_INFINITY, recheck: false, demandNano: 0, fetching: undefined, next: undefined },
        };
        this.accounts.set(ref, a);
      }
      return a;
    }
    if (known) {
      // The limit always comes from the caller's current row; a new row means an admin changed
      // the key (limit or spend reset): re-read its spend before deciding.
      a.maxBudgetNano = known.row.maxBudgetNano;
      if (a.source !== known.row) {
        a.source = known.row;
        a.lease.recheck = true;
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

/** Free slack of a lease: what is held minus what calls in flight and uncommitted spend use. */
const freeOf = (a: Account) => a.lease.heldNano - a.reservedNano - a.unflushedNano;

function stale(a: Account): void {
  a.loadedAtMs = Number.NEGATIVE_INFINITY;
  a.lease.recheck = true;
}

export { keyOf as budgetKey };
