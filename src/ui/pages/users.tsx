// Internal Users: search, pages, Add User (with the new user's key shown once), edit, delete.
import { useState } from "preact/hooks";
import { get, post } from "../api.ts";
import { Confirm } from "../components/confirm.tsx";
import { Field, SelectField } from "../components/field.tsx";
import { ErrorBox, Loading, Notice } from "../components/notice.tsx";
import { Pager } from "../components/pager.tsx";
import { SecretOnce } from "../components/secret-once.tsx";
import { useLoad } from "../components/use-load.ts";
import { count, csv, dateTime, list, optionalNumber, usd } from "../format.ts";
import { navigate } from "../router.ts";
import { isAdmin, useSession } from "../session.ts";
import { FormActions } from "../components/form-actions.tsx";

export interface User {
  user_id: string;
  user_email: string | null;
  user_alias: string | null;
  user_role: string | null;
  models: string[];
  spend: number;
  max_budget: number | null;
  created_at: string;
  key_count?: number;
}

interface UserPage {
  users: User[];
  total: number;
  page: number;
  total_pages: number;
}

export const ROLES = [
  ["internal_user", "Internal User (create/delete/view own keys)"],
  ["internal_user_viewer", "Internal User (view only)"],
  ["proxy_admin", "Admin (all permissions)"],
  ["proxy_admin_viewer", "Admin (view only)"],
] as const;

const PAGE_SIZE = 25;

export function UsersPage() {
  const session = useSession();
  const [page, setPage] = useState(1);
  const [search, setSearch] = useState("");
  const [role, setRole] = useState("");
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>();
  const users = useLoad(() => get<UserPage>("/user/list", { page, page_size: PAGE_SIZE, user_email: search, role }), [page, search, role]);

  const remove = async (u: User) => {
    setDeleting(null);
    setActionError(undefined);
    try {
      await post("/user/delete", { user_ids: [u.user_id] });
      users.reload();
    } catch (err) {
      setActionError(err);
    }
  };

  return (
    <section aria-labelledby="users-title">
      <header class="page-head">
        <h1 id="users-title">Internal Users</h1>
        {isAdmin(session) ? <button type="button" onClick={() => setAdding(true)}>Add User</button> : null}
      </header>
      {secret ? <SecretOnce secret={secret} title="The new user's key" onDone={() => setSecret(null)} /> : null}
      {adding ? (
        <AddUser
          onCancel={() => setAdding(false)}
          onCreated={(key) => {
            setAdding(false);
            if (key) setSecret(key);
            users.reload();
          }}
        />
      ) : null}
      {editing ? <EditUser user={editing} onDone={() => { setEditing(null); users.reload(); }} /> : null}
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <Field label="Search by email" type="search" value={search} onInput={(e) => { setSearch(e.currentTarget.value); setPage(1); }} />
        <SelectField label="Role" value={role} onChange={(e) => { setRole(e.currentTarget.value); setPage(1); }}>
          <option value="">Any role</option>
          {ROLES.map(([r, label]) => <option key={r} value={r}>{label}</option>)}
        </SelectField>
      </form>
      <ErrorBox error={actionError} />
      <ErrorBox error={users.error} />
      {users.data ? (
        <>
          <table>
            <thead>
              <tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">Models</th><th scope="col">Spend / budget</th><th scope="col">Keys</th><th scope="col">Created</th><th scope="col"><span class="sr-only">Actions</span></th></tr>
            </thead>
            <tbody>
              {users.data.users.map((u) => (
                <tr key={u.user_id}>
                  <td><div>{u.user_email ?? u.user_alias ?? "—"}</div><code class="muted small">{u.user_id}</code></td>
                  <td>{u.user_role ?? "internal_user"}</td>
                  <td>{list(u.models)}</td>
                  <td>{usd(u.spend)} / {u.max_budget === null ? "no limit" : usd(u.max_budget)}</td>
                  <td>{count(u.key_count)}</td>
                  <td>{dateTime(u.created_at)}</td>
                  <td class="row-actions">
                    <button type="button" class="link" onClick={() => navigate(`/ui/keys?user_id=${encodeURIComponent(u.user_id)}`)}>Keys</button>
                    {isAdmin(session) ? (
                      <>
                        <button type="button" class="link" onClick={() => navigate(`/ui/keys?create=1&user_id=${encodeURIComponent(u.user_id)}`)}>Create key</button>
                        <button type="button" class="link" onClick={() => setEditing(u)}>Edit</button>
                        <button type="button" class="link danger" onClick={() => setDeleting(u)}>Delete</button>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {users.data.users.length === 0 ? <Notice>No users match.</Notice> : null}
          <Pager page={page} totalPages={users.data.total_pages} total={users.data.total} onPage={setPage} label="users" />
        </>
      ) : users.loading ? <Loading what="users" /> : null}
      {deleting ? (
        <Confirm title="Delete user?" confirmLabel="Delete user" onCancel={() => setDeleting(null)} onConfirm={() => remove(deleting)}>
          <p>{deleting.user_email ?? deleting.user_id} and all of their keys will be deleted. This cannot be undone.</p>
        </Confirm>
      ) : null}
    </section>
  );
}

function AddUser({ onCancel, onCreated }: { onCancel: () => void; onCreated: (key: string | null) => void }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState("internal_user");
  const [models, setModels] = useState("");
  const [budget, setBudget] = useState("");
  const [teams, setTeams] = useState("");
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await post<{ key?: string }>("/user/new", {
        user_email: email.trim() || undefined,
        user_role: role,
        models: csv(models),
        max_budget: optionalNumber("Max budget", budget),
        teams: csv(teams).length ? csv(teams) : undefined,
      });
      onCreated(created.key || null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="add-user-title">
      <h2 id="add-user-title">Add User</h2>
      <div class="grid">
        <Field label="Email" type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <SelectField label="Role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          {ROLES.map(([r, label]) => <option key={r} value={r}>{label}</option>)}
        </SelectField>
        <Field label="Models" hint="Comma-separated; empty = all models" value={models} onInput={(e) => setModels(e.currentTarget.value)} />
        <Field label="Max budget (USD)" inputMode="decimal" value={budget} onInput={(e) => setBudget(e.currentTarget.value)} />
        <Field label="Teams" hint="Comma-separated team ids" value={teams} onInput={(e) => setTeams(e.currentTarget.value)} />
      </div>
      <ErrorBox error={error} />
      <FormActions onCancel={onCancel} submitLabel="Create user" busy={busy} busyLabel="Creating…" />
    </form>
  );
}

function EditUser({ user, onDone }: { user: User; onDone: () => void }) {
  const [role, setRole] = useState(user.user_role ?? "internal_user");
  const [models, setModels] = useState(user.models.join(", "));
  const [budget, setBudget] = useState(user.max_budget === null ? "" : String(user.max_budget));
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      const b = optionalNumber("Max budget", budget);
      await post("/user/update", { user_id: user.user_id, user_role: role, models: csv(models), max_budget: b === undefined ? null : b });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="edit-user-title">
      <h2 id="edit-user-title">Edit {user.user_email ?? user.user_id}</h2>
      <div class="grid">
        <SelectField label="Role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          {ROLES.map(([r, label]) => <option key={r} value={r}>{label}</option>)}
        </SelectField>
        <Field label="Models" hint="Comma-separated" value={models} onInput={(e) => setModels(e.currentTarget.value)} />
        <Field label="Max budget (USD)" hint="Empty = no limit" value={budget} onInput={(e) => setBudget(e.currentTarget.value)} />
      </div>
      <ErrorBox error={error} />
      <FormActions onCancel={onDone} submitLabel="Save" />
    </form>
  );
}
