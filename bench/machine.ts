// Where and with what a run was made, for the report header.
import os from "node:os";
import { REPO } from "./tollgate.ts";

export interface Machine {
  date: string;
  nproc: number;
  cpuModel: string;
  kernel: string;
  memGiB: number;
  bun: string;
  wrk: string;
  commit: string;
  loadAvg: string;
}

async function commandOutput(cmd: string[]): Promise<string> {
  try {
    const p = Bun.spawnSync(cmd, { cwd: REPO, stdout: "pipe", stderr: "pipe" });
    return (p.stdout.toString() + p.stderr.toString()).trim();
  } catch {
    return "";
  }
}

export async function describeMachine(): Promise<Machine> {
  const cpuinfo = await Bun.file("/proc/cpuinfo").text().catch(() => "");
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? "unknown";
  const wrk = (await commandOutput(["wrk", "--version"])).split("\n")[0]?.replace(/ Copyright.*$/, "") ?? "";
  const head = await commandOutput(["git", "rev-parse", "--short", "HEAD"]);
  const dirty = (await commandOutput(["git", "status", "--porcelain", "--", "src", "drizzle", "package.json"])) !== "";
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    nproc: os.availableParallelism(),
    cpuModel,
    kernel: os.release(),
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    bun: Bun.version,
    wrk,
    commit: head + (dirty ? " (src/ has uncommitted changes)" : ""),
    loadAvg: os.loadavg().map((l) => l.toFixed(2)).join(" "),
  };
}
