// The thinnest useful Bun proxy: the physical limit a gateway on Bun can approach on this machine.
// It does what any gateway must do and nothing else: look the bearer key up in a Map, read the
// body as bytes, forward it with fetch, and stream the upstream's body back untouched.
// Same logic as "bun-raw" in ../shared/reference/perf-anchors.md.
// Run: bun bench/baseline-proxy.ts --port N --upstream http://127.0.0.1:M --key sk-...

function arg(name: string): string | undefined {
  const i = Bun.argv.indexOf(name);
  return i > 0 ? Bun.argv[i + 1] : undefined;
}

/** How the upstream's answer goes back to the client: the baseline streams its body back untouched. */
export type Respond = (res: Response) => Response | Promise<Response>;

const pipeBack: Respond = (res) => new Response(res.body, { status: res.status, headers: { "content-type": res.headers.get("content-type") ?? "application/json" } });

export function startBaselineProxy(opts: { port: number; upstream: string; keys: readonly string[] }, respond: Respond = pipeBack) {
  const keys = new Map(opts.keys.map((k) => [`Bearer ${k}`, true]));
  const upstream = opts.upstream.replace(/\/$/, "");
  return Bun.serve({
    hostname: "127.0.0.1",
    port: opts.port,
    idleTimeout: 0,
    async fetch(req) {
      if (!keys.has(req.headers.get("authorization") ?? "")) {
        return Response.json({ error: { message: "invalid key", type: "auth_error", param: null, code: "401" } }, { status: 401 });
      }
      const url = new URL(req.url);
      const body = req.method === "GET" || req.method === "HEAD" ? undefined : await req.arrayBuffer();
      const res = await fetch(upstream + url.pathname + url.search, {
        method: req.method,
        headers: { "content-type": req.headers.get("content-type") ?? "application/json", authorization: "Bearer sk-fake" },
        body,
      });
      return respond(res);
    },
  });
}

if (import.meta.main) {
  const upstream = arg("--upstream");
  const key = arg("--key");
  if (!upstream || !key) {
    process.stderr.write("usage: bun bench/baseline-proxy.ts --port N --upstream URL --key KEY\n");
    process.exit(2);
  }
  const server = startBaselineProxy({ port: Number(arg("--port") ?? 0), upstream, keys: [key] });
  process.stdout.write(`baseline-proxy listening on 127.0.0.1:${server.port}\n`);
}
