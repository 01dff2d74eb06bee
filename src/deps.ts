// Everything the HTTP layer needs, built once at startup and passed to buildApp.
import { KeyCache } from "./auth/key-cache.ts";
import type { MasterKey } from "./auth/master-key.ts";
import type { Config } from "./config/schema.ts";
import type { Store } from "./db/client.ts";
import { findKeyByToken } from "./db/store/keys.ts";
import type { Logger } from "./log.ts";
import { VERSION } from "./version.ts";

export interface AppDeps {
  readonly config: Config;
  readonly store: Store;
  readonly log: Logger;
  readonly masterKey: MasterKey;
  readonly keys: KeyCache;
  readonly version: string;
  readonly now: () => number;
  /** The largest request body accepted, in bytes. */
  readonly maxBodyBytes: number;
}

export const DEFAULT_MAX_BODY_MB = 16;

export function createDeps(init: {
  config: Config;
  store: Store;
  log: Logger;
  masterKey: MasterKey;
  now?: () => number;
}): AppDeps {
  const { config, store } = init;
  return {
    ...init,
    keys: new KeyCache((token) => findKeyByToken(store, token)),
    version: VERSION,
    now: init.now ?? Date.now,
    maxBodyBytes: Math.floor((config.general.max_request_size_mb ?? DEFAULT_MAX_BODY_MB) * 1024 * 1024),
  };
}
