// LiteLLM's per-deployment max_parallel_requests: at most that many calls in flight to one
// deployment on this instance; the next one waits for a slot (it is not refused), first come first
// served, as LiteLLM's router semaphore. A stream holds its slot until it ends. Pure bookkeeping:
// the caller takes a slot before the upstream call and gives it back exactly once.

/** What a deployment's litellm_params say about concurrency (LiteLLM's calculate_max_parallel_requests). */
export interface ParallelParams {
  readonly max_parallel_requests?: number;
  readonly rpm?: number;
  readonly tpm?: number;
}

/**
 * The deployment's cap: max_parallel_requests, else its rpm, else its tpm / 1000 × 6 (at least 1),
 * else the router's default_max_parallel_requests; undefined (no cap) when none is set. 0 = no cap.
 */
export function parallelLimitOf(params: ParallelParams, defaultMax: number | undefined): number | undefined {
  const limit =
    params.max_parallel_requests ??
    params.rpm ??
    (params.tpm !== undefined ? Math.max(1, Math.floor((params.tpm / 1000) * 6)) : undefined) ??
    defaultMax;
  return limit === undefined || limit <= 0 ? undefined : limit;
}

interface Waiter {
  grant(): void;
}

export class ParallelSlots {
  private readonly inUse = new Map<string, number>();
  private readonly limits = new Map<string, number>();
  private readonly queues = new Map<string, Waiter[]>();

  /**
   * Takes a slot of deployment `id`: undefined when one was free (no promise on the fast path),
   * else a promise settled when one is handed over, or rejected with `gone()` if `signal` aborts first.
   */
  take(id: string, limit: number, signal: AbortSignal, gone: () => Error): Promise<void> | undefined {
    this.limits.set(id, limit);
    const used = this.inUse.get(id) ?? 0;
    const queue = this.queues.get(id);
    if (used < limit && !queue?.length) {
      this.inUse.set(id, used + 1);
      return undefined;
    }
    if (signal.aborted) return Promise.reject(gone());
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const q = this.queues.get(id);
        const at = q?.indexOf(waiter) ?? -1;
        if (at >= 0) q!.splice(at, 1);
        reject(gone());
      };
      const waiter: Waiter = {
        grant: () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      signal.addEventListener("abort", onAbort, { once: true });
      if (queue) queue.push(waiter);
      else this.queues.set(id, [waiter]);
    });
  }

  /** Gives a slot back; the longest waiter gets it if the cap allows. */
  release(id: string): void {
    let used = Math.max(0, (this.inUse.get(id) ?? 1) - 1);
    const limit = this.limits.get(id) ?? 0;
    const queue = this.queues.get(id);
    while (queue?.length && used < limit) {
      used++;
      queue.shift()!.grant();
    }
    if (queue && queue.length === 0) this.queues.delete(id);
    if (used === 0) this.inUse.delete(id);
    else this.inUse.set(id, used);
  }

  /** Calls in flight and waiting on deployment `id` (for /health and tests). */
  stateOf(id: string): { inUse: number; waiting: number } {
    return { inUse: this.inUse.get(id) ?? 0, waiting: this.queues.get(id)?.length ?? 0 };
  }
}
