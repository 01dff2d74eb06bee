// The rows behind team-member limits, cached: a known member is rate-limited from memory. A team's
// members are dropped when the team changes (member_add/update/delete invalidate the team on every
// instance); entries also expire after ttlMs, a backstop for a missed notification.
import { and, eq } from "drizzle-orm";
import type { Store } from "../db/client.ts";

export interface LimitRow {
  readonly rpmLimit: number | null;
  readonly tpmLimit: number | null;
}

const DEFAULT_TTL_MS = 10_000;
// Bounds memory if many memberships are used; a full clear only costs re-reads.
const MAX_ENTRIES = 100_000;

class TtlCache {
  private readonly entries = new Map<string, { row: LimitRow | undefined; atMs: number }>();
  private readonly loading = new Map<string, Promise<LimitRow | undefined>>();

  constructor(
    private readonly load: (id: string) => Promise<LimitRow | undefined>,
    private readonly now: () => number,
    private readonly ttlMs: number,
  ) {}

  async get(id: string): Promise<LimitRow | undefined> {
    const hit = this.entries.get(id);
    if (hit && this.now() - hit.atMs < this.ttlMs) return hit.row;
    let pending = this.loading.get(id);
    if (!pending) {
      pending = this.load(id).finally(() => this.loading.delete(id));
      this.loading.set(id, pending);
    }
    const row = await pending;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(id, { row, atMs: this.now() });
    return row;
  }

  dropWhere(match: (id: string) => boolean): void {
    for (const id of this.entries.keys()) if (match(id)) this.entries.delete(id);
  }
}

export class LimitRows {
  private readonly members: TtlCache;

  constructor(store: Store, now: () => number, ttlMs = DEFAULT_TTL_MS) {
    const t = store.t;
    this.members = new TtlCache(
      async (id) => {
        const [teamId, userId] = id.split("\u0000", 2) as [string, string];
        const rows = await store.db
          .select({ rpmLimit: t.teamMembers.rpmLimit, tpmLimit: t.teamMembers.tpmLimit })
          .from(t.teamMembers)
          .where(and(eq(t.teamMembers.teamId, teamId), eq(t.teamMembers.userId, userId)))
          .limit(1);
        return rows[0];
      },
      now,
      ttlMs,
    );
  }

  member(teamId: string, userId: string): Promise<LimitRow | undefined> {
    return this.members.get(`${teamId}\u0000${userId}`);
  }

  /** A team changed (members added, updated or removed): its membership limits are re-read. */
  invalidateTeam(teamId: string): void {
    this.members.dropWhere((id) => id.startsWith(`${teamId}\u0000`));
  }
}
