// Usage: spend and tokens day by day (LiteLLM's /user|team/daily/activity), grouped by model, key
// or team; spend so far per key; and request logs (/spend/logs) with filters and pages.
import { useMemo, useState } from "preact/hooks";
import { ApiError, get } from "../api.ts";
import { DailyChart } from "../components/chart.tsx";
import { Field, SelectField } from "../components/field.tsx";
import { ErrorBox, Loading, NotAvailable, Notice } from "../components/notice.tsx";
import { Pager } from "../components/pager.tsx";
import { useLoad } from "../components/use-load.ts";
import { count, dateTime, usd } from "../format.ts";
import { SpendBar, type Key } from "./keys.tsx";

interface Metrics {
  spend: number;
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  api_requests?: number;
  successful_requests?: number;
  failed_requests?: number;
}

interface DailyActivity {
  results: { date: string; metrics: Metrics; breakdown?: Record<string, Record<string, { metrics?: Metrics } & Partial<Metrics>>> }[];
  metadata?: { total_spend?: number; total_tokens?: number; total_api_requests?: number };
}

interface SpendLog {
  request_id: string;
  call_id: string;
  api_key?: string;
  model?: string;
  model_group?: string;
  spend?: number;
  total_tokens?: number;
  prompt_tokens?: number;
  completion_tokens?: number;
  startTime?: string;
  endTime?: string;
  user?: string;
  team_id?: string;
  status?: string;
  metadata?: { user_api_key_alias?: string; status?: string };
}

type LogPage = { rows: SpendLog[]; total: number | null; totalPages: number | null; paged: boolean };

const day = (d: Date) => d.toISOString().slice(0, 10);

function daysBetween(start: string, end: string): string[] {
  const out: string[] = [];
  const last = Date.parse(`${end}T00:00:00Z`);
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= last && out.length < 1000; t += 86_400_000) out.push(day(new Date(t)));
  return out;
}
const GROUPS = [["models", "Model"], ["api_keys", "Key"], ["teams", "Team"]] as const;
const LOG_PAGE = 25;

export function UsagePage() {
  const today = new Date();
  const [start, setStart] = useState(day(new Date(today.getTime() - 29 * 86_400_000)));
  const [end, setEnd] = useState(day(today));
  return (
    <section aria-labelledby="usage-title">
      <header class="page-head"><h1 id="usage-title">Usage</h1></header>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Date range">
        <Field label="From" type="date" value={start} max={end} onChange={(e) => setStart(e.currentTarget.value)} />
        <Field label="To" type="date" value={end} min={start} onChange={(e) => setEnd(e.currentTarget.value)} />
      </form>
      <DailySpend start={start} end={end} />
      <KeySpend />
      <RequestLogs start={start} end={end} />
    </section>
  );
}

function DailySpend({ start, end }: { start: string; end: string }) {
  const [scope, setScope] = useState<"user" | "team">("user");
  const [group, setGroup] = useState<(typeof GROUPS)[number][0]>("models");
  const activity = useLoad(
    () => get<DailyActivity>(`/${scope}/daily/activity`, { start_date: start, end_date: end, page_size: 1000 }),
    [scope, start, end],
  );
  // Every day of the range, zero where nothing happened: the axis spans the chosen dates.
  const days = useMemo(() => daysBetween(start, end), [start, end]);
  const series = useMemo(() => {
    const byDay = new Map((activity.data?.results ?? []).map((r) => [r.date.slice(0, 10), r.metrics]));
    return [
      { name: "Spend (USD)", values: days.map((d) => byDay.get(d)?.spend ?? 0), format: (v: number) => usd(v) },
      { name: "Tokens", values: days.map((d) => byDay.get(d)?.total_tokens ?? 0) },
    ];
  }, [activity.data, days]);
  const grouped = useMemo(() => {
    const totals = new Map<string, Metrics>();
    for (const r of activity.data?.results ?? []) {
      for (const [name, entry] of Object.entries(r.breakdown?.[group] ?? {})) {
        const m = entry.metrics ?? (entry as Metrics);
        const t = totals.get(name) ?? { spend: 0, total_tokens: 0, api_requests: 0 };
        t.spend += m.spend ?? 0;
        t.total_tokens = (t.total_tokens ?? 0) + (m.total_tokens ?? 0);
        t.api_requests = (t.api_requests ?? 0) + (m.api_requests ?? 0);
        totals.set(name, t);
      }
    }
    return [...totals.entries()].sort((a, b) => b[1].spend - a[1].spend);
  }, [activity.data, group]);

  const missing = activity.error instanceof ApiError && activity.error.missingRoute;
  return (
    <section class="panel" aria-labelledby="daily-title">
      <h2 id="daily-title">Spend and tokens per day</h2>
      <div class="filters">
        <SelectField label="Whose activity" value={scope} onChange={(e) => setScope(e.currentTarget.value as "user" | "team")}>
          <option value="user">Users (yours, or everyone's for admins)</option>
          <option value="team">Teams</option>
        </SelectField>
        <SelectField label="Group by" value={group} onChange={(e) => setGroup(e.currentTarget.value as typeof group)}>
          {GROUPS.map(([g, label]) => <option key={g} value={g}>{label}</option>)}
        </SelectField>
      </div>
      {missing ? <NotAvailable what="Daily activity" route={`/${scope}/daily/activity`} /> : <ErrorBox error={activity.error} />}
      {activity.loading && !activity.data ? <Loading what="daily activity" /> : null}
      {activity.data ? (
        <>
          <p>
            Total: <strong>{usd(activity.data.metadata?.total_spend ?? series[0]!.values.reduce((a, b) => a + b, 0))}</strong>
            {" · "}{count(activity.data.metadata?.total_tokens ?? series[1]!.values.reduce((a, b) => a + b, 0))} tokens
          </p>
          {activity.data.results.length ? <DailyChart days={days} series={series} label={`Spend and tokens per day from ${start} to ${end}`} /> : <Notice>No activity in this range.</Notice>}
          {grouped.length ? (
            <table>
              <thead><tr><th scope="col">{GROUPS.find(([g]) => g === group)![1]}</th><th scope="col">Spend</th><th scope="col">Tokens</th><th scope="col">Requests</th></tr></thead>
              <tbody>
                {grouped.map(([name, m]) => (
                  <tr key={name}><td><code class="small">{name}</code></td><td>{usd(m.spend)}</td><td>{count(m.total_tokens)}</td><td>{count(m.api_requests)}</td></tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function KeySpend() {
  const [page, setPage] = useState(1);
  const keys = useLoad(
    () => get<{ keys: Key[]; total_count: number; total_pages: number }>("/key/list", { return_full_object: "true", page, size: 10 }),
    [page],
  );
  return (
    <section class="panel" aria-labelledby="keyspend-title">
      <h2 id="keyspend-title">Spend to date per key</h2>
      <ErrorBox error={keys.error} />
      {keys.data ? (
        <>
          <table data-testid="key-spend">
            <thead><tr><th scope="col">Key</th><th scope="col">Alias</th><th scope="col">Owner</th><th scope="col">Spend / budget</th></tr></thead>
            <tbody>
              {keys.data.keys.map((k) => (
                <tr key={k.token}><td><code>{k.key_name}</code></td><td>{k.key_alias ?? "—"}</td><td><code class="small">{k.user_id ?? "—"}</code></td><td><SpendBar spend={k.spend} budget={k.max_budget} /></td></tr>
              ))}
            </tbody>
          </table>
          <Pager page={page} totalPages={keys.data.total_pages} total={keys.data.total_count} onPage={setPage} label="keys" />
        </>
      ) : keys.loading ? <Loading what="key spend" /> : null}
    </section>
  );
}

async function loadLogs(q: Record<string, string | number>): Promise<LogPage> {
  // LiteLLM's paginated UI variant first; the plain /spend/logs list otherwise.
  try {
    const r = await get<{ data: SpendLog[]; total: number; total_pages: number }>("/spend/logs/ui", q);
    return { rows: r.data, total: r.total, totalPages: r.total_pages, paged: true };
  } catch (err) {
    if (!(err instanceof ApiError && err.missingRoute)) throw err;
  }
  const rows = await get<SpendLog[] | { data: SpendLog[] }>("/spend/logs", { ...q, summarize: "false" });
  const list = Array.isArray(rows) ? rows : rows.data;
  return { rows: list, total: list.length, totalPages: null, paged: false };
}

function RequestLogs({ start, end }: { start: string; end: string }) {
  const [page, setPage] = useState(1);
  const [apiKey, setApiKey] = useState("");
  const [model, setModel] = useState("");
  const [status, setStatus] = useState("");
  const logs = useLoad(
    () => loadLogs({ start_date: start, end_date: end, api_key: apiKey, model, status_filter: status, page, page_size: LOG_PAGE }),
    [start, end, apiKey, model, status, page],
  );
  const missing = logs.error instanceof ApiError && logs.error.missingRoute;
  const rows = logs.data ? (logs.data.paged ? logs.data.rows : logs.data.rows.slice((page - 1) * LOG_PAGE, page * LOG_PAGE)) : [];
  const totalPages = logs.data ? (logs.data.totalPages ?? Math.max(1, Math.ceil(logs.data.rows.length / LOG_PAGE))) : 1;
  return (
    <section class="panel" aria-labelledby="logs-title">
      <h2 id="logs-title">Request logs</h2>
      <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <Field label="Key (sk-… or hash)" type="search" value={apiKey} onChange={(e) => { setApiKey(e.currentTarget.value); setPage(1); }} />
        <Field label="Model" type="search" value={model} onChange={(e) => { setModel(e.currentTarget.value); setPage(1); }} />
        <SelectField label="Status" value={status} onChange={(e) => { setStatus(e.currentTarget.value); setPage(1); }}>
          <option value="">Any</option>
          <option value="success">Success</option>
          <option value="failure">Failure</option>
        </SelectField>
      </form>
      {missing ? <NotAvailable what="Request logs" route="/spend/logs" /> : <ErrorBox error={logs.error} />}
      {logs.loading && !logs.data ? <Loading what="request logs" /> : null}
      {logs.data ? (
        <>
          <table data-testid="logs-table">
            <thead><tr><th scope="col">Time</th><th scope="col">Status</th><th scope="col">Model</th><th scope="col">Key</th><th scope="col">Tokens</th><th scope="col">Cost</th><th scope="col">Duration</th></tr></thead>
            <tbody>
              {rows.map((l) => (
                <tr key={l.call_id}>
                  <td>{dateTime(l.startTime)}</td>
                  <td>{(l.status ?? l.metadata?.status) === "failure" ? <span class="badge bad">failure</span> : <span class="badge ok">success</span>}</td>
                  <td>{l.model_group || l.model || "—"}</td>
                  <td>{l.metadata?.user_api_key_alias ?? <code class="small">{l.api_key?.slice(0, 10) ?? "—"}</code>}</td>
                  <td>{count(l.total_tokens)}</td>
                  <td>{usd(l.spend)}</td>
                  <td>{l.startTime && l.endTime ? `${Date.parse(l.endTime) - Date.parse(l.startTime)} ms` : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.length === 0 ? <Notice>No requests match.</Notice> : null}
          <Pager page={page} totalPages={totalPages} total={logs.data.total ?? undefined} onPage={setPage} label="requests" />
        </>
      ) : null}
    </section>
  );
}
