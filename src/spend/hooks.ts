// The spend side of every LLM call (src/proxy/hooks.ts): admit checks every applicable budget and
// reserves the call's estimated cost against all of them; settle prices the actual usage, commits
// it (ledger) and reports it in x-litellm-response-cost / x-litellm-key-spend.
import type { Principal } from "../auth/principal.ts";
import type { Config } from "../config/schema.ts";
import type { Store } from "../db/client.ts";
import { GatewayError } from "../errors.ts";
import { nanoToUsd, usdToNano } from "../money.ts";
import { applicableBudgets, type BudgetOwners, type BudgetRef, estimateTokens, spendTargets, teamMemberId } from "../policy/budget.ts";
import type { CallContext, CallOutcome } from "../proxy/hooks.ts";
import { BudgetBook, budgetKey, type KnownLimit, type Reservation } from "./budget-book.ts";
import { type EndUserDefaultBudget, ensureProxyBudgetRow, loadBudgetRow, loadEndUserBudget } from "./budget-rows.ts";
import { costNanoUsd, deploymentCostNanoUsd, pricesFor, type TokenPricesPico, tokenUsageOf } from "./cost.ts";
import type { AbandonableHooks } from "./compose-hooks.ts";
import { BudgetLeases, leaseKeyOf } from "./budget-leases.ts";
import { type JournalRecord, SpendJournal } from "./journal.ts";
import { SpendLedger } from "./ledger.ts";
import type { Logger } from "../log.ts";
import path from "node:path";

// LiteLLM's call_type values in spend logs.
const CALL_TYPE = { chat: "acompletion", completion: "atext_completion", embedding: "aembedding" } as const;

export interface Spend {
  readonly book: BudgetBook;
  readonly ledger: SpendLedger;
  readonly hooks: AbandonableHooks;
  /** Settles once spend journaled by an earlier run has been replayed (or the replay has been retried in the background). */
  readonly ready: Promise<void>;
  /** Commits what is buffered (or journals it) and stops background work. */
  close(): Promise<void>;
}

/** Unique per process start, so journal files and budget leases of different runs never mix. */
export const newInstanceId = () => crypto.randomUUID().replaceAll("-", "").slice(0, 16);

/**
 * Where settled spend is written ahead of the database (journal.ts): beside a SQLite file, in the
 * working directory for Postgres. An in-memory database keeps nothing across a restart, so it gets
 * none and each call waits for its commit.
 */
export function journalDirOf(config: Config, store: Store): string | undefined {
  if (config.general.spend_journal_dir) return config.general.spend_journal_dir;
  if (store.dialect === "pg") return path.join(process.cwd(), "tollgate-spend-journal");
  return store.location === ":memory:" || store.location === "" ? undefined : `${path.resolve(store.location)}.spend-journal`;
}

export function createSpend(deps: { store: Store; config: Config; now: () => number; log?: Logger }): Spend {
  const instanceId = newInstanceId();
  // On Postgres every instance leases its share of each budget, so budgets hold across instances.
  // litellm_settings.max_end_user_budget(_id): the budget of every end user without one of its own.
  const { max_end_user_budget: endUserMax, max_end_user_budget_id: endUserTier } = deps.config.litellm;
  const endUserDefault: EndUserDefaultBudget | undefined =
    endUserTier !== undefined ? { budgetId: endUserTier } : endUserMax !== undefined ? usdToNano(endUserMax) : undefined;
  const leases = "pg" in deps.store.raw ? new BudgetLeases(deps.store.raw.pg, instanceId, deps.now, undefined, endUserDefault) : undefined;
  const load = (ref: BudgetRef) =>
    ref.scope === "end_user" && endUserDefault !== undefined ? loadEndUserBudget(deps.store, ref.id, endUserDefault) : loadBudgetRow(deps.store, ref);
  const book = new BudgetBook(load, deps.now, undefined, leases, deps.log);
  const journalDir = journalDirOf(deps.config, deps.store);
  const ledger = new SpendLedger(
    deps.store,
    (committed) => {
      for (const c of committed) book.committed(c.ref, c.addedNano, c.spendNano);
    },
    {
      journal: journalDir ? new SpendJournal(journalDir, instanceId) : undefined,
      log: deps.log,
      leaseOwner: instanceId,
      inTransaction: leases ? (tx, records) => BudgetLeases.release(tx, releasedByLease(records)) : undefined,
      siblings: () => inFlight.size,
    },
  );
  // Calls between admit and settle (or abandon): the ledger's group commit waits briefly for them.
  const inFlight = new Set<string>();
  const ready = ledger.recover().catch(() => {});
  const reservations = new Map<string, Reservation>();
  const groupPrices = new Map<string, TokenPricesPico>();

  // A reservation must not undercount: price it at the dearest deployment of the group.
  const pricesOfGroup = (group: string): TokenPricesPico => {
    let p = groupPrices.get(group);
    if (!p) {
      const entries = deps.config.modelList.filter((m) => m.model_name === group);
      const all = entries.length ? entries.map((m) => pricesFor({ params: m.litellm_params, info: m.model_info })) : [pricesFor({ params: { model: group } })];
      p = {
        input: Math.max(...all.map((x) => x.input)),
        output: Math.max(...all.map((x) => x.output)),
        cachedInput: Math.max(...all.map((x) => x.cachedInput)),
        cacheWrite: Math.max(...all.map((x) => x.cacheWrite)),
      };
      groupPrices.set(group, p);
    }
    return p;
  };

  // litellm_settings.max_budget: every call also counts against the proxy's budget, kept as
  // LiteLLM keeps it on a user row of its own. Calls wait for that row only until it is written.
  // 0 means none, as in LiteLLM (it checks max_budget > 0).
  const proxyBudget = deps.config.litellm.max_budget || undefined;
  const proxyRef: BudgetRef | undefined = proxyBudget === undefined ? undefined : { scope: "user", id: PROXY_BUDGET_USER_ID };
  let proxyRow: Promise<void> | undefined =
    proxyBudget === undefined
      ? undefined
      : ensureProxyBudgetRow(deps.store, PROXY_BUDGET_USER_ID, usdToNano(proxyBudget), deps.config.litellm.budget_duration, deps.now(), deps.config.litellm.timezone).catch((err) =>
          deps.log?.error("writing the proxy budget's row failed", { error: String(err) }),
        );
  const budgetsOf = budgetsFinder(proxyRef);
  const keepPrompts = deps.config.general.store_prompts_in_spend_logs === true;

  const hooks: AbandonableHooks = {
    async admit(ctx) {
      if (proxyRow) {
        await proxyRow;
        proxyRow = undefined;
      }
      inFlight.add(ctx.callId);
      const { refs, labels, known } = budgetsOf(ctx);
      if (!refs.length) return {};
      const estimateNano = costNanoUsd(estimateTokens(ctx.body), pricesOfGroup(ctx.modelGroup));
      let decision;
      try {
        decision = await book.admit(refs, estimateNano, labels, known);
      } catch (err) {
        inFlight.delete(ctx.callId);
        throw err;
      }
      if (!decision.ok) {
        inFlight.delete(ctx.callId);
        throw new GatewayError({ status: 400, type: "budget_exceeded", message: decision.message });
      }
      reservations.set(ctx.callId, decision.reservation);
      return {};
    },

    async settle(ctx, outcome) {
      inFlight.delete(ctx.callId);
      const { owners, targets, keyRef } = budgetsOf(ctx);
      const succeeded = outcome.status === "success" || (outcome.status === "client_disconnected" && outcome.usage !== undefined);
      const usage = tokenUsageOf(outcome.usage);
      // Failed calls are logged at zero cost (LiteLLM: status "failure", spend 0).
      const costNano = succeeded && outcome.deployment ? deploymentCostNanoUsd(usage, outcome.deployment) : 0;
      const reservation = reservations.get(ctx.callId);
      reservations.delete(ctx.callId);
      if (reservation) book.settle(reservation, targets, costNano);
      else book.charge(targets, costNano);
      await ledger.record({ targets, log: spendLog(ctx, outcome, owners, succeeded, usage, costNano, keepPrompts) });
      const headers: Record<string, string> = { "x-litellm-response-cost": String(nanoToUsd(costNano)) };
      const keySpend = keyRef ? book.spendNano(keyRef) : undefined;
      if (keySpend !== undefined) headers["x-litellm-key-spend"] = String(nanoToUsd(keySpend));
      return { headers };
    },

    abandon(ctx) {
      inFlight.delete(ctx.callId);
      const reservation = reservations.get(ctx.callId);
      reservations.delete(ctx.callId);
      if (reservation) book.settle(reservation, [], 0);
    },
  };
  return {
    book,
    ledger,
    hooks,
    ready,
    close: async () => {
      await ready;
      await ledger.flush();
      await ledger.close();
      await book.returnLeases();
    },
  };
}

/** The user row that holds the proxy-wide budget (LiteLLM's litellm_proxy_budget_name). */
export const PROXY_BUDGET_USER_ID = "litellm-proxy-budget";

/** What each committed record moves out of its holder's budget leases. */
function releasedByLease(records: readonly JournalRecord[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records) {
    const nano = r.entry.log.spendNano ?? 0;
    if (!r.leaseOwner || nano === 0) continue;
    for (const ref of r.entry.targets) {
      const k = leaseKeyOf(ref, r.leaseOwner);
      out.set(k, (out.get(k) ?? 0) + nano);
    }
  }
  return out;
}

/** Whom a call's budgets and spend belong to, and what names them in a refusal. */
interface CallBudgets {
  readonly owners: BudgetOwners;
  /** The budgets checked at admission. */
  readonly refs: readonly BudgetRef[];
  /** Where the spend is added. */
  readonly targets: readonly BudgetRef[];
  readonly labels: ReadonlyMap<string, string>;
  readonly keyRef: BudgetRef | undefined;
  readonly known: KnownLimit | undefined;
}

/**
 * A call's budgets. A key's follow from its row alone; the KeyCache hands out a new row after any
 * change, so they are made once per row (for calls that name no end user) rather than per call.
 */
function budgetsFinder(proxyRef: BudgetRef | undefined) {
  const byKeyRow = new WeakMap<object, CallBudgets>();
  return (ctx: CallContext): CallBudgets => {
    const p = ctx.principal;
    if (p.kind !== "key" || ctx.endUserId !== null) return callBudgets(p, ctx.endUserId, proxyRef);
    let kept = byKeyRow.get(p.key);
    if (!kept) byKeyRow.set(p.key, (kept = callBudgets(p, null, proxyRef)));
    return kept;
  };
}

const withProxy = (refs: BudgetRef[], proxyRef: BudgetRef | undefined, o: BudgetOwners) =>
  proxyRef && o.userId !== proxyRef.id ? [...refs, proxyRef] : refs;

function callBudgets(p: Principal, endUserId: string | null, proxyRef: BudgetRef | undefined): CallBudgets {
  const owners: BudgetOwners = {
    keyToken: p.kind === "key" ? p.key.token : null,
    userId: p.kind === "key" ? p.key.userId : null,
    teamId: p.kind === "key" ? p.key.teamId : null,
    endUserId,
  };
  const keyRef = p.kind === "key" ? ({ scope: "key", id: p.key.token } as const) : undefined;
  return {
    owners,
    // The proxy-wide budget is a user row of its own; the call's own user never is it.
    refs: withProxy(applicableBudgets(owners), proxyRef, owners),
    targets: withProxy(spendTargets(owners), proxyRef, owners),
    labels: labelsOf(p, owners),
    keyRef,
    known: p.kind === "key" ? { ref: keyRef!, row: p.key, label: p.key.keyAlias ?? p.key.keyName } : undefined,
  };
}

function labelsOf(p: Principal, o: BudgetOwners): Map<string, string> {
  const labels = new Map<string, string>();
  if (p.kind === "key") labels.set(budgetKey({ scope: "key", id: p.key.token }), p.key.keyAlias ?? p.key.keyName);
  // LiteLLM names a membership user:team.
  if (o.teamId && o.userId) labels.set(budgetKey({ scope: "team_member", id: teamMemberId(o.teamId, o.userId) }), `${o.userId}:${o.teamId}`);
  return labels;
}

function spendLog(
  ctx: CallContext,
  outcome: CallOutcome,
  owners: BudgetOwners,
  succeeded: boolean,
  usage: ReturnType<typeof tokenUsageOf>,
  costNano: number,
  keepPrompts: boolean,
) {
  const p = ctx.principal;
  return {
    // The call id is what x-litellm-call-id carries; see the report on request_id vs response id.
    requestId: ctx.callId,
    callType: CALL_TYPE[ctx.kind],
    apiKey: owners.keyToken,
    model: outcome.upstreamModel ?? ctx.modelGroup,
    modelGroup: ctx.modelGroup,
    modelId: outcome.deployment?.id ?? null,
    provider: outcome.provider ?? null,
    apiBase: outcome.apiBase ?? null,
    userId: owners.userId,
    teamId: owners.teamId,
    endUser: owners.endUserId,
    promptTokens: succeeded ? usage.promptTokens : 0,
    completionTokens: succeeded ? usage.completionTokens : 0,
    totalTokens: succeeded ? usage.promptTokens + usage.completionTokens : 0,
    spendNano: costNano,
    status: succeeded ? ("success" as const) : ("failure" as const),
    requestTags: requestTagsOf(ctx.body, ctx.headerOptions?.tags),
    metadata: {
      user_api_key_alias: p.kind === "key" ? p.key.keyAlias : null,
      user_api_key_user_id: owners.userId,
      user_api_key_team_id: owners.teamId,
      status: succeeded ? "success" : "failure",
      ...spendLogsMetadataOf(ctx),
      ...(outcome.error ? { error_information: { error_class: outcome.error.name, error_message: outcome.error.message } } : {}),
    },
    startTime: new Date(outcome.startedAtMs),
    endTime: new Date(outcome.endedAtMs),
    // Bounded: the text comes from the provider.
    responseId: outcome.responseId?.slice(0, 256) ?? null,
    messages: keepPrompts ? (ctx.body.messages ?? ctx.body.prompt ?? ctx.body.input ?? null) : null,
    response: keepPrompts ? (outcome.responseBody ?? null) : null,
  };
}

/** metadata.tags and tags of the request, then the x-litellm-tags header's: strings only, each once. */
function requestTagsOf(body: CallContext["body"], fromHeader: readonly string[] | undefined): string[] {
  const fromMetadata = (body.metadata as Record<string, unknown> | undefined)?.tags;
  const direct = body.tags;
  if (!Array.isArray(fromMetadata) && !Array.isArray(direct) && !fromHeader) return [];
  const tags = [...(Array.isArray(fromMetadata) ? fromMetadata : []), ...(Array.isArray(direct) ? direct : []), ...(fromHeader ?? [])].filter(
    (t): t is string => typeof t === "string",
  );
  return [...new Set(tags)];
}

/**
 * LiteLLM's spend_logs_metadata: the x-litellm-spend-logs-metadata header's object, else the
 * body's metadata.spend_logs_metadata, kept in the log's metadata as it came.
 */
function spendLogsMetadataOf(ctx: CallContext): { spend_logs_metadata?: unknown } {
  const fromBody = (ctx.body.metadata as Record<string, unknown> | undefined)?.spend_logs_metadata;
  const value = ctx.headerOptions?.spendLogsMetadata ?? (typeof fromBody === "object" && fromBody !== null && !Array.isArray(fromBody) ? fromBody : undefined);
  return value === undefined ? {} : { spend_logs_metadata: value };
}
