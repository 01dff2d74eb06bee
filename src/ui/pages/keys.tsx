// Virtual Keys: one server-side page at a time (the list stays fast at 100,000 keys), create with
// the key shown once, edit, regenerate, block/unblock, delete with confirmation.
import { useState } from "preact/hooks";
import { get, post } from "../api.ts";
import { Confirm } from "../components/confirm.tsx";
import { Field } from "../components/field.tsx";
import { ErrorBox, Loading, Notice } from "../components/notice.tsx";
import { Pager } from "../components/pager.tsx";
import { SecretOnce } from "../components/secret-once.tsx";
import { useLoad } from "../components/use-load.ts";
import { csv, dateTime, list, optionalNumber, usd } from "../format.ts";
import { managesKeys, isAdmin, useSession } from "../session.ts";
import { FormActions } from "../components/form-actions.tsx";

export interface Key {
  token: string;
  key_name: string;
  key_alias: string | null;
  spend: number;
  max_budget: number | null;
  expires: string | null;
  models: string[];
  user_id: string | null;
  team_id: string | null;
  tpm_limit: number | null;
  rpm_limit: number | null;
  max_parallel_requests: number | null;
  budget_duration: string | null;
  metadata: Record<string, unknown>;
  tags: string[] | null;
  blocked: boolean | null;
  created_at: string | null;
}

interface KeyPage {
  keys: Key[];
  total_count: number;
  current_page: number;
  total_pages: number;
}

const PAGE_SIZE = 25;

type Dialog = { kind: "delete" | "regenerate"; key: Key } | null;

export function KeysPage() {
  const session = useSession();
  const params = new URLSearchParams(location.search);
  const [page, setPage] = useState(1);
  const [userId, setUserId] = useState(params.get("user_id") ?? "");
  const [teamId, setTeamId] = useState(params.get("team_id") ?? "");
  const [alias, setAlias] = useState("");
  const [creating, setCreating] = useState(params.get("create") === "1");
  const [editing, setEditing] = useState<Key | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>();
  const [busy, setBusy] = useState<string | null>(null);
  const keys = useLoad(
    () => get<KeyPage>("/key/list", { return_full_object: "true", page, size: PAGE_SIZE, user_id: userId, team_id: teamId, key_alias: alias }),
    [page, userId, teamId, alias],
  );
  const canWrite = managesKeys(session);

  const act = async (label: string, run: () => Promise<void>) => {
    setBusy(label);
    setActionError(undefined);
    try {
      await run();
      keys.reload();
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(null);
    }
  };

  const onDialogConfirm = () => {
    if (!dialog) return;
    const { kind, key } = dialog;
    setDialog(null);
    if (kind === "delete") void act(`Deleting ${key.key_name}`, () => post("/key/delete", { keys: [key.token] }).then(() => {}));
    else {
      void act(`Regenerating ${key.key_name}`, async () => {
        const r = await post<{ key: string }>(`/key/${encodeURIComponent(key.token)}/regenerate`, {});
        setSecret(r.key);
      });
    }
  };

  return (
    <section aria-labelledby="keys-title">
      <header class="page-head">
        <h1 id="keys-title">Virtual Keys</h1>
        {canWrite ? <button type="button" onClick={() => setCreating(true)}>Create key</button> : null}
      </header>
      {secret ? <SecretOnce secret={secret} onDone={() => setSecret(null)} /> : null}
      {creating ? (
        <CreateKey
          initialUserId={params.get("user_id") ?? (session.user_role === "proxy_admin" ? "" : session.user_id ?? "")}
          onCancel={() => setCreating(false)}
          onCreated={(k) => {
            setCreating(false);
            setSecret(k);
            keys.reload();
          }}
        />
      ) : null}
      {editing ? <EditKey keyRow={editing} onDone={() => { setEditing(null); keys.reload(); }} /> : null}
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <Field label="Key alias" type="search" value={alias} onChange={(e) => { setAlias(e.currentTarget.value); setPage(1); }} />
        {session.user_role === "proxy_admin" || session.user_role === "proxy_admin_viewer" ? (
          <Field label="User id" type="search" value={userId} onChange={(e) => { setUserId(e.currentTarget.value); setPage(1); }} />
        ) : null}
        <Field label="Team id" type="search" value={teamId} onChange={(e) => { setTeamId(e.currentTarget.value); setPage(1); }} />
      </form>
      {busy ? <Notice>{busy}…</Notice> : null}
      <ErrorBox error={actionError} />
      <ErrorBox error={keys.error} />
      {keys.data ? (
        <>
          <table data-testid="keys-table" aria-busy={keys.loading}>
            <thead>
              <tr>
                <th scope="col">Key</th><th scope="col">Alias</th><th scope="col">Owner</th><th scope="col">Team</th>
                <th scope="col">Spend / budget</th><th scope="col">Limits</th><th scope="col">Expires</th><th scope="col">Status</th>
                <th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {keys.data.keys.map((k) => (
                <tr key={k.token} data-token={k.token}>
                  <td><code>{k.key_name}</code></td>
                  <td>{k.key_alias ?? "—"}</td>
                  <td><code class="small">{k.user_id ?? "—"}</code></td>
                  <td>{k.team_id ?? "—"}</td>
                  <td><SpendBar spend={k.spend} budget={k.max_budget} /></td>
                  <td class="small">{limits(k)}</td>
                  <td>{k.expires ? dateTime(k.expires) : "never"}</td>
                  <td>{k.blocked ? <span class="badge bad">Blocked</span> : <span class="badge ok">Active</span>}</td>
                  <td class="row-actions">
                    {canWrite ? (
                      <>
                        <button type="button" class="link" onClick={() => setEditing(k)}>Edit</button>
                        <button type="button" class="link" onClick={() => setDialog({ kind: "regenerate", key: k })}>Regenerate</button>
                        {isAdmin(session) ? (
                          <button type="button" class="link" onClick={() => act(k.blocked ? "Unblocking" : "Blocking", () => post(k.blocked ? "/key/unblock" : "/key/block", { key: k.token }).then(() => {}))}>
                            {k.blocked ? "Unblock" : "Block"}
                          </button>
                        ) : null}
                        <button type="button" class="link danger" onClick={() => setDialog({ kind: "delete", key: k })}>Delete</button>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {keys.data.keys.length === 0 ? <Notice>No keys match.</Notice> : null}
          <Pager page={page} totalPages={keys.data.total_pages} total={keys.data.total_count} onPage={setPage} label="keys" />
        </>
      ) : keys.loading ? <Loading what="keys" /> : null}
      {dialog?.kind === "delete" ? (
        <Confirm title="Delete key?" confirmLabel="Delete key" onCancel={() => setDialog(null)} onConfirm={onDialogConfirm}>
          <p>Key <code>{dialog.key.key_name}</code>{dialog.key.key_alias ? ` (${dialog.key.key_alias})` : ""} will stop working at once. This cannot be undone.</p>
        </Confirm>
      ) : dialog?.kind === "regenerate" ? (
        <Confirm title="Regenerate key?" confirmLabel="Regenerate" danger={false} onCancel={() => setDialog(null)} onConfirm={onDialogConfirm}>
          <p>Key <code>{dialog.key.key_name}</code> gets a new secret; the old one stops working. Settings and spend are kept.</p>
        </Confirm>
      ) : null}
    </section>
  );
}

function limits(k: Key): string {
  const parts = [
    k.rpm_limit !== null ? `${k.rpm_limit} rpm` : null,
    k.tpm_limit !== null ? `${k.tpm_limit} tpm` : null,
    k.max_parallel_requests !== null ? `${k.max_parallel_requests} parallel` : null,
    k.models.length ? `models: ${list(k.models)}` : null,
  ].filter(Boolean);
  return parts.length ? parts.join(" · ") : "—";
}

export function SpendBar({ spend, budget }: { spend: number; budget: number | null }) {
  if (budget === null) return <span>{usd(spend)} <span class="muted">/ no limit</span></span>;
  const ratio = budget > 0 ? Math.min(1, spend / budget) : 1;
  return (
    <div class="spend">
      <span>{usd(spend)} / {usd(budget)}</span>
      <meter min={0} max={1} low={0.7} high={0.9} optimum={0} value={ratio} aria-label={`${Math.round(ratio * 100)}% of budget used`} />
    </div>
  );
}

function CreateKey({ initialUserId, onCancel, onCreated }: { initialUserId: string; onCancel: () => void; onCreated: (key: string) => void }) {
  const [f, setF] = useState({
    key_alias: "", user_id: initialUserId, team_id: "", models: "", max_budget: "", budget_duration: "", duration: "",
    tpm_limit: "", rpm_limit: "", max_parallel_requests: "", tags: "", metadata: "",
  });
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const bind = (name: keyof typeof f) => ({ value: f[name], onInput: (e: Event) => setF({ ...f, [name]: (e.currentTarget as HTMLInputElement).value }) });
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      let metadata: unknown;
      if (f.metadata.trim()) {
        try {
          metadata = JSON.parse(f.metadata);
        } catch {
          throw new Error("Metadata must be a JSON object, e.g. {\"env\": \"prod\"}.");
        }
      }
      const r = await post<{ key: string }>("/key/generate", {
        key_alias: f.key_alias.trim() || undefined,
        user_id: f.user_id.trim() || undefined,
        team_id: f.team_id.trim() || undefined,
        models: csv(f.models).length ? csv(f.models) : undefined,
        max_budget: optionalNumber("Max budget", f.max_budget),
        budget_duration: f.budget_duration.trim() || undefined,
        duration: f.duration.trim() || undefined,
        tpm_limit: optionalNumber("TPM limit", f.tpm_limit),
        rpm_limit: optionalNumber("RPM limit", f.rpm_limit),
        max_parallel_requests: optionalNumber("Max parallel requests", f.max_parallel_requests),
        tags: csv(f.tags).length ? csv(f.tags) : undefined,
        metadata,
      });
      onCreated(r.key);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create key</h2>
      <div class="grid">
        <Field label="Key alias" {...bind("key_alias")} />
        <Field label="User id" hint="The owner; empty = you" {...bind("user_id")} />
        <Field label="Team id" {...bind("team_id")} />
        <Field label="Models" hint="Comma-separated; empty = all the owner may use" {...bind("models")} />
        <Field label="Max budget (USD)" inputMode="decimal" {...bind("max_budget")} />
        <Field label="Budget duration" hint="e.g. 30d, 1h; empty = never resets" {...bind("budget_duration")} />
        <Field label="Expires after" hint="Duration such as 30d; empty = never" {...bind("duration")} />
        <Field label="TPM limit" inputMode="numeric" {...bind("tpm_limit")} />
        <Field label="RPM limit" inputMode="numeric" {...bind("rpm_limit")} />
        <Field label="Max parallel requests" inputMode="numeric" {...bind("max_parallel_requests")} />
        <Field label="Tags" hint="Comma-separated" {...bind("tags")} />
        <Field label="Metadata" hint="JSON object" {...bind("metadata")} />
      </div>
      <ErrorBox error={error} />
      <FormActions onCancel={onCancel} submitLabel="Create key" busy={busy} busyLabel="Creating…" />
    </form>
  );
}

function EditKey({ keyRow, onDone }: { keyRow: Key; onDone: () => void }) {
  const [alias, setAlias] = useState(keyRow.key_alias ?? "");
  const [models, setModels] = useState(keyRow.models.join(", "));
  const [budget, setBudget] = useState(keyRow.max_budget === null ? "" : String(keyRow.max_budget));
  const [rpm, setRpm] = useState(keyRow.rpm_limit === null ? "" : String(keyRow.rpm_limit));
  const [tpm, setTpm] = useState(keyRow.tpm_limit === null ? "" : String(keyRow.tpm_limit));
  const [error, setError] = useState<unknown>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      const orNull = (v: number | undefined) => (v === undefined ? null : v);
      await post("/key/update", {
        key: keyRow.token,
        key_alias: alias.trim() || null,
        models: csv(models),
        max_budget: orNull(optionalNumber("Max budget", budget)),
        rpm_limit: orNull(optionalNumber("RPM limit", rpm)),
        tpm_limit: orNull(optionalNumber("TPM limit", tpm)),
      });
      onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="edit-key-title">
      <h2 id="edit-key-title">Edit key {keyRow.key_name}</h2>
      <div class="grid">
        <Field label="Key alias" value={alias} onInput={(e) => setAlias(e.currentTarget.value)} />
        <Field label="Models" hint="Comma-separated; empty = all" value={models} onInput={(e) => setModels(e.currentTarget.value)} />
        <Field label="Max budget (USD)" hint="Empty = no limit" value={budget} onInput={(e) => setBudget(e.currentTarget.value)} />
        <Field label="RPM limit" value={rpm} onInput={(e) => setRpm(e.currentTarget.value)} />
        <Field label="TPM limit" value={tpm} onInput={(e) => setTpm(e.currentTarget.value)} />
      </div>
      <ErrorBox error={error} />
      <FormActions onCancel={onDone} submitLabel="Save" />
    </form>
  );
}
