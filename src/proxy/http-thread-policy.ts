// Bun's fetch does its socket work in one thread of its own, "HTTP Client". When the gateway's core
// is busy, every wake-up of that thread (a request queued, an upstream's answer arriving) preempted
// the JavaScript thread in the middle of its work: 0.8 involuntary context switches per request
// under load, against 0.25 for a bare Bun proxy. Under Linux's SCHED_BATCH policy a thread's
// wake-ups do not preempt the running thread; it runs when a core is free (at once, when one is
// idle) or at the end of the current time slice, and then does the sockets that became ready
// together. Measured (compiled, 32 connections, one core, CPU time per request): 105.5 → 87.9 µs;
// one connection unchanged. Only that thread changes: the JavaScript thread keeps the normal policy, so
// a client's request still wakes the gateway as promptly as before.
// TOLLGATE_HTTP_THREAD_POLICY=normal leaves it alone.
import { dlopen, FFIType, ptr } from "bun:ffi";
import { readdirSync, readFileSync } from "node:fs";

const SCHED_BATCH = 3;
const THREAD_NAME = "HTTP Client";

export type PolicyOutcome = "batch" | "not-started" | "unsupported" | "disabled";

/** The thread IDs of this process whose name is `name` (Linux: /proc/self/task). */
export function threadsNamed(name: string): number[] {
  const tids: number[] = [];
  for (const tid of readdirSync("/proc/self/task")) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, "utf8").trimEnd() === name) tids.push(Number(tid));
    } catch {
      // the thread ended meanwhile
    }
  }
  return tids;
}

let setBatch: ((tid: number) => boolean) | null | undefined;

/** sched_setscheduler from the C library, or null where there is none to load. */
function batchSetter(): ((tid: number) => boolean) | null {
  if (setBatch !== undefined) return setBatch;
  setBatch = null;
  for (const name of ["libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1"]) {
    try {
      const libc = dlopen(name, { sched_setscheduler: { args: [FFIType.i32, FFIType.i32, FFIType.ptr], returns: FFIType.i32 } });
      const param = new Int32Array(1); // struct sched_param { int sched_priority = 0 }
      setBatch = (tid) => libc.symbols.sched_setscheduler(tid, SCHED_BATCH, ptr(param)) === 0;
      break;
    } catch {
      // not this C library
    }
  }
  return setBatch;
}

/** Puts Bun's HTTP client thread under SCHED_BATCH, if it has started and the system allows it. */
export function batchHttpClientThread(env: Record<string, string | undefined> = process.env): PolicyOutcome {
  if (env.TOLLGATE_HTTP_THREAD_POLICY === "normal") return "disabled";
  if (process.platform !== "linux") return "unsupported";
  const set = batchSetter();
  if (!set) return "unsupported";
  const tids = threadsNamed(THREAD_NAME);
  if (tids.length === 0) return "not-started";
  return tids.every(set) ? "batch" : "unsupported";
}

/** Scheduling policy of a thread of this process (field 41 of /proc/self/task/TID/stat). */
export function threadPolicy(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[38]);
}

// The thread starts with the first fetch and names itself soon after: looked for a few times.
const RETRY_MS = [10, 100, 1_000];
let lookup: "idle" | "running" | "done" = "idle";

/** Called after each outbound send: the first one starts the lookup; later ones cost nothing. */
export function afterSend(): void {
  if (lookup !== "idle") return;
  lookup = "running";
  const attempt = (i: number) => {
    const outcome = batchHttpClientThread();
    if (outcome === "not-started" && i + 1 < RETRY_MS.length) setTimeout(() => attempt(i + 1), RETRY_MS[i + 1]).unref();
    else lookup = "done";
  };
  setTimeout(() => attempt(0), RETRY_MS[0]).unref();
}
