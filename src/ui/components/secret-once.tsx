// A new key's plaintext, shown once with a copy button: the gateway keeps only its hash.
import { useState } from "preact/hooks";

export function SecretOnce({ secret, onDone, title = "Save this key" }: { secret: string; onDone: () => void; title?: string }) {
  const [copied, setCopied] = useState<"no" | "yes" | "failed">("no");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  };
  return (
    <section class="secret" aria-labelledby="secret-title">
      <h3 id="secret-title">{title}</h3>
      <p>This is the only time the key is shown. The gateway stores only its hash.</p>
      <div class="secret-row">
        <input aria-label="New key" readOnly value={secret} data-testid="new-key" onFocus={(e) => e.currentTarget.select()} />
        <button type="button" onClick={copy}>Copy</button>
      </div>
      <p aria-live="polite" class="muted">
        {copied === "yes" ? "Copied to the clipboard." : copied === "failed" ? "Copy failed: select the key and copy it by hand." : ""}
      </p>
      <button type="button" class="secondary" onClick={onDone}>Done</button>
    </section>
  );
}
