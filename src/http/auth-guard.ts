// Adds `principal` to every route of the plugin that uses it. Runs before body validation, so an
// unauthenticated caller learns nothing about a route's schema.
import { Elysia } from "elysia";
import { authenticate } from "../auth/principal.ts";
import type { AppDeps } from "../deps.ts";

export function authGuard(deps: AppDeps) {
  const authDeps = {
    masterKey: deps.masterKey,
    keys: deps.keys,
    customHeader: deps.config.general.litellm_key_header_name?.toLowerCase(),
    now: deps.now,
  };
  return new Elysia({ name: "auth-guard" }).derive({ as: "scoped" }, async ({ request }) => ({
    principal: await authenticate(request.headers, authDeps),
  }));
}
