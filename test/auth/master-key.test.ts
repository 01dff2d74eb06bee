import { afterAll, expect, test } from "bun:test";
import { MasterKey, resolveMasterKey } from "../../src/auth/master-key.ts";
import { hashKey } from "../../src/auth/key-format.ts";
import { createTestStore } from "../support/harness.ts";

const store = await createTestStore();
afterAll(() => store.destroy());

test("with none configured, a key is generated once, stored only as its hash, and kept across restarts", async () => {
  const first = await resolveMasterKey(store, undefined);
  expect(first.origin).toBe("generated");
  expect(first.plaintext).toMatch(/^sk-[A-Za-z0-9_-]{32}$/);
  const rows = await store.db.select().from(store.t.settings);
  expect(JSON.stringify(rows)).not.toContain(first.plaintext!);
  expect(rows.map((r) => r.value)).toContain(hashKey(first.plaintext!));

  const second = await resolveMasterKey(store, undefined);
  expect(second.origin).toBe("stored");
  expect(second.plaintext).toBeUndefined();
  expect(second.masterKey.matches(first.plaintext!)).toBe(true);
});

test("a configured master key is used as given", async () => {
  const { masterKey, origin } = await resolveMasterKey(store, "sk-configured");
  expect(origin).toBe("config");
  expect(masterKey.matches("sk-configured")).toBe(true);
  expect(masterKey.matches("sk-configuree")).toBe(false);
  expect(masterKey.matches("")).toBe(false);
});

test("matching works for candidates of any length", () => {
  const mk = new MasterKey(hashKey("sk-1234"));
  expect(mk.matches("sk-1234")).toBe(true);
  expect(mk.matches("sk-1234".repeat(100))).toBe(false);
});
