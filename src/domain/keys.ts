// Virtual keys: generation, reads, changes, rotation, blocking (contract §1.4, §4.6, §4.7). Every
// change invalidates the key on every instance before it returns, so the next request sees it.
import { generateKey, hashKey, isPlaintextKey, keyName, maskCredential, toTokenHash } from "../auth/key-format.ts";
import type { Principal } from "../auth/principal.ts";
import type { KeyGenerationSettings } from "../config/schema.ts";
import type { Store } from "../db/client.ts";
import type { Invalidation } from "../db/invalidation.ts";
import type { JsonObject } from "../db/schema/json.ts";
import {
  deleteGraceTokensTo,
  deletedKeyRow,
  deleteKeys,
  findKeyByToken,
  findKeysByTokensOrAliases,
  insertDeletedKeys,
  insertGraceToken,
  type KeyListFilter,
  type KeyOrder,
  type KeyPatch,
  type KeyRow,
  type KeyWrite,
  listKeyAliases,
  listDeletedKeys,
  listKeys,
  type NewKeyRow,
  repointGraceTokens,
  tryInsertKey,
  updateKey,
} from "../db/store/keys.ts";
import { findTeamMemberships } from "../db/store/users.ts";
import { GatewayError } from "../errors.ts";
import { nanoToUsd } from "../money.ts";
import { addDuration, budgetResetAt, type Duration, expiresAt, parseDuration } from "../policy/duration.ts";
import {
  decideGenerate,
  decideKeyGenerationSettings,
  decideListScope,
  decideRead,
  decideServiceAccount,
  decideTeamKeyRoute,
  decideUpdateFields,
  decideWrite,
  type KeyActor,
  type KeyDecision,
  type KeyWrite as KeyWriteAction,
  ownerOfNewKey,
} from "../policy/key-access.ts";
import { KEY_TYPE_ROUTES, type KeyType } from "../policy/route-access.ts";
import { isProxyAdmin } from "../policy/roles.ts";

/** The largest metadata / config / permissions / aliases object accepted, serialized. */
export const MAX_JSON_FIELD_BYTES = 64 * 1024;

/** Settings of a key. On update, a property that is absent stays as it is; null clears it. */
export interface KeySettings {
  models?: string[] | null;
  duration?: string | null;
  metadata?: JsonObject | null;
  tags?: string[] | null;
  maxBudgetNano?: number | null;
  softBudgetNano?: number | null;
  budgetDuration?: string | null;
  tpmLimit?: number | null;
  rpmLimit?: number | null;
  maxParallelRequests?: number | null;
  teamId?: string | null;
  userId?: string | null;
  keyAlias?: string | null;
  aliases?: Record<string, string> | null;
  config?: JsonObject | null;
  permissions?: JsonObject | null;
  modelRpmLimit?: Record<string, number> | null;
  modelTpmLimit?: Record<string, number> | null;
  allowedRoutes?: string[] | null;
  keyType?: KeyType | null;
  blocked?: boolean | null;
  spendNano?: number | null;
}

export interface GenerateInput extends KeySettings {
  /** A custom secret; must start with "sk-". */
  key?: string | null;
  /**
   * The request's fields as the client sent them, for key_generation_settings; absent when the
   * gateway makes the key itself (a new user's key), which those settings do not govern.
   */
  sentFields?: readonly string[];
}

export interface RegenerateInput extends KeySettings {
  newKey?: string | null;
  /** How long the old secret keeps working, e.g. "24h"; absent = it dies at once. */
  gracePeriod?: string | null;
}

export interface ListQuery {
  /** A key (sk-...) or its hash. */
  key?: string;
  userId?: string;
  teamId?: string;
  keyAlias?: string;
  /** Also the keys a user created (for others): LiteLLM's include_created_by_keys. */
  includeCreatedBy?: boolean;
  page: number;
  size: number;
  order?: KeyOrder;
}

export interface KeysDeps {
  config?: { readonly litellm: { readonly key_generation_settings?: KeyGenerationSettings; readonly timezone?: string } };
  store: Store;
  invalidation: Invalidation;
  now: () => number;
}

export class KeyService {
  constructor(private readonly deps: KeysDeps) {}

  async generate(caller: Principal, input: GenerateInput): Promise<{ key: string; row: KeyRow }> {
    const actor = await this.actorOf(caller);
    const userId = ownerOfNewKey(actor, input.userId);
    enforce(decideGenerate(actor, { userId, teamId: input.teamId ?? null }));
    this.checkGenerationSettings(actor, input);
    // After key_generation_settings, as LiteLLM: a role that is not allowed hears that first.
    if (input.teamId) enforce(decideTeamKeyRoute(actor, input.teamId, "/key/generate"));
    return this.insertNew(actor, input, userId);
  }

  private checkGenerationSettings(actor: KeyActor, input: GenerateInput): void {
    if (!input.sentFields) return;
    enforce(decideKeyGenerationSettings(this.deps.config?.litellm.key_generation_settings, actor, input.teamId ?? null, input.sentFields));
  }

  private async insertNew(actor: KeyActor, input: GenerateInput, userId: string | null): Promise<{ key: string; row: KeyRow }> {
    if (input.key !== undefined && input.key !== null) checkCustomKey(input.key);
    const plaintext = input.key ?? generateKey();
    const nowMs = this.deps.now();
    const row: NewKeyRow = {
      ...this.patchFrom(input, undefined, nowMs),
      token: hashKey(plaintext),
      keyName: keyName(plaintext),
      userId,
      createdBy: actor.userId,
      updatedBy: actor.userId,
      createdAt: new Date(nowMs),
      updatedAt: new Date(nowMs),
    };
    const written = await tryInsertKey(this.deps.store, row);
    return { key: plaintext, row: unwrapWrite(written, input.keyAlias) };
  }

  /** A key by plaintext or hash; without one, the caller's own key. */
  async info(caller: Principal, ref: string | undefined): Promise<KeyRow> {
    if (ref === undefined && caller.kind === "master") {
      throw GatewayError.badRequest("Pass the key to look up as ?key=: the master key has no key info of its own.", "key");
    }
    const token = ref === undefined ? (caller as { token: string }).token : toTokenHash(ref);
    const row = await findKeyByToken(this.deps.store, token);
    if (!row) throw GatewayError.notFound("Key not found in database", "key");
    enforce(decideRead(await this.actorOf(caller), row));
    return row;
  }

  async list(caller: Principal, q: ListQuery): Promise<{ rows: KeyRow[]; total: number }> {
    return listKeys(this.deps.store, await this.listFilter(caller, q), pageOf(q), q.order);
  }

  /** Keys deleted through /key/delete, newest first, as the caller may list them (the same scope as live keys). */
  async listDeleted(caller: Principal, q: ListQuery): Promise<{ rows: { key: KeyRow; deletedAt: Date; deletedBy: string | null }[]; total: number }> {
    const { rows, total } = await listDeletedKeys(this.deps.store, await this.listFilter(caller, q), pageOf(q));
    return { rows: rows.map((d) => ({ key: deletedKeyRow(d), deletedAt: d.deletedAt, deletedBy: d.deletedBy })), total };
  }

  /** A list query as a store filter, narrowed to what the caller may list. */
  private async listFilter(caller: Principal, q: ListQuery): Promise<KeyListFilter> {
    const scope = decideListScope(await this.actorOf(caller), q.userId);
    if (!scope.ok) throw GatewayError.forbidden(scope.message);
    return {
      token: q.key === undefined ? undefined : toTokenHash(q.key),
      userId: q.userId,
      teamId: q.teamId,
      keyAlias: q.keyAlias,
      visibleTo: scope.all ? undefined : scope,
      includeCreatedBy: q.includeCreatedBy,
    };
  }

  /** Several keys at once (/v2/key/info): unknown ones are left out; one the caller may not read refuses all. */
  async infoMany(caller: Principal, refs: readonly string[]): Promise<KeyRow[]> {
    const actor = await this.actorOf(caller);
    const rows = await findKeysByTokensOrAliases(this.deps.store, refs.map(toTokenHash), []);
    for (const row of rows) enforce(decideRead(actor, row));
    return rows;
  }

  /** Aliases of the keys the caller may list, alphabetically. */
  async aliases(caller: Principal, q: { search?: string; page: number; size: number }): Promise<{ aliases: string[]; total: number }> {
    const scope = decideListScope(await this.actorOf(caller), undefined);
    if (!scope.ok) throw GatewayError.forbidden(scope.message);
    return listKeyAliases(this.deps.store, { search: q.search, visibleTo: scope.all ? undefined : scope }, pageOf(q));
  }

  /** A team key that belongs to no user (LiteLLM's service account): it outlives any member. */
  async generateServiceAccount(caller: Principal, input: GenerateInput): Promise<{ key: string; row: KeyRow }> {
    const teamId = input.teamId;
    if (teamId === undefined || teamId === null || teamId === "") {
      throw GatewayError.badRequest("team_id is required for service account keys. Please specify `team_id` in the request body.", "team_id");
    }
    const actor = await this.actorOf(caller);
    enforce(decideServiceAccount(actor, teamId));
    this.checkGenerationSettings(actor, input);
    return this.insertNew(actor, { ...input, userId: null }, null);
  }

  /**
   * /key/bulk_update (proxy admins): each key changed on its own, as /key/update would; one that
   * cannot be changed is reported with the reason and the others still are.
   */
  async bulkUpdate(
    caller: Principal,
    updates: readonly { ref: string; changes: KeySettings | GatewayError }[],
  ): Promise<{ ref: string; row?: KeyRow; error?: GatewayError }[]> {
    if (!isProxyAdmin(caller.role)) throw GatewayError.forbidden("Only proxy admins can perform bulk key updates");
    const out: { ref: string; row?: KeyRow; error?: GatewayError }[] = [];
    for (const { ref, changes } of updates) {
      if (changes instanceof GatewayError) {
        out.push({ ref, error: changes });
        continue;
      }
      try {
        out.push({ ref, row: await this.update(caller, ref, changes) });
      } catch (err) {
        out.push({ ref, error: err instanceof GatewayError ? err : GatewayError.internal() });
      }
    }
    return out;
  }

  async update(caller: Principal, ref: string, changes: KeySettings): Promise<KeyRow> {
    const actor = await this.actorOf(caller);
    const current = await this.existing(ref);
    enforce(decideWrite(actor, "update", current));
    enforce(decideUpdateFields(actor, current, fieldChanges(changes)));
    const nowMs = this.deps.now();
    const patch = { ...this.patchFrom(changes, current, nowMs), updatedBy: actor.userId, updatedAt: new Date(nowMs) };
    return this.write(current.token, () => updateKey(this.deps.store, current.token, patch), changes.keyAlias);
  }

  /** Deletes by plaintext/hash and by alias; returns the references that matched, as passed. */
  async delete(caller: Principal, refs: { keys: string[]; keyAliases: string[] }): Promise<string[]> {
    const actor = await this.actorOf(caller);
    const rows = await findKeysByTokensOrAliases(this.deps.store, refs.keys.map(toTokenHash), refs.keyAliases);
    if (!rows.length) throw GatewayError.notFound("No keys found", "keys");
    // All or nothing: one key the caller may not delete refuses the whole request.
    for (const row of rows) enforce(decideWrite(actor, "delete", row));
    const deleted = new Set(await deleteKeys(this.deps.store, rows.map((r) => r.token)));
    await Promise.all([...deleted].map((token) => this.deps.invalidation.key(token)));
    // A copy of each, as it was: /key/list?status=deleted (LiteLLM's deleted-keys table).
    await insertDeletedKeys(this.deps.store, rows.filter((r) => deleted.has(r.token)), actor.userId, new Date(this.deps.now()));
    const aliases = new Set(rows.filter((r) => deleted.has(r.token)).map((r) => r.keyAlias));
    return [...refs.keys.filter((k) => deleted.has(toTokenHash(k))), ...refs.keyAliases.filter((a) => aliases.has(a))];
  }

  /** Same row, settings and spend; a new secret. The old one dies now, or when the grace period ends. */
  async regenerate(caller: Principal, ref: string, input: RegenerateInput): Promise<{ key: string; row: KeyRow }> {
    const actor = await this.actorOf(caller);
    const current = await this.existing(ref);
    enforce(decideWrite(actor, "regenerate", current));
    enforce(decideUpdateFields(actor, current, fieldChanges(input)));
    if (input.newKey !== undefined && input.newKey !== null) checkCustomKey(input.newKey, "new_key");
    const grace = parseOrThrow(input.gracePeriod, "grace_period");
    const plaintext = input.newKey ?? generateKey();
    const token = hashKey(plaintext);
    const nowMs = this.deps.now();
    const patch: KeyPatch = {
      ...this.patchFrom(input, current, nowMs),
      token,
      keyName: keyName(plaintext),
      updatedBy: actor.userId,
      updatedAt: new Date(nowMs),
    };
    const row = await this.write(current.token, () => updateKey(this.deps.store, current.token, patch), input.keyAlias);
    const store = this.deps.store;
    // The old secret's row as it was, as LiteLLM keeps it: /key/list?status=deleted shows it.
    await insertDeletedKeys(store, [current], actor.userId, new Date(nowMs));
    if (grace) {
      await repointGraceTokens(store, current.token, token);
      await insertGraceToken(store, current.token, token, new Date(addDuration(nowMs, grace)));
    } else {
      await deleteGraceTokensTo(store, current.token);
    }
    return { key: plaintext, row };
  }

  async setBlocked(caller: Principal, ref: string, blocked: boolean): Promise<KeyRow> {
    return this.change(caller, ref, "block", () => ({ blocked }));
  }

  async resetSpend(caller: Principal, ref: string, resetToNano: number): Promise<{ row: KeyRow; previousSpendNano: number }> {
    const current = await this.existing(ref);
    if (resetToNano > current.spendNano) {
      throw GatewayError.badRequest(`reset_to (${nanoToUsd(resetToNano)}) cannot be greater than the current spend (${nanoToUsd(current.spendNano)})`, "reset_to");
    }
    if (current.maxBudgetNano !== null && resetToNano > current.maxBudgetNano) {
      throw GatewayError.badRequest(`reset_to (${nanoToUsd(resetToNano)}) cannot be greater than max_budget (${nanoToUsd(current.maxBudgetNano)})`, "reset_to");
    }
    const row = await this.change(caller, ref, "reset_spend", () => ({ spendNano: resetToNano }), current);
    return { row, previousSpendNano: current.spendNano };
  }

  private async change(caller: Principal, ref: string, action: KeyWriteAction, patch: () => KeyPatch, known?: KeyRow): Promise<KeyRow> {
    const actor = await this.actorOf(caller);
    const current = known ?? (await this.existing(ref));
    enforce(decideWrite(actor, action, current));
    const full = { ...patch(), updatedBy: actor.userId, updatedAt: new Date(this.deps.now()) };
    return this.write(current.token, () => updateKey(this.deps.store, current.token, full));
  }

  /** Runs an update of the row with `token`, then invalidates it everywhere. */
  private async write(token: string, run: () => Promise<KeyWrite | undefined>, alias?: string | null): Promise<KeyRow> {
    const written = await run();
    await this.deps.invalidation.key(token);
    if (!written) throw GatewayError.notFound(`Key ${token} not found.`, "key");
    return unwrapWrite(written, alias);
  }

  private async existing(ref: string): Promise<KeyRow> {
    const row = await findKeyByToken(this.deps.store, toTokenHash(ref));
    if (!row) throw GatewayError.notFound(`Key ${isPlaintextKey(ref) ? keyName(ref) : ref} not found.`, "key");
    return row;
  }

  private async actorOf(p: Principal): Promise<KeyActor> {
    if (p.kind === "master") return { role: p.role, userId: p.userId, ownToken: null, teamsAdministered: [], teamsMemberOf: [] };
    const userId = p.key.userId;
    // Team seam: memberships decide team-key rights; admins need none.
    const memberships = userId !== null && !isProxyAdmin(p.role) ? await findTeamMemberships(this.deps.store, userId) : [];
    return {
      role: p.role,
      userId,
      ownToken: p.token,
      teamsAdministered: memberships.filter((m) => m.role === "admin").map((m) => m.teamId),
      teamsMemberOf: memberships.map((m) => m.teamId),
      memberPermissions: Object.fromEntries(memberships.map((m) => [m.teamId, m.teamMemberPermissions])),
    };
  }

  /** The columns a set of settings writes. `current` is the stored row on update, absent on create. */
  private patchFrom(s: KeySettings, current: KeyRow | undefined, nowMs: number): KeyPatch {
    const p: KeyPatch = {};
    const has = <K extends keyof KeySettings>(k: K) => s[k] !== undefined;
    if (has("models")) p.models = s.models ?? [];
    if (has("aliases")) p.aliases = checkJsonSize("aliases", s.aliases ?? {});
    if (has("config")) p.config = checkJsonSize("config", s.config ?? {});
    if (has("permissions")) p.permissions = checkJsonSize("permissions", s.permissions ?? {});
    if (has("metadata") || has("tags")) {
      // metadata is replaced wholesale; tags live in metadata.tags (contract §4.6).
      const base = has("metadata") ? { ...(s.metadata ?? {}) } : { ...(current?.metadata ?? {}) };
      if (has("tags")) {
        if (s.tags === null) delete base.tags;
        else base.tags = s.tags;
      }
      p.metadata = checkJsonSize("metadata", base);
    }
    if (has("maxBudgetNano")) p.maxBudgetNano = s.maxBudgetNano;
    if (has("softBudgetNano")) p.softBudgetNano = s.softBudgetNano;
    if (has("tpmLimit")) p.tpmLimit = s.tpmLimit;
    if (has("rpmLimit")) p.rpmLimit = s.rpmLimit;
    if (has("maxParallelRequests")) p.maxParallelRequests = s.maxParallelRequests;
    if (has("teamId")) p.teamId = s.teamId;
    if (has("userId")) p.userId = s.userId;
    if (has("keyAlias")) p.keyAlias = s.keyAlias;
    if (has("modelRpmLimit")) p.modelRpmLimit = s.modelRpmLimit;
    if (has("modelTpmLimit")) p.modelTpmLimit = s.modelTpmLimit;
    if (has("blocked")) p.blocked = s.blocked ?? false;
    if (has("spendNano")) p.spendNano = s.spendNano ?? 0;
    if (has("keyType")) p.allowedRoutes = [...KEY_TYPE_ROUTES[s.keyType ?? "default"]];
    // An explicit allow-list wins over the one key_type implies.
    if (has("allowedRoutes")) p.allowedRoutes = s.allowedRoutes ?? [];
    if (has("duration")) p.expiresAt = expiresAt(nowMs, parseOrThrow(s.duration, "duration"));
    if (has("budgetDuration")) {
      const period = parseOrThrow(s.budgetDuration, "budget_duration");
      p.budgetDuration = period ? s.budgetDuration : null;
      p.budgetResetAt = period ? budgetResetAt(nowMs, period, this.deps.config?.litellm.timezone) : null;
    }
    return p;
  }
}


const pageOf = (q: { page: number; size: number }) => ({ offset: (q.page - 1) * q.size, limit: q.size });

function enforce(decision: KeyDecision): void {
  if (decision.ok) return;
  if (decision.status === 401) throw new GatewayError({ status: 401, type: decision.type, message: decision.message, param: decision.param });
  throw decision.status === 400 ? GatewayError.badRequest(decision.message) : GatewayError.forbidden(decision.message);
}

function fieldChanges(s: KeySettings) {
  return { userId: s.userId, teamId: s.teamId, spend: s.spendNano !== undefined, blocked: s.blocked !== undefined };
}

function checkCustomKey(value: string, field = "key"): void {
  if (!isPlaintextKey(value) || value.length < 4) {
    throw GatewayError.badRequest(
      `Invalid key format. LiteLLM Virtual Key must start with 'sk-'. Received: ${maskCredential(value)}`,
      field,
    );
  }
}

function parseOrThrow(value: string | null | undefined, field: string): Duration | null {
  const parsed = parseDuration(value);
  if (!parsed.ok) throw GatewayError.badRequest(`${field}: ${parsed.reason}`, field);
  return parsed.duration;
}

function checkJsonSize<T>(field: string, value: T): T {
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > MAX_JSON_FIELD_BYTES) {
    throw GatewayError.badRequest(`${field} is too large: ${bytes} bytes serialized, the limit is ${MAX_JSON_FIELD_BYTES}.`, field);
  }
  return value;
}

function unwrapWrite(written: KeyWrite, alias: string | null | undefined): KeyRow {
  if (written.ok) return written.row;
  if (written.conflict === "alias") {
    throw GatewayError.badRequest(`Key with alias '${alias}' already exists. Unique key aliases across all keys are required.`, "key_alias");
  }
  throw GatewayError.badRequest("A key with this value already exists. Choose another value or let the gateway generate one.", "key");
}
