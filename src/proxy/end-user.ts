// The end user (LiteLLM's "customer") a call is made for: the x-litellm-customer-id or
// x-litellm-end-user-id header, else the body's `user` field (contract §1.7: headers come first).
const HEADERS = ["x-litellm-customer-id", "x-litellm-end-user-id"] as const;

export function endUserOf(headers: Headers | undefined, body: Readonly<Record<string, unknown>>): string | null {
  for (const name of HEADERS) {
    const value = headers?.get(name)?.trim();
    if (value) return value;
  }
  const user = body.user;
  return typeof user === "string" && user !== "" ? user : null;
}
