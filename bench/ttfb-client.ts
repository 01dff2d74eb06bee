// Time to first byte of a streamed chat completion: N sequential requests, each timed from just
// before fetch to the first body chunk, then read to the end. Prints one JSON line.
// Run: bun bench/ttfb-client.ts URL KEY BODY_FILE N
import { percentile } from "./stats.ts";

export interface TtfbResult {
  n: number;
  errors: number;
  p50Us: number;
  p99Us: number;
  firstError?: string;
}

export async function measureTtfb(url: string, key: string, body: string, n: number): Promise<TtfbResult> {
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const headers = { "content-type": "application/json", authorization: `Bearer ${key}` };
  const warmup = Math.min(20, Math.ceil(n / 10));
  for (let i = 0; i < warmup + n; i++) {
    const started = performance.now();
    try {
      const res = await fetch(url, { method: "POST", headers, body });
      const reader = res.body!.getReader();
      const first = await reader.read();
      const ttfbUs = (performance.now() - started) * 1000;
      let text = first.value ? new TextDecoder().decode(first.value) : "";
      for (let r = await reader.read(); !r.done; r = await reader.read()) text += new TextDecoder().decode(r.value);
      if (res.status !== 200 || !text.includes("[DONE]")) {
        errors++;
        firstError ??= `status ${res.status}: ${text.slice(0, 200)}`;
        continue;
      }
      if (i >= warmup) samples.push(ttfbUs);
    } catch (err) {
      errors++;
      firstError ??= String(err);
    }
  }
  return { n: samples.length, errors, p50Us: percentile(samples, 50), p99Us: percentile(samples, 99), firstError };
}

if (import.meta.main) {
  const [url, key, bodyFile, n] = Bun.argv.slice(2);
  if (!url || !key || !bodyFile) {
    process.stderr.write("usage: bun bench/ttfb-client.ts URL KEY BODY_FILE [N]\n");
    process.exit(2);
  }
  const result = await measureTtfb(url, key, await Bun.file(bodyFile).text(), Number(n ?? 200));
  process.stdout.write(JSON.stringify(result) + "\n");
}
