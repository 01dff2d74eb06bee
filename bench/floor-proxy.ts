// What a gateway that reads the usage of each answer costs at least on Bun, with no gateway logic
// at all: the floor under Tollgate's figures, next to the baseline's pipe. Same key check and
// upstream call as baseline-proxy.ts; only the way the answer comes back differs.
//   --observe read  the body is read in JavaScript (a reader and a TextDecoder, as a gateway must
//                   to find the usage) and each piece written to a direct stream; a JSON answer is
//                   read as text and parsed. This is the path Tollgate's streams take.
//   --observe tee   the body is tee'd: one branch piped to the client natively, the other read in
//                   JavaScript.
// Run: bun bench/floor-proxy.ts --port N --upstream URL --key KEY --observe read|tee

type Observe = "read" | "tee";

const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };
const JSON_HEADERS = { "content-type": "application/json" };

/** Reads a body to its end in JavaScript, decoding it as a gateway scanning for usage would. */
async function readThrough(body: ReadableStream<Uint8Array>, onText: (text: string) => unknown = () => {}): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  for (let r = await reader.read(); !r.done; r = await reader.read()) await onText(decoder.decode(r.value, { stream: true }));
}

function streamBack(res: Response, observe: Observe): Response {
  if (observe === "tee") {
    const [client, observed] = res.body!.tee();
    void readThrough(observed).catch(() => {});
    return new Response(client, { headers: SSE_HEADERS });
  }
  const body = res.body!;
  const direct = {
    type: "direct",
    async pull(controller: { write(text: string): unknown; close(): void }) {
      await readThrough(body, (text) => controller.write(text));
      controller.close();
    },
  };
  return new Response(new ReadableStream(direct as unknown as UnderlyingDefaultSource<Uint8Array>), { headers: SSE_HEADERS });
}

export function startFloorProxy(opts: { port: number; upstream: string; keys: readonly string[]; observe: Observe }) {
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
      if (res.headers.get("content-type")?.startsWith("text/event-stream")) return streamBack(res, opts.observe);
      const text = await res.text();
      if (res.headers.get("content-type")?.includes("json")) JSON.parse(text);
      return new Response(text, { status: res.status, headers: JSON_HEADERS });
    },
  });
}

if (import.meta.main) {
  const arg = (name: string) => {
    const i = Bun.argv.indexOf(name);
    return i > 0 ? Bun.argv[i + 1] : undefined;
  };
  const upstream = arg("--upstream");
  const key = arg("--key");
  const observe = arg("--observe");
  if (!upstream || !key || (observe !== "read" && observe !== "tee")) {
    process.stderr.write("usage: bun bench/floor-proxy.ts --port N --upstream URL --key KEY --observe read|tee\n");
    process.exit(2);
  }
  const server = startFloorProxy({ port: Number(arg("--port") ?? 0), upstream, keys: [key], observe });
  process.stdout.write(`floor-proxy (${observe}) listening on 127.0.0.1:${server.port}\n`);
}
