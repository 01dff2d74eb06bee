import { eq } from "drizzle-orm";
import type { Store } from "../client.ts";

export async function readSetting(s: Store, name: string): Promise<string | undefined> {
  const rows = await s.db.select({ value: s.t.settings.value }).from(s.t.settings).where(eq(s.t.settings.name, name));
  return rows[0]?.value;
}

/** Inserts the setting unless it exists; returns the value that is stored afterwards. */
export async function insertSettingOnce(s: Store, name: string, value: string): Promise<string> {
  await s.db.insert(s.t.settings).values({ name, value }).onConflictDoNothing();
  return (await readSetting(s, name)) ?? value;
}
