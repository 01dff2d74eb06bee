// Models: deployments from /model/info (provider, context, prices), health from /health, and
// runtime models through /model/new|update|delete when the gateway serves them.
import { useState } from "preact/hooks";
import { ApiError, get, post } from "../api.ts";
import { Confirm } from "../components/confirm.tsx";
import { Field } from "../components/field.tsx";
import { ErrorBox, Loading, NotAvailable, Notice } from "../components/notice.tsx";
import { useLoad } from "../components/use-load.ts";
import { count } from "../format.ts";
import { isAdmin, useSession } from "../session.ts";
import { FormActions } from "../components/form-actions.tsx";

interface Deployment {
  model_name: string;
  litellm_params: { model?: string; api_base?: string; [k: string]: unknown };
  model_info: {
    id?: string;
    db_model?: boolean;
    litellm_provider?: string;
    mode?: string;
    max_input_tokens?: number | null;
    input_cost_per_token?: number | null;
    output_cost_per_token?: number | null;
  };
}

interface Health {
  healthy_endpoints: { model?: string; api_base?: string }[];
  unhealthy_endpoints: { model?: string; api_base?: string; error?: string }[];
}

const perMillion = (v: number | null | undefined) => (v === null || v === undefined ? "—" : `$${(v * 1e6).toLocaleString(undefined, { maximumFractionDigits: 4 })}`);

export function ModelsPage() {
  const session = useSession();
  const models = useLoad(() => get<{ data: Deployment[] }>("/model/info"), []);
  const [health, setHealth] = useState<{ loading: boolean; data?: Health; error?: unknown }>({ loading: false });
  const [adding, setAdding] = useState(false);
  const [deleting, setDeleting] = useState<Deployment | null>(null);
  const [actionError, setActionError] = useState<unknown>();
  const admin = isAdmin(session);

  const checkHealth = async () => {
    setHealth({ loading: true });
    try {
      setHealth({ loading: false, data: await get<Health>("/health") });
    } catch (error) {
      setHealth({ loading: false, error });
    }
  };
  const healthOf = (d: Deployment): string => {
    if (!health.data) return "not checked";
    const model = d.litellm_params.model;
    if (health.data.unhealthy_endpoints.some((e) => e.model === model)) return "unhealthy";
    if (health.data.healthy_endpoints.some((e) => e.model === model)) return "healthy";
    return "unknown";
  };
  const remove = async (d: Deployment) => {
    setDeleting(null);
    setActionError(undefined);
    try {
      await post("/model/delete", { id: d.model_info.id });
      models.reload();
    } catch (err) {
      setActionError(err instanceof ApiError && err.missingRoute ? new Error("Deleting models is not available yet: this gateway does not serve /model/delete.") : err);
    }
  };

  return (
    <section aria-labelledby="models-title">
      <header class="page-head">
        <h1 id="models-title">Models</h1>
        <div class="actions">
          {admin ? <button type="button" class="secondary" onClick={checkHealth} disabled={health.loading}>{health.loading ? "Checking health…" : "Check health"}</button> : null}
          {admin ? <button type="button" onClick={() => setAdding(true)}>Add model</button> : null}
        </div>
      </header>
      {health.error instanceof ApiError && health.error.missingRoute ? <NotAvailable what="Health checks" route="/health" /> : <ErrorBox error={health.error} />}
      {adding ? <AddModel onDone={() => { setAdding(false); models.reload(); }} /> : null}
      <ErrorBox error={actionError} />
      <ErrorBox error={models.error} />
      {models.data ? (
        <>
          <table>
            <thead>
              <tr><th scope="col">Model name</th><th scope="col">Provider</th><th scope="col">Upstream model</th><th scope="col">Context</th><th scope="col">Input / 1M tokens</th><th scope="col">Output / 1M tokens</th><th scope="col">Health</th><th scope="col"><span class="sr-only">Actions</span></th></tr>
            </thead>
            <tbody>
              {models.data.data.map((d, i) => (
                <tr key={d.model_info.id ?? `${d.model_name}-${i}`}>
                  <td>{d.model_name}</td>
                  <td>{d.model_info.litellm_provider ?? d.litellm_params.model?.split("/")[0] ?? "—"}</td>
                  <td><code class="small">{d.litellm_params.model ?? "—"}</code></td>
                  <td>{count(d.model_info.max_input_tokens)}</td>
                  <td>{perMillion(d.model_info.input_cost_per_token)}</td>
                  <td>{perMillion(d.model_info.output_cost_per_token)}</td>
                  <td>{healthOf(d)}</td>
                  <td class="row-actions">{admin && d.model_info.db_model ? <button type="button" class="link danger" onClick={() => setDeleting(d)}>Delete</button> : <span class="muted small">{d.model_info.db_model ? "" : "config file"}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {models.data.data.length === 0 ? <Notice>No models: add a model_list to config.yaml{admin ? " or add one here" : ""}.</Notice> : null}
        </>
      ) : models.loading ? <Loading what="models" /> : null}
      {deleting ? (
        <Confirm title="Delete model?" confirmLabel="Delete model" onCancel={() => setDeleting(null)} onConfirm={() => remove(deleting)}>
          <p>Deployment {deleting.model_name} ({deleting.litellm_params.model}) stops serving at once.</p>
        </Confirm>
      ) : null}
    </section>
  );
}

function AddModel({ onDone }: { onDone: () => void }) {
  const [f, setF] = useState({ model_name: "", model: "", api_base: "", api_key: "", input: "", output: "" });
  const [error, setError] = useState<unknown>();
  const bind = (name: keyof typeof f) => ({ value: f[name], onInput: (e: Event) => setF({ ...f, [name]: (e.currentTarget as HTMLInputElement).value }) });
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      const perToken = (label: string, raw: string) => {
        const v = raw.trim() === "" ? undefined : Number(raw);
        if (v !== undefined && !Number.isFinite(v)) throw new Error(`${label} must be a number.`);
        return v === undefined ? undefined : v / 1e6;
      };
      await post("/model/new", {
        model_name: f.model_name.trim(),
        litellm_params: { model: f.model.trim(), api_base: f.api_base.trim() || undefined, api_key: f.api_key || undefined },
        model_info: { input_cost_per_token: perToken("Input price", f.input), output_cost_per_token: perToken("Output price", f.output) },
      });
      onDone();
    } catch (err) {
      setError(err instanceof ApiError && err.missingRoute ? new Error("Adding models is not available yet: this gateway does not serve /model/new.") : err);
    }
  };
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="add-model-title">
      <h2 id="add-model-title">Add model</h2>
      <div class="grid">
        <Field label="Model name" hint="What callers ask for" required {...bind("model_name")} />
        <Field label="Upstream model" hint="provider/model, e.g. openai/gpt-4o" required {...bind("model")} />
        <Field label="API base" {...bind("api_base")} />
        <Field label="API key" type="password" autoComplete="off" hint="Stored encrypted; never shown again" {...bind("api_key")} />
        <Field label="Input price (USD / 1M tokens)" {...bind("input")} />
        <Field label="Output price (USD / 1M tokens)" {...bind("output")} />
      </div>
      <ErrorBox error={error} />
      <FormActions onCancel={onDone} submitLabel="Add model" />
    </form>
  );
}
