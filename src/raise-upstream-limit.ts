// Bun's fetch sends at most BUN_CONFIG_MAX_HTTP_REQUESTS requests at once (default 256) and queues
// the rest inside the runtime, unseen: a gateway holding 256 LLM calls of tens of seconds each
// would make the 257th wait for one to finish, whatever its own limits say (measured: 600
// concurrent 1 s upstream calls took 3.0 s, and 1.1 s with the variable set). The variable is read
// once, when the process starts, so a serving process that was started without it executes itself
// again (same PID, same arguments) with it set to Bun's maximum, before anything else has run. An
// operator who sets it keeps their value; elsewhere than Linux nothing changes. Imported first by
// main.ts only (its own first statement runs ~11-16 ms after the process starts; the start to the
// first 200 grows by about that much).
import { dlopen, FFIType, ptr } from "bun:ffi";
import { readFileSync } from "node:fs";
import { parseCli } from "./cli.ts";

const VARIABLE = "BUN_CONFIG_MAX_HTTP_REQUESTS";
const MAX = "65535"; // Bun's own upper bound (a u16)

/** Whether the command line starts the server (the default verb), not a one-off command. */
function startsServer(args: readonly string[]): boolean {
  try {
    return parseCli(args).kind === "serve";
  } catch {
    return false; // a usage error: main reports it
  }
}

/** Replaces this process with itself, the variable set; returns only if that cannot be done. */
function executeAgainWithLimit(): void {
  const libc = dlopen("libc.so.6", {
    setenv: { args: [FFIType.cstring, FFIType.cstring, FFIType.i32], returns: FFIType.i32 },
    execv: { args: [FFIType.cstring, FFIType.ptr], returns: FFIType.i32 },
  });
  const cString = (s: string) => Buffer.from(`${s}\0`);
  const name = cString(VARIABLE);
  const value = cString(MAX);
  if (libc.symbols.setenv(ptr(name), ptr(value), 1) !== 0) return;
  // The arguments exactly as this process got them (a compiled binary's argv differs from them).
  const args = readFileSync("/proc/self/cmdline").toString("latin1").split("\0").slice(0, -1).map(cString);
  const argv = new BigUint64Array(args.length + 1); // NULL-terminated char*[]
  for (const [i, a] of args.entries()) argv[i] = BigInt(ptr(a));
  libc.symbols.execv(ptr(cString("/proc/self/exe")), ptr(argv));
}

if (process.platform === "linux" && Bun.env[VARIABLE] === undefined && startsServer(Bun.argv.slice(2))) {
  try {
    executeAgainWithLimit();
  } catch {
    // no C library to load: serve with Bun's default
  }
  process.stderr.write(`could not raise ${VARIABLE}: at most 256 upstream requests at once; set it to raise the limit\n`);
}
