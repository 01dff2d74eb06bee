// A read-through cache of database rows by id. Every change to a row goes through invalidate()
// (locally and, on Postgres, on every instance via src/db/invalidation.ts), so the next read reloads.
export class RowCache<T> {
  private readonly entries = new Map<string, { row: T | undefined }>();
  private readonly loading = new Map<string, Promise<T | undefined>>();
  private generation = 0;

  /** cacheMisses: also remember that a row does not exist (only for ids that come from trusted rows). */
  constructor(
    private readonly load: (id: string) => Promise<T | undefined>,
    private readonly cacheMisses = false,
  ) {}

  /** The cached row; undefined when it must be loaded. */
  peek(id: string): T | undefined {
    return this.entries.get(id)?.row;
  }

  async get(id: string): Promise<T | undefined> {
    const hit = this.entries.get(id);
    if (hit) return hit.row;
    let pending = this.loading.get(id);
    if (pending) return pending;
    const generation = this.generation;
    pending = this.load(id).finally(() => this.loading.delete(id));
    this.loading.set(id, pending);
    const row = await pending;
    // An invalidation that raced the load wins: do not cache what may already be stale.
    if ((row !== undefined || this.cacheMisses) && generation === this.generation) this.entries.set(id, { row });
    return row;
  }

  invalidate(id: string): void {
    this.generation++;
    this.entries.delete(id);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
