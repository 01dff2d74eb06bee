// Virtual key format: "sk-" + 32 url-safe base64 chars (192 random bits). Stored only as SHA-256 hex.

export function generateKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `sk-${Buffer.from(bytes).toString("base64url")}`;
}

export function hashKey(plaintext: string): string {
  return Bun.SHA256.hash(plaintext, "hex") as string;
}

export const isPlaintextKey = (value: string) => value.startsWith("sk-");

/** Management endpoints accept a key as plaintext or as its hash (contract §2.3). */
export const toTokenHash = (value: string) => (isPlaintextKey(value) ? hashKey(value) : value);

/** The display form LiteLLM stores as key_name: "sk-...abcd". */
export const keyName = (plaintext: string) => `sk-...${plaintext.slice(-4)}`;

/** How a credential appears in an error message: "abcd****wxyz" (contract §3.2). */
export const maskCredential = (value: string) => (value.length <= 8 ? "****" : `${value.slice(0, 4)}****${value.slice(-4)}`);
