// Audit Logs (LiteLLM's Logs → Audit Logs): who changed which key, user, team or model, newest
// first, filtered and paged by the server (GET /audit); a row opens to the fields that changed.
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { ApiError, get } from "../api.ts";
import { SelectField, Field } from "../components/field.tsx";
import { ErrorBox, Loading, NotAvailable, Notice } from "../components/notice.tsx";
import { Pager } from "../components/pager.tsx";
import { useLoad } from "../components/use-load.ts";
import { dateTime } from "../format.ts";

type Value = Record<string, unknown> | null;

interface AuditEntry {
  id: string;
  updated_at: string;
  changed_by: string;
  changed_by_api_key: string;
  action: string;
  table_name: string;
  object_id: string;
  before_value: Value;
  updated_values: Value;
}

interface AuditPage {
  audit_logs: AuditEntry[];
  total: number;
  page: number;
  total_pages: number;
}

const OBJECTS: [string, string][] = [
  ["", "All objects"],
  ["LiteLLM_VerificationToken", "Keys"],
  ["LiteLLM_UserTable", "Users"],
  ["LiteLLM_TeamTable", "Teams"],
  ["LiteLLM_ProxyModelTable", "Models"],
];
const ACTIONS = ["", "created", "updated", "deleted", "blocked", "rotated"];
const PAGE_SIZE = 25;
const objectLabel = (table: string) => OBJECTS.find(([t]) => t === table)?.[1].replace(/s$/, "") ?? table;

/** The fields whose values differ between before and after (every field of a creation or deletion). */
export function changedFields(before: Value, after: Value): { field: string; was: unknown; now: unknown }[] {
  const fields = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  const out: { field: string; was: unknown; now: unknown }[] = [];
  for (const field of fields) {
    const was = before?.[field];
    const now = after?.[field];
    if (JSON.stringify(was) !== JSON.stringify(now)) out.push({ field, was, now });
  }
  return out;
}

const shown = (v: unknown) => (v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));

export function AuditPage() {
  const [table, setTable] = useState("");
  const [action, setAction] = useState("");
  const [objectId, setObjectId] = useState("");
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const logs = useLoad(() => {
    const q = new URLSearchParams({ page: String(page), page_size: String(PAGE_SIZE) });
    if (table) q.set("table_name", table);
    if (action) q.set("action", action);
    if (objectId.trim()) q.set("object_id", objectId.trim());
    return get<AuditPage>(`/audit?${q}`);
  }, [table, action, objectId, page]);
  const filter = (set: (v: string) => void) => (e: Event) => {
    set((e.currentTarget as HTMLInputElement).value);
    setPage(1);
  };

  return (
    <section aria-labelledby="audit-title">
      <header class="page-head"><h1 id="audit-title">Audit Logs</h1></header>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Audit filters">
        <SelectField label="Object" value={table} onChange={filter(setTable)}>
          {OBJECTS.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
        </SelectField>
        <SelectField label="Action" value={action} onChange={filter(setAction)}>
          {ACTIONS.map((a) => <option key={a} value={a}>{a || "All actions"}</option>)}
        </SelectField>
        <Field label="Object id" value={objectId} placeholder="hash or id" onChange={filter(setObjectId)} />
      </form>
      {logs.error instanceof ApiError && logs.error.missingRoute ? <NotAvailable what="Audit logs" route="/audit" /> : <ErrorBox error={logs.error} />}
      {logs.data ? (
        <>
          <table data-testid="audit-table">
            <thead>
              <tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Object</th><th scope="col">Id</th><th scope="col">Changed by</th><th scope="col"><span class="sr-only">Details</span></th></tr>
            </thead>
            <tbody>
              {logs.data.audit_logs.map((e) => (
                <Fragment key={e.id}>
                  <tr>
                    <td>{dateTime(e.updated_at)}</td>
                    <td>{e.action}</td>
                    <td>{objectLabel(e.table_name)}</td>
                    <td><code class="small">{e.object_id.length > 24 ? `${e.object_id.slice(0, 10)}…${e.object_id.slice(-6)}` : e.object_id}</code></td>
                    <td>{e.changed_by || "—"}</td>
                    <td class="row-actions">
                      <button type="button" class="link" aria-expanded={open === e.id} onClick={() => setOpen(open === e.id ? null : e.id)}>{open === e.id ? "Hide changes" : "Changes"}</button>
                    </td>
                  </tr>
                  {open === e.id ? (
                    <tr>
                      <td colSpan={6}>
                        <table class="changes" aria-label="Changed fields">
                          <thead><tr><th scope="col">Field</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
                          <tbody>
                            {changedFields(e.before_value, e.action === "deleted" ? null : e.updated_values).map((c) => (
                              <tr key={c.field}><td>{c.field}</td><td><code class="small">{shown(c.was)}</code></td><td><code class="small">{shown(c.now)}</code></td></tr>
                            ))}
                          </tbody>
                        </table>
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
          {logs.data.total === 0 ? (
            <Notice>No changes recorded{table || action || objectId ? " for these filters" : ""}. Changes are recorded only while litellm_settings.store_audit_logs is true in config.yaml.</Notice>
          ) : null}
          <Pager page={page} totalPages={logs.data.total_pages} total={logs.data.total} onPage={setPage} label="changes" />
        </>
      ) : logs.loading ? <Loading what="audit logs" /> : null}
    </section>
  );
}
