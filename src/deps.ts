// Everything the HTTP layer needs, built once at startup and passed to buildApp.
import { KeyCache } from "./auth/key-cache.ts";
import type { MasterKey } from "./auth/master-key.ts";
import type { GraceLookup } from "./auth/principal.ts";
import { TeamCache } from "./auth/team-cache.ts";
import { UserCache } from "./auth/user-cache.ts";
import type { Config } from "./config/schema.ts";
import type { Store } from "./db/client.ts";
import { createInvalidation, type Invalidation } from "./db/invalidation.ts";
import { findGraceToken, findKeyByToken } from "./db/store/keys.ts";
import { findTeam } from "./db/store/teams.ts";
import { findUserById } from "./db/store/users.ts";
import type { Logger } from "./log.ts";
import type { CallHooks } from "./proxy/hooks.ts";
import { createRateLimitHooks } from "./ratelimit/hooks.ts";
import { routerFor } from "./router/router.ts";
import { RuntimeModels } from "./router/runtime-models.ts";
import { secretBoxFrom } from "./security/secret-box.ts";
import { globalParallelHooks } from "./ratelimit/global-parallel.ts";
import { composeCallHooks } from "./spend/compose-hooks.ts";
import { ProxyMetrics, prometheusEnabled } from "./metrics/prometheus.ts";
import { createSpend, type Spend } from "./spend/hooks.ts";
import { createEndUserHooks, EndUserDirectory } from "./spend/end-user-hooks.ts";
import { VERSION } from "./version.ts";

export interface AppDeps {
  readonly config: Config;
  readonly store: Store;
  readonly log: Logger;
  readonly masterKey: MasterKey;
  readonly keys: KeyCache;
  /** Users behind keys (for the caller's role). */
  readonly users: UserCache;
  /** Teams behind team keys (blocked teams, team models and limits). */
  readonly teams: TeamCache;
  readonly graceToken: GraceLookup;
  /** Models added at runtime (/model/new ...), loaded into the shared router. */
  readonly runtimeModels?: RuntimeModels;
  /** Call after every change to a key or user row: drops it here and, on Postgres, on every instance. */
  readonly invalidation: Invalidation;
  readonly version: string;
  readonly now: () => number;
  /** The largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
  /** Budget, rate-limit and spend checks around every LLM call (src/proxy/hooks.ts). */
  readonly callHooks?: CallHooks;
  /** Cost, budgets and the spend ledger (src/spend/); admin routes invalidate budgets through it. */
  readonly spend?: Spend;
  /** End users (customers) in memory: blocked flag and rpm/tpm for every call that names one. */
  readonly endUsers?: EndUserDirectory;
  /** Prometheus metrics, when litellm_settings callbacks name "prometheus" (GET /metrics). */
  readonly metrics?: ProxyMetrics;
  /** At shutdown, after the last request: commit buffered spend, hand back leased rate-limit tokens, stop listening. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_MB = 16;

export function createDeps(init: {
  config: Config;
  store: Store;
  log: Logger;
  masterKey: MasterKey;
  now?: () => number;
  callHooks?: CallHooks;
}): AppDeps {
  const { config, store } = init;
  const keys = new KeyCache((token) => findKeyByToken(store, token));
  const users = new UserCache((userId) => findUserById(store, userId));
  const teams = new TeamCache((teamId) => findTeam(store, teamId));
  const spend = createSpend({ store, config, now: init.now ?? Date.now, log: init.log });
  // Read once at startup: the key that seals stored upstream credentials.
  const secretBox = secretBoxFrom(Bun.env.TOLLGATE_SALT_KEY, config.general.master_key);
  const runtimeModels = new RuntimeModels(store, routerFor(config), secretBox, init.log, config);
  const reloadModels = () =>
    void runtimeModels.reload().catch((err) => init.log.error("loading runtime models failed", { error: String(err) }));
  const invalidation = createInvalidation(
    store,
    {
      onModels: reloadModels,
      onKey: (token) => keys.invalidate(token),
      onUser: (userId) => {
        users.invalidate(userId);
        spend.book.invalidate({ scope: "user", id: userId });
      },
      onTeam: (teamId) => {
        teams.invalidate(teamId);
        spend.book.invalidateTeam(teamId);
        rateLimits?.rows.invalidateTeam(teamId);
      },
      onResync: () => {
        keys.clear();
        users.clear();
        teams.clear();
        spend.book.invalidateAll();
        reloadModels();
      },
    },
    init.log,
  );
  runtimeModels.publish = () => invalidation.models();
  routerFor(config).ready = runtimeModels.reload().catch((err) => init.log.error("loading runtime models failed", { error: String(err) }));
  const now = init.now ?? Date.now;
  const endUsers = new EndUserDirectory(store, init.now ?? Date.now);
  const rateLimits = init.callHooks ? undefined : createRateLimitHooks({ config, store, now, log: init.log });
  const metrics = prometheusEnabled(config.litellm) ? new ProxyMetrics(now) : undefined;
  return {
    ...init,
    keys,
    users,
    teams,
    graceToken: (oldToken, now) => findGraceToken(store, oldToken, now),
    runtimeModels,
    invalidation,
    spend,
    endUsers,
    metrics,
    version: VERSION,
    now: init.now ?? Date.now,
    callHooks:
      init.callHooks ??
      composeCallHooks(
        // First: a call a later hook refuses is abandoned here, and counted.
        ...(metrics ? [metrics.hooks()] : []),
        ...(config.general.global_max_parallel_requests ? [globalParallelHooks(config.general.global_max_parallel_requests)] : []),
        spend.hooks,
        rateLimits!,
        createEndUserHooks({ directory: endUsers, limiter: rateLimits?.limiter, tokenType: config.general.token_rate_limit_type ?? "total", now }),
      ),
    maxBodyBytes: Math.floor((config.general.max_request_size_mb ?? DEFAULT_MAX_BODY_MB) * 1024 * 1024),
    close: async () => {
      const failures = await Promise.allSettled([spend.close(), rateLimits?.close(), invalidation.close()]);
      for (const f of failures) if (f.status === "rejected") init.log.error("shutdown step failed", { error: String(f.reason) });
    },
  };
}
