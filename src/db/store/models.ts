// Runtime models (/model/new, /model/update, /model/delete): one row per deployment. Credentials
// in litellm_params are already sealed when they reach this module.
import { asc, eq } from "drizzle-orm";
import type { JsonObject } from "../schema/json.ts";
import type { Store } from "../client.ts";

export type ModelRow = Store["t"]["models"]["$inferSelect"];

export async function listModelRows(s: Store): Promise<ModelRow[]> {
  return s.db.select().from(s.t.models).orderBy(asc(s.t.models.createdAt), asc(s.t.models.modelId));
}

export async function findModelRow(s: Store, modelId: string): Promise<ModelRow | undefined> {
  const rows = await s.db.select().from(s.t.models).where(eq(s.t.models.modelId, modelId));
  return rows[0];
}

export async function insertModelRow(s: Store, row: { modelId: string; modelName: string; litellmParams: JsonObject; modelInfo: JsonObject }): Promise<void> {
  await s.db.insert(s.t.models).values(row);
}

export async function updateModelRow(
  s: Store,
  modelId: string,
  fields: { modelName: string; litellmParams: JsonObject; modelInfo: JsonObject },
): Promise<void> {
  await s.db.update(s.t.models).set({ ...fields, updatedAt: new Date() }).where(eq(s.t.models.modelId, modelId));
}

/** Whether a row was deleted. */
export async function deleteModelRow(s: Store, modelId: string): Promise<boolean> {
  const rows = await s.db.delete(s.t.models).where(eq(s.t.models.modelId, modelId)).returning({ id: s.t.models.modelId });
  return rows.length > 0;
}
