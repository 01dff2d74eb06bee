// Who is signed in, as /login and /session describe it; the role decides which buttons exist
// (the API refuses the rest anyway).
import { createContext } from "preact";
import { useContext } from "preact/hooks";

export interface Session {
  user_id: string | null;
  user_role: string;
  user_email: string | null;
  signed_in_with: "master_key" | "virtual_key";
  key_name: string | null;
  csrf_token: string;
  expires_at: string;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside a signed-in page");
  return s;
}

export const isAdmin = (s: Session) => s.user_role === "proxy_admin";
export const seesEveryone = (s: Session) => s.user_role === "proxy_admin" || s.user_role === "proxy_admin_viewer";
/** Creating, changing and deleting one's own keys. */
export const managesKeys = (s: Session) => s.user_role === "proxy_admin" || s.user_role === "internal_user";
