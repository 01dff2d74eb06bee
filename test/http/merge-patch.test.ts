// RFC 7396 JSON Merge Patch (PATCH /management/v1/keys/{key_id}'s metadata): the RFC's own
// examples, and the nesting cap.
import { expect, test } from "bun:test";
import { MAX_PATCH_DEPTH, mergePatch } from "../../src/http/admin/merge-patch.ts";

test.each([
  [{ a: "b" }, { a: "c" }, { a: "c" }],
  [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
  [{ a: "b" }, { a: null }, {}],
  [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
  [{ a: ["b"] }, { a: "c" }, { a: "c" }],
  [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
  [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
  [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
  [["a", "b"], ["c", "d"], ["c", "d"]],
  [{ a: "b" }, ["c"], ["c"]],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: "b", c: null }, { a: "b" }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
])("RFC 7396 example: %j patched with %j is %j", (target, patch, expected) => {
  expect(mergePatch(target, patch, "metadata")).toEqual(expected);
});

test("a patch nested deeper than the cap is refused, naming the field", () => {
  let deep: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i <= MAX_PATCH_DEPTH; i++) deep = { d: deep };
  expect(() => mergePatch({}, deep, "metadata")).toThrow(`metadata is nested deeper than ${MAX_PATCH_DEPTH} levels`);
  expect(() => mergePatch({}, { d: { d: 1 } }, "metadata")).not.toThrow();
});
