// Per-deployment max_parallel_requests slots: the cap LiteLLM derives from litellm_params, first
// come first served hand-over, a waiter that gives up leaving the queue, a lowered cap respected.
import { describe, expect, test } from "bun:test";
import { ParallelSlots, parallelLimitOf } from "../../src/router/parallel-slots.ts";

const gone = () => new Error("gone");
const never = new AbortController().signal;

describe("parallelLimitOf", () => {
  test("max_parallel_requests, else rpm, else tpm / 1000 × 6 (at least 1), else the router default; 0 is no cap", () => {
    expect(parallelLimitOf({ max_parallel_requests: 3, rpm: 100 }, 9)).toBe(3);
    expect(parallelLimitOf({ rpm: 100, tpm: 1000 }, 9)).toBe(100);
    expect(parallelLimitOf({ tpm: 100_000 }, 9)).toBe(600);
    expect(parallelLimitOf({ tpm: 10 }, 9)).toBe(1);
    expect(parallelLimitOf({}, 9)).toBe(9);
    expect(parallelLimitOf({}, undefined)).toBeUndefined();
    expect(parallelLimitOf({ max_parallel_requests: 0 }, 9)).toBeUndefined();
  });
});

describe("ParallelSlots", () => {
  test("up to the cap at once (no promise), then waiters in arrival order as slots come back", async () => {
    const slots = new ParallelSlots();
    expect(slots.take("d", 2, never, gone)).toBeUndefined();
    expect(slots.take("d", 2, never, gone)).toBeUndefined();
    const order: string[] = [];
    const third = slots.take("d", 2, never, gone)!.then(() => order.push("third"));
    const fourth = slots.take("d", 2, never, gone)!.then(() => order.push("fourth"));
    expect(slots.stateOf("d")).toEqual({ inUse: 2, waiting: 2 });
    slots.release("d");
    await third;
    expect(order).toEqual(["third"]);
    expect(slots.stateOf("d")).toEqual({ inUse: 2, waiting: 1 });
    slots.release("d");
    await fourth;
    expect(order).toEqual(["third", "fourth"]);
    for (let i = 0; i < 2; i++) slots.release("d");
    expect(slots.stateOf("d")).toEqual({ inUse: 0, waiting: 0 });
    // Other deployments are not affected.
    expect(slots.take("e", 1, never, gone)).toBeUndefined();
  });

  test("a waiter whose signal aborts leaves the queue with the error; the next one gets the slot", async () => {
    const slots = new ParallelSlots();
    slots.take("d", 1, never, gone);
    const quitter = new AbortController();
    const leaving = slots.take("d", 1, quitter.signal, gone)!;
    const staying = slots.take("d", 1, never, gone)!;
    quitter.abort();
    await expect(leaving).rejects.toThrow("gone");
    expect(slots.stateOf("d")).toEqual({ inUse: 1, waiting: 1 });
    slots.release("d");
    await staying;
    expect(slots.stateOf("d")).toEqual({ inUse: 1, waiting: 0 });
    const late = new AbortController();
    late.abort();
    await expect(slots.take("d", 1, late.signal, gone)!).rejects.toThrow("gone");
  });

  test("a newcomer does not jump the queue, and a lowered cap holds waiters back", async () => {
    const slots = new ParallelSlots();
    slots.take("d", 2, never, gone);
    slots.take("d", 2, never, gone);
    const waiting = slots.take("d", 2, never, gone)!;
    slots.release("d");
    await waiting;
    // The cap drops to 1 (a runtime model changed): two in use, nobody more until both are back.
    const held = slots.take("d", 1, never, gone);
    expect(held).toBeInstanceOf(Promise);
    let granted = false;
    void held!.then(() => (granted = true));
    slots.release("d");
    await Bun.sleep(0);
    expect(granted).toBe(false);
    slots.release("d");
    await Bun.sleep(0);
    expect(granted).toBe(true);
  });
});
