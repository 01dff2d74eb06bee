import { describe, expect, test } from "bun:test";
import { decideGenerate, decideListScope, decideRead, decideTeamKeyRoute, decideUpdateFields, decideWrite, effectiveMemberPermissions, type KeyActor, ownerOfNewKey, unknownMemberPermission } from "../../src/policy/key-access.ts";
import type { Role } from "../../src/policy/roles.ts";

const actor = (role: Role, extra: Partial<KeyActor> = {}): KeyActor => ({
  role, userId: "alice", ownToken: "t-own", teamsAdministered: [], teamsMemberOf: [], ...extra,
});
const personal = (userId: string | null, token = "t1") => ({ token, userId, teamId: null, keyName: "sk-...abcd" });
const teamKey = (teamId: string, userId: string | null = "bob") => ({ token: "t2", userId, teamId, keyName: "sk-...wxyz" });
const ok = (d: { ok: boolean }) => d.ok;

describe("generate", () => {
  test("a non-admin naming nobody creates the key for themselves; an admin creates an ownerless key", () => {
    expect(ownerOfNewKey(actor("internal_user"), undefined)).toBe("alice");
    expect(ownerOfNewKey(actor("proxy_admin"), undefined)).toBeNull();
    expect(ownerOfNewKey(actor("internal_user"), "bob")).toBe("bob");
  });
  test("an internal user may create keys only for themselves", () => {
    expect(ok(decideGenerate(actor("internal_user"), { userId: "alice", teamId: null }))).toBe(true);
    expect(decideGenerate(actor("internal_user"), { userId: "bob", teamId: null })).toEqual({
      ok: false, status: 403, message: "User can only create keys for themselves. Got user_id=bob, Your ID=alice",
    });
    expect(ok(decideGenerate(actor("proxy_admin"), { userId: "bob", teamId: "t" }))).toBe(true);
  });
  test("team keys need team membership", () => {
    expect(ok(decideGenerate(actor("internal_user"), { userId: "alice", teamId: "eng" }))).toBe(false);
    expect(ok(decideGenerate(actor("internal_user", { teamsMemberOf: ["eng"] }), { userId: "alice", teamId: "eng" }))).toBe(true);
  });
});

describe("read", () => {
  test.each([
    ["proxy_admin", personal("bob"), true],
    ["proxy_admin_viewer", personal("bob"), true],
    ["internal_user", personal("alice"), true],
    ["internal_user", personal("bob"), false],
    ["internal_user_viewer", personal("alice"), true],
    ["unknown", personal(null, "t-own"), true], // its own key
    ["unknown", personal(null), false],
  ] as const)("%s reading a key of %p → %p", (role, key, expected) => {
    expect(ok(decideRead(actor(role), key))).toBe(expected);
  });
  test("team members read team keys", () => {
    expect(ok(decideRead(actor("internal_user", { teamsMemberOf: ["eng"] }), teamKey("eng")))).toBe(true);
    expect(ok(decideRead(actor("internal_user"), teamKey("eng")))).toBe(false);
  });
});

describe("writes", () => {
  test("owners update and delete their keys; others are refused with LiteLLM's message", () => {
    expect(ok(decideWrite(actor("internal_user"), "delete", personal("alice")))).toBe(true);
    expect(decideWrite(actor("internal_user"), "delete", personal("bob"))).toEqual({ ok: false, status: 403, message: "You are not authorized to delete this key" });
    expect(ok(decideWrite(actor("internal_user"), "update", personal("bob")))).toBe(false);
  });
  test("blocking is admin-only; spend reset is for proxy and team admins", () => {
    expect(ok(decideWrite(actor("internal_user"), "block", personal("alice")))).toBe(false);
    expect(ok(decideWrite(actor("proxy_admin"), "block", personal("alice")))).toBe(true);
    expect(ok(decideWrite(actor("internal_user"), "reset_spend", personal("alice")))).toBe(false);
    expect(ok(decideWrite(actor("internal_user", { teamsAdministered: ["eng"] }), "reset_spend", teamKey("eng")))).toBe(true);
  });
  test("team admins manage every key of their team; owners regenerate only personal keys", () => {
    const admin = actor("internal_user", { teamsAdministered: ["eng"] });
    for (const action of ["update", "delete", "regenerate"] as const) expect(ok(decideWrite(admin, action, teamKey("eng")))).toBe(true);
    expect(ok(decideWrite(actor("internal_user", { userId: "bob" }), "regenerate", teamKey("eng", "bob")))).toBe(false);
    expect(ok(decideWrite(actor("internal_user"), "regenerate", personal("alice")))).toBe(true);
  });
  test("a non-admin cannot give a key away, move it to a team, set its spend or unblock it", () => {
    const a = actor("internal_user");
    expect(decideUpdateFields(a, personal("alice"), { userId: "bob" })).toEqual({
      ok: false, status: 403, message: "User=bob is not allowed to update key=sk-...abcd to belong to user=alice",
    });
    expect(ok(decideUpdateFields(a, personal("alice"), { teamId: "eng" }))).toBe(false);
    expect(ok(decideUpdateFields(a, personal("alice"), { spend: true }))).toBe(false);
    expect(ok(decideUpdateFields(a, personal("alice"), { blocked: true }))).toBe(false);
    expect(ok(decideUpdateFields(a, personal("alice"), { userId: "alice" }))).toBe(true);
    expect(ok(decideUpdateFields(actor("proxy_admin"), personal("alice"), { userId: "bob", spend: true }))).toBe(true);
  });
});

describe("list scope", () => {
  test("admins and admin viewers see all; others their own, their administered teams' keys and their teams' service accounts", () => {
    expect(decideListScope(actor("proxy_admin_viewer"), "bob")).toEqual({ ok: true, all: true });
    expect(decideListScope(actor("internal_user", { teamsAdministered: ["eng"], teamsMemberOf: ["eng", "ops"] }), undefined)).toEqual({
      ok: true, all: false, userId: "alice", teamIds: ["eng"], serviceAccountTeamIds: ["eng", "ops"],
    });
    expect(decideListScope(actor("internal_user"), "bob")).toEqual({ ok: false, status: 403, message: "You are not authorized to check another user's keys" });
  });
});

describe("team member permissions", () => {
  const member = (permissions: string[] | null) => actor("internal_user", { teamsMemberOf: ["eng"], memberPermissions: { eng: permissions } });
  test("the baseline is /key/info and /key/health; the team's own list adds to it", () => {
    expect(effectiveMemberPermissions(null)).toEqual(["/key/info", "/key/health"]);
    expect(effectiveMemberPermissions([])).toEqual(["/key/info", "/key/health"]);
    expect(effectiveMemberPermissions(["/key/update", "/key/info"])).toEqual(["/key/info", "/key/health", "/key/update"]);
  });
  test("a plain member may what the team allows; admins always; outsiders never", () => {
    expect(decideTeamKeyRoute(member(null), "eng", "/key/update")).toMatchObject({ ok: false, status: 401, type: "team_member_permission_error", param: "/key/update" });
    expect(decideTeamKeyRoute(member(["/key/update"]), "eng", "/key/update")).toEqual({ ok: true });
    expect(decideTeamKeyRoute(member(["/key/*"]), "eng", "/key/delete")).toEqual({ ok: true });
    expect(decideTeamKeyRoute(member(["/key/update"]), "eng", "/key/delete").ok).toBe(false);
    expect(decideTeamKeyRoute(actor("internal_user", { teamsAdministered: ["eng"], teamsMemberOf: ["eng"] }), "eng", "/key/delete")).toEqual({ ok: true });
    expect(decideTeamKeyRoute(actor("proxy_admin"), "eng", "/key/generate")).toEqual({ ok: true });
    expect(decideTeamKeyRoute(member(["/key/*"]), "ops", "/key/update")).toMatchObject({ ok: false, status: 401 });
  });
  test("a team key follows the team; a personal key its owner", () => {
    const teamKey = { token: "t", userId: "alice", teamId: "eng" };
    expect(decideWrite(member(null), "update", teamKey).ok).toBe(false);
    expect(decideWrite(member(["/key/update"]), "update", teamKey)).toEqual({ ok: true });
    expect(decideWrite(member(null), "update", { token: "p", userId: "alice", teamId: null })).toEqual({ ok: true });
  });
  test("permissions must be known routes, /key/health, or a prefix with *", () => {
    expect(unknownMemberPermission(["/key/generate", "/key/health", "/key/*"])).toBeUndefined();
    expect(unknownMemberPermission(["/key/info", "/key/generat"])).toBe("/key/generat");
    expect(unknownMemberPermission(["*"])).toBe("*");
  });
});
