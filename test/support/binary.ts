// Builds the compiled binary exactly as `bun run build` does (same flags, read from package.json),
// into a temp path so concurrent runs never share an output file, and runs it as users do.
import path from "node:path";
import { mkdirSync } from "node:fs";
import pkg from "../../package.json" with { type: "json" };
import { tempPath } from "./harness.ts";

const ROOT = path.join(import.meta.dir, "..", "..");
let built: Promise<string> | undefined;

export function buildBinary(): Promise<string> {
  built ??= (async () => {
    const out = tempPath("tollgate-bin");
    const args = pkg.scripts.build.split(/\s+/).map((a) => (a === "dist/tollgate" ? out : a));
    const proc = Bun.spawn(args, { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    if ((await proc.exited) !== 0) throw new Error(`build failed: ${await new Response(proc.stderr).text()}`);
    return out;
  })();
  return built;
}

export interface RunningBinary {
  proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  port: number;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once stderr contains the text (log lines after "listening" may still be in flight). */
  waitForLog(text: string, timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/** Starts the binary on port 0 in an empty directory and waits for its "listening" line. */
export async function startBinary(bin: string, args: string[], env: Record<string, string> = {}): Promise<RunningBinary> {
  const cwd = tempPath("cwd");
  mkdirSync(cwd, { recursive: true });
  const proc = Bun.spawn([bin, ...args, "--port", "0", "--host", "127.0.0.1"], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: cwd, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  let out = "";
  let err = "";
  const pump = async (stream: ReadableStream<Uint8Array>, onText: (t: string) => void) => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) onText(decoder.decode(r.value, { stream: true }));
  };
  let resolveListening!: (port: number) => void;
  const listening = new Promise<number>((r) => (resolveListening = r));
  void pump(proc.stdout, (t) => (out += t));
  void pump(proc.stderr, (t) => {
    err += t;
    const m = /tollgate listening url=http:\/\/[^:]+:(\d+)/.exec(err);
    if (m) resolveListening(Number(m[1]));
  });
  const port = await Promise.race([
    listening,
    proc.exited.then((code) => {
      throw new Error(`binary exited with ${code} before listening:\n${err}`);
    }),
    Bun.sleep(15_000).then(() => {
      throw new Error(`binary did not listen within 15 s:\n${err}`);
    }),
  ]);
  return {
    proc,
    port,
    url: `http://127.0.0.1:${port}`,
    stdout: () => out,
    stderr: () => err,
    waitForLog: async (text, timeoutMs = 5_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!err.includes(text)) {
        if (Date.now() > deadline) throw new Error(`no "${text}" in the log within ${timeoutMs} ms:\n${err}`);
        await Bun.sleep(10);
      }
    },
    stop: async (signal = "SIGTERM") => {
      proc.kill(signal);
      return proc.exited;
    },
  };
}

export async function runBinary(bin: string, args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([bin, ...args], { env: { PATH: process.env.PATH ?? "", ...env }, stdout: "pipe", stderr: "pipe" });
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code, stdout, stderr };
}
