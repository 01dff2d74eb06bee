// Teams behind team keys: whether they are blocked, their models and limits. Team ids come from
// stored keys, so remembering misses is bounded.
import type { TeamRow } from "../db/store/teams.ts";
import { RowCache } from "./row-cache.ts";

export class TeamCache extends RowCache<TeamRow> {
  constructor(load: (teamId: string) => Promise<TeamRow | undefined>) {
    super(load, true);
  }
}
