// Cache invalidation for key, user and team rows. Locally it drops the cached row; on Postgres it also
// NOTIFYs every other instance (LISTEN on one channel), so a block on instance A refuses the key on
// instance B within milliseconds. SQLite is single-instance: local invalidation is all there is.
import type { Logger } from "../log.ts";
import type { Store } from "./client.ts";

export const INVALIDATION_CHANNEL = "tollgate_cache_invalidation";

export interface InvalidationTargets {
  onKey(token: string): void;
  onUser(userId: string): void;
  onTeam(teamId: string): void;
  /** Runtime models changed on some instance: reload them from the database. */
  onModels?(): void;
  /** Notifications may have been missed (listener reconnected): drop everything. */
  onResync(): void;
}

export interface Invalidation {
  /** A key row changed or disappeared: `token` is its SHA-256 hash, never the plaintext. */
  key(token: string): Promise<void>;
  user(userId: string): Promise<void>;
  team(teamId: string): Promise<void>;
  /** Runtime models changed (/model/new, /model/update, /model/delete). */
  models(): Promise<void>;
  /** Resolves once this instance listens for other instances' changes. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

// Payloads: "key:<sha256 hex>", "user:<user_id>", "team:<team_id>" or "models:".
const KEY = "key:";
const USER = "user:";
const TEAM = "team:";
const MODELS = "models:";

export function createInvalidation(store: Store, targets: InvalidationTargets, log: Logger): Invalidation {
  const apply = (payload: string) => {
    if (payload.startsWith(KEY)) targets.onKey(payload.slice(KEY.length));
    else if (payload.startsWith(USER)) targets.onUser(payload.slice(USER.length));
    else if (payload.startsWith(TEAM)) targets.onTeam(payload.slice(TEAM.length));
    else if (payload.startsWith(MODELS)) targets.onModels?.();
  };
  if (!("pg" in store.raw)) {
    return {
      key: async (token) => apply(KEY + token),
      user: async (userId) => apply(USER + userId),
      team: async (teamId) => apply(TEAM + teamId),
      models: async () => {}, // one instance, and it reloaded before answering
      ready: Promise.resolve(),
      close: async () => {},
    };
  }
  const pg = store.raw.pg;
  let listens = 0;
  const subscription = pg.listen(INVALIDATION_CHANNEL, apply, () => {
    // postgres.js re-runs LISTEN after a reconnect; what changed meanwhile was not heard.
    if (listens++ > 0) {
      log.warn("cache invalidation listener reconnected: clearing key, user and team caches");
      targets.onResync();
    }
  });
  const notifyOthers = async (payload: string) => {
    try {
      await pg.notify(INVALIDATION_CHANNEL, payload);
    } catch (err) {
      log.error("cache invalidation notify failed", { error: err instanceof Error ? err.message : String(err) });
    }
  };
  const publish = async (payload: string) => {
    apply(payload);
    try {
      await pg.notify(INVALIDATION_CHANNEL, payload);
    } catch (err) {
      log.error("cache invalidation notify failed", { error: err instanceof Error ? err.message : String(err) });
    }
  };
  return {
    key: (token) => publish(KEY + token),
    user: (userId) => publish(USER + userId),
    team: (teamId) => publish(TEAM + teamId),
    // Only the others: the instance that changed the models already reloaded before answering.
    models: () => notifyOthers(MODELS),
    ready: subscription.then(() => {}),
    close: async () => {
      await (await subscription).unlisten().catch(() => {});
    },
  };
}
