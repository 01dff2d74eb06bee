// The admin console: sign-in, then a sidebar of pages. Every page talks to the public API only.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, get, post, setCsrfToken } from "./api.ts";
import { Loading } from "./components/notice.tsx";
import { AuditPage } from "./pages/audit.tsx";
import { KeysPage } from "./pages/keys.tsx";
import { ModelsPage } from "./pages/models.tsx";
import { PlaygroundPage } from "./pages/playground.tsx";
import { SignIn } from "./pages/sign-in.tsx";
import { TeamsPage } from "./pages/teams.tsx";
import { UsagePage } from "./pages/usage.tsx";
import { UsersPage } from "./pages/users.tsx";
import { navigate, onLinkClick, usePath } from "./router.ts";
import { type Session, SessionContext, seesEveryone } from "./session.ts";

interface Page {
  path: string;
  label: string;
  show: (s: Session) => boolean;
  render: () => preact.JSX.Element;
}

const PAGES: Page[] = [
  { path: "/ui/keys", label: "Virtual Keys", show: () => true, render: () => <KeysPage /> },
  { path: "/ui/users", label: "Internal Users", show: seesEveryone, render: () => <UsersPage /> },
  { path: "/ui/teams", label: "Teams", show: () => true, render: () => <TeamsPage /> },
  { path: "/ui/models", label: "Models", show: () => true, render: () => <ModelsPage /> },
  { path: "/ui/usage", label: "Usage", show: () => true, render: () => <UsagePage /> },
  { path: "/ui/playground", label: "Playground", show: () => true, render: () => <PlaygroundPage /> },
  { path: "/ui/audit", label: "Audit Logs", show: seesEveryone, render: () => <AuditPage /> },
];

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const path = usePath();

  useEffect(() => {
    get<Session>("/session").then(
      (s) => {
        setCsrfToken(s.csrf_token);
        setSession(s);
      },
      (err) => {
        if (!(err instanceof ApiError && err.status === 401)) console.error(err);
        setSession(null);
      },
    );
  }, []);

  if (session === undefined) return <Loading what="the console" />;
  if (session === null) return <SignIn onSignedIn={setSession} />;

  const visible = PAGES.filter((p) => p.show(session));
  const current = visible.find((p) => path === p.path || path.startsWith(`${p.path}/`));
  if (!current) {
    queueMicrotask(() => navigate(visible[0]!.path));
    return null;
  }

  const signOut = async () => {
    await post("/logout").catch(() => {});
    setSession(null);
  };

  return (
    <SessionContext.Provider value={session}>
      <a class="skip" href="#main">Skip to content</a>
      <div class="shell">
        <aside>
          <div class="brand">Tollgate</div>
          <nav aria-label="Pages">
            <ul>
              {visible.map((p) => (
                <li key={p.path}>
                  <a href={p.path} aria-current={p === current ? "page" : undefined} onClick={(e) => onLinkClick(e, p.path)}>{p.label}</a>
                </li>
              ))}
            </ul>
          </nav>
          <div class="who">
            <div>{session.user_email ?? session.user_id ?? "admin"}</div>
            <div class="muted">{session.user_role.replaceAll("_", " ")}{session.key_name ? ` · ${session.key_name}` : ""}</div>
            <button type="button" class="link" onClick={signOut}>Sign out</button>
          </div>
        </aside>
        <main id="main" tabIndex={-1}>
          {current.render()}
        </main>
      </div>
    </SessionContext.Provider>
  );
}

render(<App />, document.getElementById("app")!);
