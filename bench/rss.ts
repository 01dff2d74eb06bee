// Resident memory of a process, from /proc/PID/status (VmRSS, in kB).

export async function rssKb(pid: number): Promise<number> {
  try {
    const status = await Bun.file(`/proc/${pid}/status`).text();
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Samples RSS every intervalMs until stopped; returns the largest and the last reading. */
export function sampleRss(pid: number, intervalMs = 250) {
  let maxKb = Number.NaN;
  let lastKb = Number.NaN;
  let running = true;
  const loop = (async () => {
    while (running) {
      const kb = await rssKb(pid);
      if (Number.isFinite(kb)) {
        lastKb = kb;
        maxKb = Number.isFinite(maxKb) ? Math.max(maxKb, kb) : kb;
      }
      await Bun.sleep(intervalMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { maxKb, lastKb };
    },
  };
}
