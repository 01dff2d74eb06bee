// Encryption at rest for upstream credentials stored with runtime models: AES-256-GCM with a key
// derived (HKDF-SHA-256) from TOLLGATE_SALT_KEY, else from the configured master key. Without
// either there is no key worth the name (a generated master key is only stored as a hash), so
// storing a secret is refused instead of keeping it in clear.

const PREFIX = "tgenc:v1:";
const INFO = new TextEncoder().encode("tollgate model secrets v1");

export class SecretBox {
  private readonly key: Promise<CryptoKey>;

  constructor(material: string) {
    this.key = crypto.subtle
      .importKey("raw", new TextEncoder().encode(material), "HKDF", false, ["deriveKey"])
      .then((base) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(32), info: INFO },
          base,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
  }

  async seal(plain: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await this.key, new TextEncoder().encode(plain)));
    const out = new Uint8Array(iv.length + sealed.length);
    out.set(iv);
    out.set(sealed, iv.length);
    return PREFIX + Buffer.from(out).toString("base64");
  }

  /** Throws when the value was sealed under another key (the salt or master key changed). */
  async open(value: string): Promise<string> {
    const bytes = Buffer.from(value.slice(PREFIX.length), "base64");
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.subarray(0, 12) }, await this.key, bytes.subarray(12));
    return new TextDecoder().decode(plain);
  }
}

export const isSealed = (value: unknown): value is string => typeof value === "string" && value.startsWith(PREFIX);

/** TOLLGATE_SALT_KEY wins; the master key from the config or LITELLM_MASTER_KEY is next; else none. */
export function secretBoxFrom(saltKey: string | undefined, configuredMasterKey: string | null | undefined): SecretBox | undefined {
  const material = saltKey || configuredMasterKey;
  return material ? new SecretBox(material) : undefined;
}

/** litellm_params fields holding credentials: sealed at rest, never returned. */
export const SECRET_PARAM = /(key|secret|password|token|credentials?)$/i;
