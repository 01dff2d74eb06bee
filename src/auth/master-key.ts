// The master key: configured (general_settings.master_key / LITELLM_MASTER_KEY), or generated on
// first start, printed once, and kept only as its hash so restarts keep accepting it.
import { timingSafeEqual } from "node:crypto";
import type { Store } from "../db/client.ts";
import { insertSettingOnce, readSetting } from "../db/store/settings.ts";
import { generateKey, hashKey } from "./key-format.ts";

const SETTING = "master_key_sha256";

export class MasterKey {
  private readonly digest: Buffer;
  constructor(readonly hash: string) {
    this.digest = Buffer.from(hash, "hex");
  }
  /** Constant-time comparison of the candidate's digest with the master key's. */
  matches(candidate: string): boolean {
    return this.matchesHash(hashKey(candidate));
  }

  /** The same, for a candidate already hashed with hashKey (the caller needs the hash anyway). */
  matchesHash(candidateHash: string): boolean {
    return timingSafeEqual(Buffer.from(candidateHash, "hex"), this.digest);
  }
}

export type MasterKeyOrigin = "config" | "stored" | "generated";

export async function resolveMasterKey(
  store: Store,
  configured: string | null | undefined,
): Promise<{ masterKey: MasterKey; origin: MasterKeyOrigin; plaintext?: string }> {
  if (configured) return { masterKey: new MasterKey(hashKey(configured)), origin: "config" };
  const stored = await readSetting(store, SETTING);
  if (stored) return { masterKey: new MasterKey(stored), origin: "stored" };
  const plaintext = generateKey();
  const hash = hashKey(plaintext);
  // Two instances starting together on one database: only the first insert wins, and only the
  // winner prints its key.
  const kept = await insertSettingOnce(store, SETTING, hash);
  if (kept !== hash) return { masterKey: new MasterKey(kept), origin: "stored" };
  return { masterKey: new MasterKey(hash), origin: "generated", plaintext };
}
