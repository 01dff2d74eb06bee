// Sign-in: the UI username and password, the master key, or one's own sk- key.
import { useState } from "preact/hooks";
import { post, setCsrfToken } from "../api.ts";
import { ErrorBox } from "../components/notice.tsx";
import type { Session } from "../session.ts";

export function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [mode, setMode] = useState<"password" | "key">("password");
  const [username, setUsername] = useState("admin");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const session = await post<Session>("/login", mode === "password" ? { username, password } : { password });
      setCsrfToken(session.csrf_token);
      onSignedIn(session);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Tollgate</h1>
        <p class="muted">Sign in to the admin console.</p>
        <fieldset class="tabs" role="radiogroup" aria-label="Sign in with">
          <label><input type="radio" name="mode" checked={mode === "password"} onChange={() => setMode("password")} /> Username and password</label>
          <label><input type="radio" name="mode" checked={mode === "key"} onChange={() => setMode("key")} /> API key</label>
        </fieldset>
        {mode === "password" ? (
          <label class="field">
            <span>Username</span>
            <input name="username" autoComplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required />
          </label>
        ) : null}
        <div class="field">
          <label for="password">{mode === "password" ? "Password" : "Master key or your virtual key"}</label>
          <input
            id="password"
            aria-describedby={mode === "password" ? "password-hint" : undefined}
            name="password"
            type="password"
            autoComplete={mode === "password" ? "current-password" : "off"}
            placeholder={mode === "key" ? "sk-…" : undefined}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
          />
          {mode === "password" ? <small id="password-hint" class="muted">Unless UI_PASSWORD is set, the password is the master key.</small> : null}
        </div>
        <ErrorBox error={error} />
        <button type="submit" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
      </form>
    </main>
  );
}
