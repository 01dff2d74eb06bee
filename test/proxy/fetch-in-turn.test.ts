// A request made while none waits for its answer leaves at once; otherwise requests wait for the end
// of the event-loop turn and leave together, in call order; one that cannot be sent fails alone. The
// sender is injected (a recorder, whose answers can be held back) except in the abort case, which
// uses the real fetch.
import { describe, expect, test } from "bun:test";
import { turnBatcher } from "../../src/proxy/fetch-in-turn.ts";

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function recordingSender() {
  const sent: string[] = [];
  // Answers to "/held…" requests wait until release() (a request still waiting for its answer).
  const held: (() => void)[] = [];
  const send = (url: string) => {
    if (url.includes("throw")) throw new TypeError(`cannot send ${url}`);
    sent.push(url);
    if (!url.includes("/held")) return Promise.resolve(new Response(url));
    return new Promise<Response>((resolve) => held.push(() => resolve(new Response(url))));
  };
  const release = () => {
    for (const answer of held.splice(0)) answer();
  };
  return { sent, send, release };
}

describe("turnBatcher", () => {
  test("with no request waiting for its answer, a request leaves at once", async () => {
    const { sent, send } = recordingSender();
    const fetchInTurn = turnBatcher(send);
    const first = fetchInTurn("http://u/1", {});
    expect(sent).toEqual(["http://u/1"]);
    expect(await (await first).text()).toBe("http://u/1");
    // Answered: the next one leaves at once too.
    const second = fetchInTurn("http://u/2", {});
    expect(sent).toEqual(["http://u/1", "http://u/2"]);
    expect(await (await second).text()).toBe("http://u/2");
  });

  test("while a request waits for its answer, the turn's requests are sent together after it, in call order", async () => {
    const { sent, send, release } = recordingSender();
    const fetchInTurn = turnBatcher(send);
    const held = fetchInTurn("http://u/held", {});
    const replies = ["http://u/a", "http://u/b", "http://u/c"].map((url) => fetchInTurn(url, { method: "POST" }));
    expect(sent).toEqual(["http://u/held"]);
    await nextTurn();
    expect(sent).toEqual(["http://u/held", "http://u/a", "http://u/b", "http://u/c"]);
    expect(await Promise.all(replies.map(async (r) => (await r).text()))).toEqual(["http://u/a", "http://u/b", "http://u/c"]);
    release();
    expect(await (await held).text()).toBe("http://u/held");
  });

  test("a request made after a turn's group left waits for the next turn", async () => {
    const { sent, send, release } = recordingSender();
    const fetchInTurn = turnBatcher(send);
    const held = fetchInTurn("http://u/held", {});
    const first = fetchInTurn("http://u/1", {});
    await nextTurn();
    const second = fetchInTurn("http://u/2", {});
    expect(sent).toEqual(["http://u/held", "http://u/1"]);
    await nextTurn();
    expect(sent).toEqual(["http://u/held", "http://u/1", "http://u/2"]);
    expect(await (await first).text()).toBe("http://u/1");
    expect(await (await second).text()).toBe("http://u/2");
    release();
    await held;
  });

  test("a sender that throws fails only its own request, sent at once or with its turn", async () => {
    const { sent, send, release } = recordingSender();
    const fetchInTurn = turnBatcher(send);
    await expect(fetchInTurn("http://u/throw-alone", {})).rejects.toThrow("cannot send http://u/throw-alone");
    const held = fetchInTurn("http://u/held", {});
    const ok1 = fetchInTurn("http://u/ok1", {});
    const bad = fetchInTurn("http://u/throw", {});
    const ok2 = fetchInTurn("http://u/ok2", {});
    await expect(bad).rejects.toThrow("cannot send http://u/throw");
    expect(await (await ok1).text()).toBe("http://u/ok1");
    expect(await (await ok2).text()).toBe("http://u/ok2");
    expect(sent).toEqual(["http://u/held", "http://u/ok1", "http://u/ok2"]);
    release();
    await held;
  });

  test("a request whose sending failed is no longer waited for: the next leaves at once", async () => {
    const sent: string[] = [];
    const fetchInTurn = turnBatcher((url) => {
      sent.push(url);
      return url.includes("fail") ? Promise.reject(new TypeError("connection refused")) : Promise.resolve(new Response(url));
    });
    await expect(fetchInTurn("http://u/fail", {})).rejects.toThrow("connection refused");
    void fetchInTurn("http://u/next", {});
    expect(sent).toEqual(["http://u/fail", "http://u/next"]);
  });

  test("an aborted signal still rejects the request as an abort", async () => {
    const fetchInTurn = turnBatcher((url, init) => fetch(url, init));
    const controller = new AbortController();
    const pending = fetchInTurn("http://127.0.0.1:9/never", { signal: controller.signal });
    controller.abort();
    const err = await pending.then(() => undefined, (e: Error) => e);
    expect(err?.name).toBe("AbortError");
  });
});
