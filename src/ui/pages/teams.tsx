// Teams: list (one server page at a time), create, block/unblock, members (add by email or id, with
// role and member budget), what plain members may do to the team's keys, and the team's keys.
import { useState } from "preact/hooks";
import { get, post } from "../api.ts";
import { Confirm } from "../components/confirm.tsx";
import { Field, SelectField } from "../components/field.tsx";
import { ErrorBox, Loading, Notice } from "../components/notice.tsx";
import { Pager } from "../components/pager.tsx";
import { useLoad } from "../components/use-load.ts";
import { csv, list, optionalNumber, usd } from "../format.ts";
import { isAdmin, useSession } from "../session.ts";
import { SpendBar, type Key } from "./keys.tsx";
import { FormActions } from "../components/form-actions.tsx";

interface Team {
  team_id: string;
  team_alias: string | null;
  models: string[];
  max_budget: number | null;
  spend: number;
  blocked: boolean;
  members_with_roles: { role: string; user_id: string }[];
}

interface TeamInfo {
  team_info: Team;
  keys: Key[];
  team_memberships: { user_id: string; role: string; spend: number; max_budget_in_team: number | null }[];
}

const PAGE_SIZE = 25;

export function TeamsPage() {
  const session = useSession();
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Team | null>(null);
  const [actionError, setActionError] = useState<unknown>();
  const teams = useLoad(() => get<Team[]>("/team/list", { page, page_size: PAGE_SIZE }), [page]);
  const admin = isAdmin(session);

  const act = async (run: () => Promise<unknown>) => {
    setActionError(undefined);
    try {
      await run();
      teams.reload();
    } catch (err) {
      setActionError(err);
    }
  };

  return (
    <section aria-labelledby="teams-title">
      <header class="page-head">
        <h1 id="teams-title">Teams</h1>
        {admin ? <button type="button" onClick={() => setCreating(true)}>Create team</button> : null}
      </header>
      {creating ? <CreateTeam onDone={() => { setCreating(false); teams.reload(); }} /> : null}
      <ErrorBox error={actionError} />
      <ErrorBox error={teams.error} />
      {teams.data ? (
        <>
          <table>
            <thead><tr><th scope="col">Team</th><th scope="col">Models</th><th scope="col">Spend / budget</th><th scope="col">Members</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {teams.data.map((t) => (
                <tr key={t.team_id}>
                  <td><div>{t.team_alias ?? "—"}</div><code class="small muted">{t.team_id}</code></td>
                  <td>{list(t.models)}</td>
                  <td><SpendBar spend={t.spend} budget={t.max_budget} /></td>
                  <td>{t.members_with_roles.length}</td>
                  <td>{t.blocked ? <span class="badge bad">Blocked</span> : <span class="badge ok">Active</span>}</td>
                  <td class="row-actions">
                    <button type="button" class="link" aria-expanded={open === t.team_id} onClick={() => setOpen(open === t.team_id ? null : t.team_id)}>Members and keys</button>
                    {admin ? (
                      <>
                        <button type="button" class="link" onClick={() => act(() => post(t.blocked ? "/team/unblock" : "/team/block", { team_id: t.team_id }))}>{t.blocked ? "Unblock" : "Block"}</button>
                        <button type="button" class="link danger" onClick={() => setDeleting(t)}>Delete</button>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {teams.data.length === 0 ? <Notice>No teams{page > 1 ? " on this page" : " yet"}.</Notice> : null}
          {/* /team/list pages carry no total: another page exists while this one is full. */}
          <Pager page={page} totalPages={teams.data.length === PAGE_SIZE ? page + 1 : page} onPage={setPage} label="teams" />
        </>
      ) : teams.loading ? <Loading what="teams" /> : null}
      {open ? <TeamDetail teamId={open} canManage={admin} onChanged={teams.reload} /> : null}
      {deleting ? (
        <Confirm title="Delete team?" confirmLabel="Delete team" onCancel={() => setDeleting(null)} onConfirm={() => { const t = deleting; setDeleting(null); void act(() => post("/team/delete", { team_ids: [t.team_id] })); }}>
          <p>{deleting.team_alias ?? deleting.team_id}, its keys and its memberships will be deleted. This cannot be undone.</p>
        </Confirm>
      ) : null}
    </section>
  );
}

function CreateTeam({ onDone }: { onDone: () => void }) {
  const [alias, setAlias] = useState("");
  const [models, setModels] = useState("");
  const [budget, setBudget] = useState("");
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await post("/team/new", { team_alias: alias.trim() || undefined, models: csv(models), max_budget: optionalNumber("Max budget", budget) });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="create-team-title">
      <h2 id="create-team-title">Create team</h2>
      <div class="grid">
        <Field label="Team name" value={alias} onInput={(e) => setAlias(e.currentTarget.value)} />
        <Field label="Models" hint="Comma-separated; empty = all" value={models} onInput={(e) => setModels(e.currentTarget.value)} />
        <Field label="Max budget (USD)" value={budget} onInput={(e) => setBudget(e.currentTarget.value)} />
      </div>
      <ErrorBox error={error} />
      <FormActions onCancel={onDone} submitLabel="Create team" />
    </form>
  );
}

/** `onChanged`: the team list shows member counts, so it reloads when members change here. */
function TeamDetail({ teamId, canManage, onChanged }: { teamId: string; canManage: boolean; onChanged: () => void }) {
  const info = useLoad(() => get<TeamInfo>("/team/info", { team_id: teamId }), [teamId]);
  const [member, setMember] = useState("");
  const [role, setRole] = useState("user");
  const [budget, setBudget] = useState("");
  const [error, setError] = useState<unknown>();
  const add = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      const ref = member.includes("@") ? { user_email: member.trim() } : { user_id: member.trim() };
      await post("/team/member_add", { team_id: teamId, member: { ...ref, role }, max_budget_in_team: optionalNumber("Member budget", budget) });
      setMember("");
      info.reload();
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (userId: string) => {
    setError(undefined);
    try {
      await post("/team/member_delete", { team_id: teamId, user_id: userId });
      info.reload();
      onChanged();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section class="panel" aria-labelledby="team-detail-title">
      <h2 id="team-detail-title">Team {info.data?.team_info.team_alias ?? teamId}</h2>
      <ErrorBox error={info.error} />
      <ErrorBox error={error} />
      {info.data ? (
        <>
          <h3>Members</h3>
          <table>
            <thead><tr><th scope="col">User</th><th scope="col">Role</th><th scope="col">Spend in team</th><th scope="col">Member budget</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {info.data.team_memberships.map((m) => (
                <tr key={m.user_id}>
                  <td><code class="small">{m.user_id}</code></td><td>{m.role}</td><td>{usd(m.spend)}</td><td>{m.max_budget_in_team === null ? "no limit" : usd(m.max_budget_in_team)}</td>
                  <td>{canManage ? <button type="button" class="link danger" onClick={() => remove(m.user_id)}>Remove</button> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {canManage ? (
            <form class="filters" onSubmit={add} aria-label="Add member">
              <Field label="Email or user id" value={member} onInput={(e) => setMember(e.currentTarget.value)} required />
              <SelectField label="Role" value={role} onChange={(e) => setRole(e.currentTarget.value)}>
                <option value="user">Member</option>
                <option value="admin">Team admin</option>
              </SelectField>
              <Field label="Member budget (USD)" value={budget} onInput={(e) => setBudget(e.currentTarget.value)} />
              <button type="submit">Add member</button>
            </form>
          ) : null}
          {canManage ? <MemberPermissions teamId={teamId} /> : null}
          <h3>Keys</h3>
          {info.data.keys.length ? (
            <table>
              <thead><tr><th scope="col">Key</th><th scope="col">Alias</th><th scope="col">Owner</th><th scope="col">Spend / budget</th></tr></thead>
              <tbody>
                {info.data.keys.map((k) => (
                  <tr key={k.token}><td><code>{k.key_name}</code></td><td>{k.key_alias ?? "—"}</td><td><code class="small">{k.user_id ?? "—"}</code></td><td><SpendBar spend={k.spend} budget={k.max_budget} /></td></tr>
                ))}
              </tbody>
            </table>
          ) : <p class="muted">No keys in this team.</p>}
        </>
      ) : info.loading ? <Loading what="the team" /> : null}
    </section>
  );
}

// The key routes a team may open to its plain members (team admins may always; every member may read).
const MEMBER_ACTIONS: [string, string][] = [
  ["/key/generate", "Create keys"],
  ["/key/service-account/generate", "Create service accounts"],
  ["/key/update", "Edit keys"],
  ["/key/delete", "Delete keys"],
  ["/key/regenerate", "Regenerate keys"],
];

function MemberPermissions({ teamId }: { teamId: string }) {
  const current = useLoad(() => get<{ team_member_permissions: string[] }>("/team/permissions_list", { team_id: teamId }), [teamId]);
  const [chosen, setChosen] = useState<Set<string> | null>(null);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>();
  const stored = current.data?.team_member_permissions ?? [];
  const ticked = chosen ?? new Set(stored);
  const toggle = (route: string) => {
    const next = new Set(ticked);
    if (next.has(route)) next.delete(route);
    else next.add(route);
    setChosen(next);
    setSaved(false);
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    // Entries this form does not show (a wildcard, /key/list ...) are kept as they are.
    const shown = new Set(MEMBER_ACTIONS.map(([route]) => route));
    const permissions = [...stored.filter((p) => !shown.has(p)), ...MEMBER_ACTIONS.map(([route]) => route).filter((r) => ticked.has(r))];
    try {
      await post("/team/permissions_update", { team_id: teamId, team_member_permissions: permissions });
      setChosen(null);
      setSaved(true);
      current.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="permissions" onSubmit={save} aria-labelledby={`perm-${teamId}`}>
      <h3 id={`perm-${teamId}`}>Member permissions</h3>
      <p class="muted small">Every member may read the team's keys; team admins may do everything. Plain members may also:</p>
      <ErrorBox error={current.error ?? error} />
      {current.data ? (
        <fieldset>
          <legend class="sr-only">Allowed key actions</legend>
          {MEMBER_ACTIONS.map(([route, label]) => (
            <label key={route} class="check">
              <input type="checkbox" checked={ticked.has(route)} onChange={() => toggle(route)} /> {label}
            </label>
          ))}
        </fieldset>
      ) : <Loading what="member permissions" />}
      <button type="submit" disabled={chosen === null}>Save permissions</button>
      {saved ? <span role="status" class="muted small"> Saved.</span> : null}
    </form>
  );
}
