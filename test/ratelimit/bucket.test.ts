import { describe, expect, test } from "bun:test";
import {
  type BucketState,
  fullBucket,
  peek,
  reconcile,
  refill,
  remainingOf,
  resize,
  take,
} from "../../src/ratelimit/bucket.ts";

const T0 = 1_700_000_000_000;
const at = (tokens: number, capacity: number, updatedMs = T0): BucketState => ({ tokens, capacity, updatedMs });

describe("refill", () => {
  const cases: [string, BucketState, number, number][] = [
    ["nothing elapsed", at(0, 60), T0, 0],
    ["one second of rpm 60 is one token", at(0, 60), T0 + 1_000, 1],
    ["half a second is half a token", at(0, 60), T0 + 500, 0.5],
    ["never above capacity", at(59, 60), T0 + 10_000, 60],
    ["a full minute refills everything", at(0, 600), T0 + 60_000, 600],
    ["debt is paid off by refill", at(-30, 60), T0 + 30_000, 0],
    ["clock skew backwards adds nothing", at(10, 60), T0 - 5_000, 10],
    ["zero capacity stays empty", at(0, 0), T0 + 60_000, 0],
  ];
  for (const [name, state, nowMs, tokens] of cases) {
    test(name, () => expect(refill(state, nowMs).tokens).toBeCloseTo(tokens, 9));
  }

  test("skew keeps the later timestamp, so the interval is not counted twice", () => {
    const skewed = refill(at(0, 60), T0 - 5_000);
    expect(skewed.updatedMs).toBe(T0);
    expect(refill(skewed, T0 + 1_000).tokens).toBeCloseTo(1, 9);
  });
});

describe("take", () => {
  const cases: { name: string; state: BucketState; cost: number; nowMs: number; ok: boolean; after?: number; retryAfterMs?: number }[] = [
    { name: "admits when tokens suffice", state: at(2, 2), cost: 1, nowMs: T0, ok: true, after: 1 },
    { name: "admits the last token", state: at(1, 2), cost: 1, nowMs: T0, ok: true, after: 0 },
    { name: "refuses an empty bucket; rpm 2 refills one in 30 s", state: at(0, 2), cost: 1, nowMs: T0, ok: false, retryAfterMs: 30_000 },
    { name: "refuses a partial token, waits the remainder", state: at(0.5, 60), cost: 1, nowMs: T0, ok: false, retryAfterMs: 500 },
    { name: "refill during the wait admits", state: at(0, 60), cost: 1, nowMs: T0 + 1_000, ok: true, after: 0 },
    { name: "zero capacity never admits", state: at(0, 0), cost: 1, nowMs: T0, ok: false, retryAfterMs: Infinity },
    { name: "cost above capacity needs a full bucket and leaves debt", state: at(100, 100), cost: 250, nowMs: T0, ok: true, after: -150 },
    { name: "cost above capacity refused unless full", state: at(99, 100), cost: 250, nowMs: T0, ok: false, retryAfterMs: 600 },
    { name: "debt refuses until paid", state: at(-50, 100), cost: 10, nowMs: T0, ok: false, retryAfterMs: 36_000 },
    { name: "zero cost always fits a non-empty limit", state: at(0, 10), cost: 0, nowMs: T0, ok: true, after: 0 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = take(c.state, c.cost, c.nowMs);
      expect(r.ok).toBe(c.ok);
      if (r.ok) expect(r.state.tokens).toBeCloseTo(c.after!, 9);
      else expect(r.retryAfterMs).toBeCloseTo(c.retryAfterMs!, 6);
    });
  }

  test("peek never changes the bucket", () => {
    const s = at(1, 2);
    expect(peek(s, 1, T0).ok).toBe(true);
    expect(peek(s, 1, T0).state.tokens).toBe(1);
  });

  test("a burst at rpm 2 admits exactly 2, then one every 30 s", () => {
    let s = fullBucket(2, T0);
    const admitted: number[] = [];
    for (let ms = 0; ms <= 60_000; ms += 1_000) {
      for (let i = 0; i < 5; i++) {
        const r = take(s, 1, T0 + ms);
        s = r.state;
        if (r.ok) admitted.push(ms);
      }
    }
    expect(admitted).toEqual([0, 0, 30_000, 60_000]);
  });
});

describe("reconcile", () => {
  const cases: [string, BucketState, number, number, number][] = [
    ["used less than estimated: the rest comes back", at(0, 1000), 500, 200, 300],
    ["used more: the difference is charged", at(500, 1000), 100, 400, 200],
    ["may go into debt", at(0, 1000), 100, 700, -600],
    ["a refund never exceeds capacity", at(900, 1000), 500, 0, 1000],
    ["exact estimate changes nothing", at(42, 1000), 10, 10, 42],
  ];
  for (const [name, state, estimated, actual, tokens] of cases) {
    test(name, () => expect(reconcile(state, estimated, actual, T0).tokens).toBeCloseTo(tokens, 9));
  }

  test("a burst of large requests overshoots tpm by at most one request", () => {
    // tpm 1000, each request estimated at 100 but really uses 600: all are admitted only while the
    // bucket has tokens, and each is settled before the next arrives.
    let s = fullBucket(1000, T0);
    let used = 0;
    for (let i = 0; i < 10; i++) {
      const r = take(s, 100, T0);
      if (!r.ok) break;
      s = reconcile(r.state, 100, 600, T0);
      used += 600;
    }
    expect(used).toBe(1200);
    expect(used - 1000).toBeLessThanOrEqual(600);
  });
});

describe("resize", () => {
  const cases: [string, BucketState, number, number][] = [
    ["raising keeps what was used", at(0, 2), 5, 3],
    ["lowering keeps what was used", at(8, 10), 5, 3],
    ["lowering below the used amount leaves debt", at(2, 10), 5, -3],
    ["unchanged", at(7, 10), 10, 7],
  ];
  for (const [name, state, capacity, tokens] of cases) {
    test(name, () => {
      const r = resize(state, capacity);
      expect(r.capacity).toBe(capacity);
      expect(r.tokens).toBe(tokens);
    });
  }
});

test("remaining is whole tokens, never negative", () => {
  expect(remainingOf(at(1.9, 2))).toBe(1);
  expect(remainingOf(at(-4, 2))).toBe(0);
});
