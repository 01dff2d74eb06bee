// Playground: a chat call with the session or a pasted key, streamed as it arrives, with the
// call's cost and latency.
import { useState } from "preact/hooks";
import { currentCsrf, errorOf, get } from "../api.ts";
import { Field, SelectField } from "../components/field.tsx";
import { ErrorBox, Notice } from "../components/notice.tsx";
import { useLoad } from "../components/use-load.ts";
import { usd } from "../format.ts";
import { sseData } from "../sse.ts";

interface ModelInfo {
  model_name: string;
  model_info?: { input_cost_per_token?: number | null; output_cost_per_token?: number | null };
}

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

interface Result {
  costUsd: number | null;
  costSource: "gateway" | "model prices" | null;
  firstTokenMs: number | null;
  totalMs: number;
  gatewayMs: number | null;
  usage: Usage | null;
}

export function PlaygroundPage() {
  const [source, setSource] = useState<"session" | "key">("session");
  const [pasted, setPasted] = useState("");
  const [model, setModel] = useState("");
  const [message, setMessage] = useState("Hello!");
  const [stream, setStream] = useState(true);
  const [answer, setAnswer] = useState("");
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const auth = (): Record<string, string> => (source === "key" && pasted.trim() ? { authorization: `Bearer ${pasted.trim()}` } : {});
  const keyReady = source === "session" || pasted.trim().startsWith("sk-");
  const models = useLoad(async () => {
    if (!keyReady) return { data: [] as { id: string }[] };
    const res = await fetch("/v1/models", { headers: auth(), credentials: "same-origin" });
    if (!res.ok) throw await errorOf(res);
    return (await res.json()) as { data: { id: string }[] };
  }, [source, keyReady ? pasted : ""]);
  const prices = useLoad(() => get<{ data: ModelInfo[] }>("/model/info").catch(() => ({ data: [] as ModelInfo[] })), []);
  const chosen = model || models.data?.data[0]?.id || "";

  const send = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setAnswer("");
    setResult(null);
    const started = performance.now();
    let firstTokenMs: number | null = null;
    try {
      // The session cookie rides along when no key is pasted; the CSRF header is what makes a
      // cookie-authenticated POST acceptable.
      const headers: Record<string, string> = { "content-type": "application/json", ...auth() };
      if (!headers.authorization) headers["x-csrf-token"] = currentCsrf();
      const res = await fetch("/v1/chat/completions", {
        method: "POST",
        credentials: "same-origin",
        headers,
        body: JSON.stringify({
          model: chosen,
          messages: [{ role: "user", content: message }],
          stream,
          ...(stream ? { stream_options: { include_usage: true } } : {}),
        }),
      });
      if (!res.ok) throw await errorOf(res);
      const gatewayMs = numberHeader(res, "x-litellm-response-duration-ms");
      const headerCost = numberHeader(res, "x-litellm-response-cost");
      let usage: Usage | null = null;
      let text = "";
      if (stream && res.body) {
        for await (const data of sseData(res.body)) {
          const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string | null } }[]; usage?: Usage | null; error?: { message: string } };
          if (chunk.error) throw new Error(chunk.error.message);
          const piece = chunk.choices?.[0]?.delta?.content;
          if (piece) {
            firstTokenMs ??= performance.now() - started;
            text += piece;
            setAnswer(text);
          }
          if (chunk.usage) usage = chunk.usage;
        }
      } else {
        const body = (await res.json()) as { choices: { message: { content: string | null } }[]; usage?: Usage };
        text = body.choices[0]?.message.content ?? "";
        setAnswer(text);
        usage = body.usage ?? null;
      }
      // A stream's headers leave before its cost is known; then the cost is the model's prices × tokens.
      const estimate = usage ? costFromPrices(prices.data?.data ?? [], chosen, usage) : null;
      setResult({
        costUsd: headerCost ?? estimate,
        costSource: headerCost !== null ? "gateway" : estimate !== null ? "model prices" : null,
        firstTokenMs,
        totalMs: performance.now() - started,
        gatewayMs,
        usage,
      });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="pg-title">
      <header class="page-head"><h1 id="pg-title">Playground</h1></header>
      <form class="panel" onSubmit={send}>
        <div class="grid">
          <SelectField label="Key" value={source} onChange={(e) => setSource(e.currentTarget.value as "session" | "key")}>
            <option value="session">This session</option>
            <option value="key">A virtual key (paste)</option>
          </SelectField>
          {source === "key" ? (
            <Field label="Virtual key" type="password" placeholder="sk-…" autoComplete="off" value={pasted} onInput={(e) => setPasted(e.currentTarget.value)} />
          ) : null}
          <SelectField label="Model" value={chosen} onChange={(e) => setModel(e.currentTarget.value)} disabled={!models.data?.data.length}>
            {(models.data?.data ?? []).map((m) => <option key={m.id} value={m.id}>{m.id}</option>)}
          </SelectField>
          <label class="field checkbox">
            <input type="checkbox" checked={stream} onChange={(e) => setStream(e.currentTarget.checked)} />
            <span>Stream the answer</span>
          </label>
        </div>
        <ErrorBox error={models.error} />
        {models.data && models.data.data.length === 0 && keyReady ? <Notice kind="warn">This key may use no models.</Notice> : null}
        <div class="field">
          <label for="pg-message">Message</label>
          <textarea id="pg-message" rows={4} value={message} onInput={(e) => setMessage(e.currentTarget.value)} required />
        </div>
        <div class="actions">
          <button type="submit" disabled={busy || !chosen || !keyReady}>{busy ? "Sending…" : "Send"}</button>
        </div>
      </form>
      <ErrorBox error={error} />
      <section class="panel" aria-labelledby="answer-title" aria-busy={busy}>
        <h2 id="answer-title">Answer</h2>
        <p class="answer" data-testid="answer" aria-live="polite">{answer || <span class="muted">{busy ? "Waiting for the first token…" : "Send a message to see the answer here."}</span>}</p>
        {result ? (
          <dl class="stats" data-testid="call-stats">
            <div><dt>Cost</dt><dd data-testid="cost">{result.costUsd === null ? "unknown" : usd(result.costUsd)}{result.costSource ? <span class="muted"> ({result.costSource})</span> : null}</dd></div>
            <div><dt>Total latency</dt><dd data-testid="latency">{Math.round(result.totalMs)} ms</dd></div>
            {result.firstTokenMs !== null ? <div><dt>First token</dt><dd>{Math.round(result.firstTokenMs)} ms</dd></div> : null}
            {result.gatewayMs !== null ? <div><dt>Gateway (to first byte)</dt><dd>{Math.round(result.gatewayMs)} ms</dd></div> : null}
            {result.usage ? <div><dt>Tokens</dt><dd>{result.usage.prompt_tokens} in · {result.usage.completion_tokens} out</dd></div> : null}
          </dl>
        ) : null}
      </section>
    </section>
  );
}

function numberHeader(res: Response, name: string): number | null {
  const v = res.headers.get(name);
  const n = v === null ? NaN : Number(v);
  return Number.isFinite(n) ? n : null;
}

function costFromPrices(models: ModelInfo[], name: string, usage: Usage): number | null {
  const info = models.find((m) => m.model_name === name)?.model_info;
  if (!info || info.input_cost_per_token == null || info.output_cost_per_token == null) return null;
  return usage.prompt_tokens * info.input_cost_per_token + usage.completion_tokens * info.output_cost_per_token;
}
