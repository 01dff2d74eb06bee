// Known keys live in memory: a hit costs no database round trip. Unknown tokens are not remembered,
// so a flood of random keys cannot fill the cache.
import type { KeyRow } from "../db/store/keys.ts";
import { RowCache } from "./row-cache.ts";

export type KeyLoader = (token: string) => Promise<KeyRow | undefined>;

export class KeyCache extends RowCache<KeyRow> {
  constructor(load: KeyLoader) {
    super(load, false);
  }
}
