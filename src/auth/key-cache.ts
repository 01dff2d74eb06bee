// Known keys live in memory: a hit costs no database round trip. Every change to a key goes
// through invalidate(), so the next request reloads it.
import type { KeyRow } from "../db/store/keys.ts";

export type KeyLoader = (token: string) => Promise<KeyRow | undefined>;

export class KeyCache {
  private readonly entries = new Map<string, KeyRow>();
  private readonly loading = new Map<string, Promise<KeyRow | undefined>>();
  private generation = 0;

  constructor(private readonly load: KeyLoader) {}

  /** The cached row; undefined when it must be loaded. */
  peek(token: string): KeyRow | undefined {
    return this.entries.get(token);
  }

  async get(token: string): Promise<KeyRow | undefined> {
    const hit = this.entries.get(token);
    if (hit) return hit;
    let pending = this.loading.get(token);
    if (!pending) {
      const generation = this.generation;
      pending = this.load(token).finally(() => this.loading.delete(token));
      this.loading.set(token, pending);
      const row = await pending;
      // An invalidation that raced the load wins: do not cache what may already be stale.
      if (row && generation === this.generation) this.entries.set(token, row);
      return row;
    }
    return pending;
  }

  invalidate(token: string): void {
    this.generation++;
    this.entries.delete(token);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
