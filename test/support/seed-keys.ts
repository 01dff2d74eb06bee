// Many keys straight into a store (100,000 calls to /key/generate would take minutes), for the
// key-list benchmark and the UI's scale test: every 10th key has an alias, keys spread over 1,000
// users and 50 teams, one second apart.
import { hashKey, keyName } from "../../src/auth/key-format.ts";
import type { Store } from "../../src/db/client.ts";
import type { NewKeyRow } from "../../src/db/store/keys.ts";

const BATCH = 500;

export async function seedKeys(store: Store, count: number, prefix = "sk-bench-"): Promise<void> {
  const baseMs = Date.parse("2026-01-01T00:00:00Z");
  for (let i = 0; i < count; i += BATCH) {
    const rows: NewKeyRow[] = [];
    for (let j = i; j < Math.min(i + BATCH, count); j++) {
      const plaintext = `${prefix}${j.toString().padStart(8, "0")}`;
      rows.push({
        token: hashKey(plaintext),
        keyName: keyName(plaintext),
        keyAlias: j % 10 === 0 ? `alias-${j}` : null,
        userId: `user-${j % 1000}`,
        teamId: `team-${j % 50}`,
        models: ["gpt-4o"],
        metadata: { n: j },
        createdAt: new Date(baseMs + j * 1000),
        updatedAt: new Date(baseMs + j * 1000),
      });
    }
    await store.db.insert(store.t.keys).values(rows);
  }
}
