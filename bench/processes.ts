// Child processes of the benchmark: started pinned (taskset), tracked by PID, and killed on exit,
// on SIGINT/SIGTERM and on a crash. Only processes this run started are ever signalled.
import type { Subprocess } from "bun";

export interface Child {
  name: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  pid: number;
  /** Everything the child wrote so far, for error messages. */
  output(): string;
}

const live = new Map<number, Child>();
let pinning = true;

export function setPinning(enabled: boolean) {
  pinning = enabled;
}

/** `taskset -c CPU` prefix; taskset execs the command, so the child's PID is the command's. */
function pinned(cpu: number | undefined, cmd: string[]): string[] {
  return pinning && cpu !== undefined ? ["taskset", "-c", String(cpu), ...cmd] : cmd;
}

export function spawnChild(name: string, cmd: string[], opts: { cpu?: number; env?: Record<string, string | undefined>; cwd?: string } = {}): Child {
  const proc = Bun.spawn(pinned(opts.cpu, cmd), {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd,
  });
  let captured = "";
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    const reader = stream.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      // Keep the tail only: a long-running server's logs must not grow the driver's memory.
      captured = (captured + decoder.decode(r.value, { stream: true })).slice(-20_000);
    }
  };
  void drain(proc.stdout);
  void drain(proc.stderr);
  const child: Child = { name, proc, pid: proc.pid, output: () => captured };
  live.set(proc.pid, child);
  void proc.exited.then(() => live.delete(proc.pid));
  return child;
}

/** Move a running child (all its threads) to another CPU. */
export async function repin(pid: number, cpu: number) {
  if (!pinning || !live.has(pid)) return;
  const p = Bun.spawnSync(["taskset", "-a", "-p", "-c", String(cpu), String(pid)], { stdout: "ignore", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`taskset -a -p -c ${cpu} ${pid} failed: ${p.stderr.toString().trim()}`);
}

/** Run a command to completion with a hard time limit; returns its exit code and output. */
export async function runChild(name: string, cmd: string[], opts: { cpu?: number; env?: Record<string, string | undefined>; cwd?: string; timeoutMs: number }) {
  const child = spawnChild(name, cmd, opts);
  const timer = setTimeout(() => stopChild(child, "SIGKILL"), opts.timeoutMs);
  const code = await child.proc.exited;
  clearTimeout(timer);
  // Let the pipe readers finish.
  await Bun.sleep(5);
  return { code, output: child.output(), timedOut: child.proc.signalCode === "SIGKILL" };
}

export async function stopChild(child: Child, signal: "SIGTERM" | "SIGKILL" = "SIGTERM", graceMs = 2000) {
  if (!live.has(child.pid)) return;
  child.proc.kill(signal);
  const exited = await Promise.race([child.proc.exited.then(() => true), Bun.sleep(graceMs).then(() => false)]);
  if (!exited) child.proc.kill("SIGKILL");
  live.delete(child.pid);
}

/** Stop every child this run started (servers last in, first out). */
export async function stopAll() {
  for (const child of [...live.values()].reverse()) await stopChild(child);
}

function killAllSync() {
  for (const child of live.values()) {
    try {
      process.kill(child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  live.clear();
}

/**
 * Children are killed (SIGKILL) by an exit hook whatever happens. On a signal, onSignal runs first
 * (stop children gracefully, drop a Postgres database) within a few seconds, then the process exits.
 */
export function installCleanup(onSignal?: () => Promise<void>) {
  process.on("exit", killAllSync);
  let stopping = false;
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\nbench: ${sig}, stopping the processes it started\n`);
      void Promise.race([onSignal?.(), Bun.sleep(5000)])
        .catch(() => {})
        .finally(() => process.exit(130));
    });
  }
}

/** A free 127.0.0.1 port, found by letting the kernel choose one and releasing it. */
export function freePort(): number {
  const probe = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

/** Poll until GET url answers 200 or the child exits or the time is up. Returns ms waited. */
export async function waitFor200(url: string, opts: { child?: Child; timeoutMs: number; intervalMs?: number; headers?: Record<string, string> }): Promise<number> {
  const started = performance.now();
  const deadline = started + opts.timeoutMs;
  while (performance.now() < deadline) {
    if (opts.child && opts.child.proc.exitCode !== null) {
      throw new Error(`${opts.child.name} exited with ${opts.child.proc.exitCode} before ${url} answered:\n${opts.child.output().slice(-2000)}`);
    }
    try {
      const res = await fetch(url, { headers: opts.headers, signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return performance.now() - started;
    } catch {
      // not listening yet
    }
    await Bun.sleep(opts.intervalMs ?? 20);
  }
  throw new Error(`${url} did not answer 200 within ${opts.timeoutMs} ms${opts.child ? `:\n${opts.child.output().slice(-2000)}` : ""}`);
}
