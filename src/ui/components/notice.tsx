import type { ComponentChildren } from "preact";
import { ApiError } from "../api.ts";

/** An API error in words, with the status, announced to screen readers. */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error as Error;
  const status = e instanceof ApiError && e.status ? ` (HTTP ${e.status})` : "";
  return (
    <div class="notice error" role="alert">
      <strong>Error{status}:</strong> {e.message}
    </div>
  );
}

export function Notice({ children, kind = "info" }: { children: ComponentChildren; kind?: "info" | "success" | "warn" }) {
  return <div class={`notice ${kind}`} role="status">{children}</div>;
}

/** For pages backed by routes another part of the gateway has not shipped yet. */
export function NotAvailable({ what, route }: { what: string; route: string }) {
  return (
    <div class="notice warn" role="status">
      <strong>{what} is not available yet.</strong> This gateway does not serve <code>{route}</code> in this version.
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <p class="muted" aria-live="polite">Loading {what}…</p>;
}
