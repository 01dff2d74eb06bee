// Where a bucket's tokens live. The limiter only sees this interface: a MemoryPool is the whole
// bucket (one instance), a LeasePool (lease-pool.ts) is this instance's share of a shared bucket.
import { type BucketState, debit, fullBucket, msUntil, peek, refill, resize } from "./bucket.ts";

export interface TokenPool {
  /** Admission test at nowMs, synchronous so a multi-limit check can be atomic. */
  fits(cost: number, capacity: number, nowMs: number): boolean;
  /** Unconditional debit (negative credits); callers check fits() first. */
  take(cost: number, nowMs: number): void;
  /** Tokens left to the client's eye. */
  remaining(nowMs: number): number;
  /** Milliseconds until `cost` would fit. */
  retryAfterMs(cost: number, nowMs: number): number;
  /**
   * Asks the shared store for enough tokens to admit `cost` (absent for memory pools). False when
   * the shared bucket is exhausted, so retrying is pointless.
   */
  topUp?(cost: number, nowMs: number): Promise<boolean>;
}

export class MemoryPool implements TokenPool {
  private state: BucketState;

  constructor(capacity: number, nowMs: number) {
    this.state = fullBucket(capacity, nowMs);
  }

  fits(cost: number, capacity: number, nowMs: number): boolean {
    this.state = refill(resize(this.state, capacity), nowMs);
    return peek(this.state, cost, nowMs).ok;
  }

  take(cost: number, nowMs: number): void {
    this.state = debit(refill(this.state, nowMs), cost);
  }

  remaining(nowMs: number): number {
    return refill(this.state, nowMs).tokens;
  }

  retryAfterMs(cost: number, nowMs: number): number {
    const s = refill(this.state, nowMs);
    return msUntil(s, Math.min(cost, s.capacity));
  }
}
