// CPU time of a process (user + system, every thread), from /proc/PID/stat. Divided by the
// requests of a run it gives CPU per request: on a shared VM a steadier figure than req/s, since it
// does not move when the host takes the core away for a while (steal time lowers req/s, not this).

// Clock ticks per second of utime/stime (sysconf(_SC_CLK_TCK): 100 on Linux unless changed).
const TICKS_PER_S = (() => {
  const out = Bun.spawnSync(["getconf", "CLK_TCK"], { stdout: "pipe", stderr: "ignore" });
  const n = Number(out.stdout.toString().trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** Total CPU time the process has used so far, in µs (NaN when it cannot be read). */
export async function cpuTimeUs(pid: number): Promise<number> {
  try {
    const stat = await Bun.file(`/proc/${pid}/stat`).text();
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / TICKS_PER_S;
  } catch {
    return Number.NaN;
  }
}
