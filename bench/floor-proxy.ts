// What a gateway that reads the usage of each answer costs at least on Bun, with no gateway logic
// at all: the floor under Tollgate's figures, next to the baseline's pipe. It is baseline-proxy.ts
// (same key check, same upstream call) with only the way the answer comes back changed:
//   --observe read  the body is read in JavaScript (a reader and a TextDecoder, as a gateway must
//                   to find the usage) and each piece written to a direct stream; a JSON answer is
//                   read as text and parsed. This is the path Tollgate's streams take.
//   --observe tee   the body is tee'd: one branch piped to the client natively, the other read in
//                   JavaScript.
// Run: bun bench/floor-proxy.ts --port N --upstream URL --key KEY --observe read|tee
import { type Respond, startBaselineProxy } from "./baseline-proxy.ts";

export type Observe = "read" | "tee";

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

const observing =
  (observe: Observe): Respond =>
  async (res) => {
    const type = res.headers.get("content-type") ?? "";
    if (type.startsWith("text/event-stream")) return streamBack(res, observe);
    const text = await res.text();
    if (type.includes("json")) JSON.parse(text);
    return new Response(text, { status: res.status, headers: JSON_HEADERS });
  };

export function startFloorProxy(opts: { port: number; upstream: string; keys: readonly string[]; observe: Observe }) {
  return startBaselineProxy(opts, observing(opts.observe));
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
